"""API tokens: created in the staff area and shown once, stored hashed, scoped, expiring, revocable."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pyotp

from agora.accounts import tokens
from agora.accounts.models import User
from agora.accounts.tokens import ApiToken
from tests.conftest import csrf_from, form_post, login, make_user, new_client

TOKEN_RE = re.compile(r'value="(agora_[A-Za-z0-9_-]{43})"')
STAFF_API = "/api/v1/staff/sessions/1/registrations"


async def _create(client, name: str = "Website", scopes: tuple[str, ...] = ("registrations:read",), days: str = "30"):  # noqa: ANN001, ANN202
    page = await client.get("/staff/api-tokens")
    data = {"csrf_token": csrf_from(page.text), "name": name, "scopes": list(scopes), "days": days}
    return await client.post("/staff/api-tokens", data=data)


async def test_token_is_shown_once_and_stored_only_as_a_hash(staff_client):
    response = await _create(staff_client, scopes=("registrations:read", "sessions:write"))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    plain = TOKEN_RE.search(response.text).group(1)
    row = await ApiToken.get(name="Website")
    assert row.token_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert plain not in str(dict(row))
    assert row.scopes == ["registrations:read", "sessions:write"]
    assert row.created_by_id == (await User.get(email="organizer@example.org")).id
    assert timedelta(days=29) < row.expires_at - row.created_at <= timedelta(days=30)
    listing = await staff_client.get("/staff/api-tokens")
    assert "Website" in listing.text and plain not in listing.text
    assert f"agora_{plain[6:12]}" in listing.text  # the hint tells tokens apart


async def test_bad_input_creates_nothing(staff_client):
    response = await _create(staff_client, name=" ", scopes=("everything",), days="9999")
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.text
    for field in ("name", "scopes", "days"):
        assert f'href="#{field}"' in response.text
    assert await ApiToken.all().count() == 0


async def test_moderators_may_not_manage_tokens(app):
    await make_user("mod@example.org", ["moderator"])
    async with new_client(app) as c:
        await login(c, "mod@example.org")
        assert (await c.get("/staff/api-tokens")).status_code == 403
        token = csrf_from((await c.get("/staff/account")).text)
        refused = await c.post(
            "/staff/api-tokens",
            data={"csrf_token": token, "name": "x", "scopes": "sessions:write", "days": "5"},
        )
        assert refused.status_code == 403
    assert await ApiToken.all().count() == 0


async def test_bearer_token_authorises_by_scope(database, client):
    organizer = await make_user("o@example.org", ["organizer"])
    _, reader = await tokens.create_token(
        name="CRM", scopes=["registrations:read"], created_by_id=organizer.id, expires_in_days=10
    )
    _, writer = await tokens.create_token(
        name="Web", scopes=["sessions:write"], created_by_id=organizer.id, expires_in_days=10
    )

    missing = await client.get(STAFF_API)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == 'Bearer realm="agora", error="invalid_request"'
    forged = await client.get(STAFF_API, headers={"Authorization": "Bearer agora_" + "A" * 43})
    assert forged.status_code == 401 and 'error="invalid_token"' in forged.headers["www-authenticate"]
    wrong_scheme = await client.get(STAFF_API, headers={"Authorization": f"Basic {reader}"})
    assert wrong_scheme.status_code == 401

    # The token is good but lacks the scope: 403 naming the scope it needs.
    refused = await client.get(STAFF_API, headers={"Authorization": f"Bearer {writer}"})
    assert refused.status_code == 403
    assert 'error="insufficient_scope"' in refused.headers["www-authenticate"]
    assert "registrations:read" in refused.headers["www-authenticate"]

    # Allowed: the session does not exist, so the endpoint itself answers 404.
    allowed = await client.get(STAFF_API, headers={"Authorization": f"Bearer {reader}"})
    assert allowed.status_code == 404
    assert (await ApiToken.get(name="CRM")).last_used_at is not None
    assert (await ApiToken.get(name="Web")).last_used_at is not None


async def test_expired_and_revoked_tokens_are_refused(database, client):
    organizer = await make_user("o@example.org", ["organizer"])
    token, plain = await tokens.create_token(
        name="Old", scopes=["registrations:read"], created_by_id=organizer.id, expires_in_days=1
    )
    headers = {"Authorization": f"Bearer {plain}"}
    assert (await client.get(STAFF_API, headers=headers)).status_code == 404
    await ApiToken.filter(id=token.id).update(expires_at=tokens.now() - timedelta(seconds=1))
    assert (await client.get(STAFF_API, headers=headers)).status_code == 401
    await ApiToken.filter(id=token.id).update(expires_at=tokens.now() + timedelta(days=1))
    assert await tokens.revoke_token(token.id, acting=organizer)
    assert (await client.get(STAFF_API, headers=headers)).status_code == 401
    assert not await tokens.revoke_token(token.id, acting=organizer), "revoking twice changes nothing"


async def test_revoking_in_the_staff_area(app, staff_client):
    admin_secret = pyotp.random_base32()
    admin = await make_user("chief@example.org", ["admin"], totp_secret=admin_secret)
    admins_token, _ = await tokens.create_token(
        name="Admin's", scopes=["sessions:write"], created_by_id=admin.id, expires_in_days=5
    )
    await _create(staff_client, name="Mine")
    mine = await ApiToken.get(name="Mine")

    # An organiser cannot revoke someone else's token (and is not shown the button).
    page = await staff_client.get("/staff/api-tokens")
    assert f"/staff/api-tokens/{admins_token.id}/revoke" not in page.text
    assert f"/staff/api-tokens/{mine.id}/revoke" in page.text
    other = await form_post(staff_client, "/staff/api-tokens", f"/staff/api-tokens/{admins_token.id}/revoke", {})
    assert other.status_code == 404
    assert (await ApiToken.get(id=admins_token.id)).revoked_at is None
    own = await form_post(staff_client, "/staff/api-tokens", f"/staff/api-tokens/{mine.id}/revoke", {})
    assert own.status_code == 303
    assert (await ApiToken.get(id=mine.id)).revoked_at is not None

    # An administrator can revoke any token.
    async with new_client(app) as c:
        assert (await login(c, "chief@example.org", totp_secret=admin_secret)).status_code == 303
        done = await form_post(c, "/staff/api-tokens", f"/staff/api-tokens/{admins_token.id}/revoke", {})
        assert done.status_code == 303
    assert (await ApiToken.get(id=admins_token.id)).revoked_at is not None


async def test_a_staff_cookie_does_not_open_the_staff_api(staff_client):
    """The API ignores cookies: a signed-in browser session must not count as an API token."""
    response = await staff_client.get(STAFF_API)
    assert response.status_code == 401
    assert "set-cookie" not in response.headers
