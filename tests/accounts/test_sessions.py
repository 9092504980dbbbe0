"""Server-side sessions: strong ids, cookie attributes, timeouts, rotation, and every way a session ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pyotp
import time_machine

from agora.accounts.models import WebSession
from agora.accounts.sessions import hash_token
from agora.app import create_app
from tests.conftest import (
    ADMIN_TOTP,
    PASSWORD,
    csrf_from,
    form_post,
    login,
    make_user,
    new_client,
    replace_settings,
)


def session_cookie(response: httpx.Response, name: str = "agora_session") -> str:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(name + "="):
            return header
    raise AssertionError(f"no {name} cookie in {response.headers.get_list('set-cookie')}")


def cookie_value(header: str) -> str:
    return header.split(";", 1)[0].split("=", 1)[1]


def clone(app, token: str) -> httpx.AsyncClient:  # noqa: ANN001
    """Another browser that somehow holds the given cookie."""
    other = new_client(app)
    other.cookies.set("agora_session", token)
    return other


async def test_id_is_random_long_and_only_its_hash_is_stored(app):
    tokens = set()
    for _ in range(3):
        async with new_client(app) as c:
            tokens.add(cookie_value(session_cookie(await c.get("/staff/login"))))
    assert len(tokens) == 3
    for token in tokens:
        assert len(token) >= 43  # 32 random bytes, base64url: 256 bits
        assert not await WebSession.filter(token_hash=token).exists()
        assert await WebSession.filter(token_hash=hash_token(token)).exists()


async def test_cookie_attributes_over_http(client):
    header = session_cookie(await client.get("/staff/login"))
    attributes = {a.strip().lower() for a in header.split(";")[1:]}
    assert {"httponly", "samesite=lax", "path=/"} <= attributes
    assert "secure" not in attributes


async def test_host_prefixed_secure_cookie_over_https(database):
    app = create_app(replace_settings(database, base_url="https://agora.example"), manage_db=False)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="https://agora.example") as c:
        response = await c.get("/staff/login")
        header = session_cookie(response, "__Host-agora_session")
        attributes = {a.strip().lower() for a in header.split(";")[1:]}
        assert {"httponly", "samesite=lax", "path=/", "secure"} <= attributes
        assert not any(a.startswith("domain=") for a in attributes)
        await make_user("a@example.org")
        token = csrf_from(response.text)
        signed_in = await c.post(
            "/staff/login", data={"email": "a@example.org", "password": PASSWORD, "csrf_token": token}
        )
        assert signed_in.status_code == 303
        assert session_cookie(signed_in, "__Host-agora_session")
        assert (await c.get("/staff")).status_code == 200


async def test_session_fixation_pre_login_cookie_is_dead_after_login(app):
    await make_user("a@example.org")
    async with new_client(app) as c:
        planted = cookie_value(session_cookie(await c.get("/staff/login")))
        response = await login(c, "a@example.org")
        fresh = cookie_value(session_cookie(response))
        assert fresh != planted
        assert (await c.get("/staff")).status_code == 200
    assert not await WebSession.filter(token_hash=hash_token(planted)).exists()
    async with clone(app, planted) as attacker:
        response = await attacker.get("/staff")
        assert response.status_code == 303 and response.headers["location"].startswith("/staff/login")


async def test_id_rotates_again_after_the_second_factor(app):
    await make_user("t@example.org", ["moderator"], totp_secret=ADMIN_TOTP)
    async with new_client(app) as c:
        after_password = await form_post(
            c, "/staff/login", "/staff/login", {"email": "t@example.org", "password": PASSWORD}
        )
        assert after_password.headers["location"] == "/staff/login/totp"
        half = cookie_value(session_cookie(after_password))
        # Half signed in is not signed in.
        assert (await c.get("/staff")).headers["location"] == "/staff/login/totp"
        done = await form_post(c, "/staff/login/totp", "/staff/login/totp", {"code": pyotp.TOTP(ADMIN_TOTP).now()})
        assert done.status_code == 303
        assert cookie_value(session_cookie(done)) != half
        assert (await c.get("/staff")).status_code == 200
    async with clone(app, half) as attacker:
        assert (await attacker.get("/staff")).status_code == 303


async def test_idle_timeout(staff_client):
    start = datetime.now(UTC)
    with time_machine.travel(start + timedelta(minutes=25), tick=True):
        assert (await staff_client.get("/staff")).status_code == 200  # activity keeps it alive
    with time_machine.travel(start + timedelta(minutes=50), tick=True):
        assert (await staff_client.get("/staff")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=50 + 31), tick=True):
        response = await staff_client.get("/staff")
        assert response.status_code == 303 and response.headers["location"].startswith("/staff/login")
    assert await WebSession.filter(user_id__isnull=False).count() == 0


async def test_absolute_timeout_despite_activity(staff_client):
    start = datetime.now(UTC)
    moment = start
    while moment + timedelta(minutes=20) < start + timedelta(hours=11, minutes=55):
        moment += timedelta(minutes=20)
        with time_machine.travel(moment, tick=True):
            assert (await staff_client.get("/staff")).status_code == 200, moment - start
    with time_machine.travel(start + timedelta(hours=12, minutes=1), tick=True):
        response = await staff_client.get("/staff")
        assert response.status_code == 303


async def test_logout_ends_the_session_server_side(staff_client, app):
    token = staff_client.cookies.get("agora_session")
    csrf = csrf_from((await staff_client.get("/staff")).text)
    response = await staff_client.post("/staff/logout", data={"csrf_token": csrf})
    assert "max-age=0" in session_cookie(response).lower()
    async with clone(app, token) as copy:
        assert (await copy.get("/staff")).status_code == 303
    assert not await WebSession.filter(token_hash=hash_token(token)).exists()


async def test_password_change_ends_the_other_sessions(app):
    await make_user("p@example.org")
    async with new_client(app) as laptop, new_client(app) as phone:
        await login(laptop, "p@example.org")
        await login(phone, "p@example.org")
        before = laptop.cookies.get("agora_session")
        new_password = "a completely new passphrase"
        response = await form_post(
            laptop,
            "/staff/account",
            "/staff/account/password",
            {"current_password": PASSWORD, "new_password": new_password, "confirm_password": new_password},
        )
        assert response.status_code == 303
        assert laptop.cookies.get("agora_session") != before  # rotated, as after a login
        assert (await laptop.get("/staff")).status_code == 200
        assert (await phone.get("/staff")).status_code == 303
        async with clone(app, before) as old:
            assert (await old.get("/staff")).status_code == 303
        async with new_client(app) as again:
            assert (await login(again, "p@example.org", PASSWORD)).status_code == 400
        async with new_client(app) as again:
            assert (await login(again, "p@example.org", new_password)).status_code == 303


async def test_wrong_current_password_changes_nothing(staff_client):
    response = await form_post(
        staff_client,
        "/staff/account",
        "/staff/account/password",
        {
            "current_password": "not the password",
            "new_password": "another passphrase here",
            "confirm_password": "x",
        },
    )
    assert response.status_code == 400
    assert 'id="current_password-error"' in response.text
    assert 'id="confirm_password-error"' in response.text
    assert 'aria-describedby="current_password-error"' in response.text or "current_password-error" in response.text


async def test_disabling_an_account_ends_its_sessions(app, admin_client):
    target = await make_user("d@example.org", ["moderator"])
    async with new_client(app) as victim:
        await login(victim, "d@example.org")
        assert (await victim.get("/staff")).status_code == 200
        response = await form_post(
            admin_client,
            f"/staff/users/{target.id}",
            f"/staff/users/{target.id}",
            {"display_name": "D", "roles": ["moderator"]},  # is_active unchecked
        )
        assert response.status_code == 303
        assert (await victim.get("/staff")).status_code == 303
        assert (await login(victim, "d@example.org")).status_code == 400
    assert await WebSession.filter(user_id=target.id).count() == 0


async def test_user_sees_and_ends_other_sessions(app):
    await make_user("s@example.org")
    async with (
        new_client(app, "10.0.0.1") as one,
        new_client(app, "10.0.0.2") as two,
        new_client(app, "10.0.0.3") as three,
    ):
        for c in (one, two, three):
            await login(c, "s@example.org")
        page = await one.get("/staff/account")
        sessions = await WebSession.filter(user__email="s@example.org").order_by("id")
        assert len(sessions) == 3
        for s in sessions:
            assert f"/staff/account/sessions/{s.id}/end" in page.text
        response = await one.post(
            f"/staff/account/sessions/{sessions[1].id}/end", data={"csrf_token": csrf_from(page.text)}
        )
        assert response.status_code == 303
        assert (await two.get("/staff")).status_code == 303
        assert (await three.get("/staff")).status_code == 200
        response = await form_post(one, "/staff/account", "/staff/account/sessions/end-others", {})
        assert response.status_code == 303
        assert (await three.get("/staff")).status_code == 303
        assert (await one.get("/staff")).status_code == 200
    assert await WebSession.filter(user__email="s@example.org").count() == 1


async def test_cannot_end_someone_elses_session(app, staff_client):
    await make_user("other@example.org")
    async with new_client(app) as other:
        await login(other, "other@example.org")
        foreign = await WebSession.get(user__email="other@example.org")
        response = await form_post(staff_client, "/staff/account", f"/staff/account/sessions/{foreign.id}/end", {})
        assert response.status_code == 404
        assert (await other.get("/staff")).status_code == 200
