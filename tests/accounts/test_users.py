"""User management for admins: list, create, edit roles, disable, reset password, and the admin guards."""

from __future__ import annotations

import pytest

from agora.accounts import services
from agora.accounts.models import User
from tests.conftest import PASSWORD, csrf_from, form_post, login, make_user, new_client

NEW_PASSWORD = "a fresh passphrase for you"


async def test_admin_lists_users(admin_client):
    await make_user("listed@example.org", ["moderator"])
    page = await admin_client.get("/staff/users")
    assert page.status_code == 200
    assert "listed@example.org" in page.text and "admin@example.org" in page.text


async def test_admin_creates_a_user_who_can_sign_in(app, admin_client):
    response = await form_post(
        admin_client,
        "/staff/users/new",
        "/staff/users/new",
        {
            "email": "New.Person@Example.org",
            "display_name": "New Person",
            "password": NEW_PASSWORD,
            "roles": ["organizer", "moderator"],
        },
    )
    assert response.status_code == 303
    user = await User.get(email="new.person@example.org")
    assert sorted(user.roles) == ["moderator", "organizer"]
    assert user.password_hash.startswith("$argon2id$")
    async with new_client(app) as c:
        assert (await login(c, "new.person@example.org", NEW_PASSWORD)).status_code == 303


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "x@example.org", "display_name": "X", "password": "short"}, "password"),
        ({"email": "x@example.org", "display_name": "X", "password": "qwerty123456"}, "password"),
        ({"email": "x@example.org", "display_name": "X", "password": "p" * 60 + "q" * 69}, "password"),
        ({"email": "not-an-email", "display_name": "X", "password": NEW_PASSWORD}, "email"),
        ({"email": "x@example.org", "display_name": "  ", "password": NEW_PASSWORD}, "display_name"),
        ({"email": "admin@example.org", "display_name": "Dup", "password": NEW_PASSWORD}, "email"),
        (
            {"email": "x@example.org", "display_name": "X", "password": NEW_PASSWORD, "roles": ["root"]},
            "roles",
        ),
    ],
)
async def test_create_refusals_are_tied_to_the_field(admin_client, data, field):
    count = await User.all().count()
    response = await form_post(admin_client, "/staff/users/new", "/staff/users/new", data)
    assert response.status_code == 400
    if field != "roles":
        assert f'id="{field}-error"' in response.text
        assert f'aria-describedby="{field}-error"' in response.text or f'{field}-error"' in response.text
    assert await User.all().count() == count


async def test_admin_edits_roles(app, admin_client):
    target = await make_user("t@example.org", ["moderator"])
    response = await form_post(
        admin_client,
        f"/staff/users/{target.id}",
        f"/staff/users/{target.id}",
        {"display_name": "Renamed", "roles": ["organizer"], "is_active": "on"},
    )
    assert response.status_code == 303
    target = await User.get(id=target.id)
    assert target.roles == ["organizer"] and target.display_name == "Renamed" and target.is_active


async def test_admin_resets_a_password_and_the_sessions_end(app, admin_client):
    target = await make_user("t@example.org", ["moderator"])
    async with new_client(app) as victim:
        await login(victim, "t@example.org")
        weak = await form_post(
            admin_client,
            f"/staff/users/{target.id}",
            f"/staff/users/{target.id}",
            {"display_name": "T", "roles": ["moderator"], "is_active": "on", "password": "tooshort"},
        )
        assert weak.status_code == 400 and 'id="password-error"' in weak.text
        assert (await victim.get("/staff")).status_code == 200
        response = await form_post(
            admin_client,
            f"/staff/users/{target.id}",
            f"/staff/users/{target.id}",
            {"display_name": "T", "roles": ["moderator"], "is_active": "on", "password": NEW_PASSWORD},
        )
        assert response.status_code == 303
        assert (await victim.get("/staff")).status_code == 303
    async with new_client(app) as c:
        assert (await login(c, "t@example.org", PASSWORD)).status_code == 400
    async with new_client(app) as c:
        assert (await login(c, "t@example.org", NEW_PASSWORD)).status_code == 303


async def test_admin_cannot_remove_their_own_admin_role_or_disable_themselves(admin_client):
    me = await User.get(email="admin@example.org")
    for data in (
        {"display_name": "Me", "roles": ["organizer"], "is_active": "on"},
        {"display_name": "Me", "roles": ["admin"]},
    ):
        response = await form_post(admin_client, f"/staff/users/{me.id}", f"/staff/users/{me.id}", data)
        assert response.status_code == 400
        assert 'id="roles-error"' in response.text or "administrator" in response.text.lower()
    me = await User.get(id=me.id)
    assert me.roles == ["admin"] and me.is_active


async def test_the_last_active_admin_cannot_be_removed(admin_client):
    me = await User.get(email="admin@example.org")
    outsider = await make_user("ops@example.org", ["organizer"])  # e.g. acting through the command line
    with pytest.raises(services.AccountError) as refused:
        await services.update_user(me.id, display_name="Me", roles=["organizer"], is_active=True, acting=outsider)
    assert "roles" in refused.value.errors
    with pytest.raises(services.AccountError):
        await services.update_user(me.id, display_name="Me", roles=["admin"], is_active=False, acting=outsider)
    assert (await User.get(id=me.id)).has_role("admin")
    # With a second active admin, one of them may step down.
    second = await make_user("second@example.org", ["admin"])
    await services.update_user(second.id, display_name="S", roles=["organizer"], is_active=True, acting=me)
    assert not (await User.get(id=second.id)).has_role("admin")


async def test_a_disabled_admin_does_not_count(admin_client):
    me = await User.get(email="admin@example.org")
    other = await make_user("other-admin@example.org", ["admin"])
    await User.filter(id=other.id).update(is_active=False)
    outsider = await make_user("ops@example.org", ["organizer"])
    with pytest.raises(services.AccountError):
        await services.update_user(me.id, display_name="Me", roles=[], is_active=True, acting=outsider)


async def test_role_change_takes_effect_on_the_next_request(app, admin_client):
    target = await make_user("t@example.org", ["organizer", "moderator"])
    async with new_client(app) as c:
        await login(c, "t@example.org")
        assert (await c.get("/staff/barrier-reports")).status_code == 200
        await form_post(
            admin_client,
            f"/staff/users/{target.id}",
            f"/staff/users/{target.id}",
            {"display_name": "T", "roles": ["admin"], "is_active": "on"},
        )
        # Now an admin without a second factor: sent to set one up.
        response = await c.get("/staff/barrier-reports")
        assert response.headers["location"] == "/staff/account/totp"


async def test_non_admin_sees_no_user_management(staff_client):
    dashboard = await staff_client.get("/staff")
    assert 'href="/staff/users"' not in dashboard.text
    assert (await staff_client.get("/staff/users")).status_code == 403
    token = csrf_from(dashboard.text)
    response = await staff_client.post(
        "/staff/users/new",
        data={
            "email": "sneaky@example.org",
            "display_name": "S",
            "password": NEW_PASSWORD,
            "roles": ["admin"],
            "csrf_token": token,
        },
    )
    assert response.status_code == 403
    assert not await User.filter(email="sneaky@example.org").exists()
