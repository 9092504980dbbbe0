"""The second factor: setup with a QR code, one use per code, throttled guessing, required for admins."""

from __future__ import annotations

import re
import time

import pyotp

from agora.accounts import services, totp
from agora.accounts.models import User
from tests.conftest import ADMIN_TOTP, PASSWORD, csrf_from, form_post, login, make_user, new_client


def _secret_from(html: str) -> str:
    match = re.search(r"<code[^>]*>([A-Z2-7 ]{16,})</code>", html)
    assert match, "the setup page shows the secret for manual entry"
    return match.group(1).replace(" ", "")


async def test_setup_flow_with_qr_code(app):
    await make_user("m@example.org", ["moderator"])
    async with new_client(app) as c:
        await login(c, "m@example.org")
        page = await c.get("/staff/account/totp")
        assert page.status_code == 200
        assert "<svg" in page.text and "<title>" in page.text  # inline QR code with a text alternative
        assert "cdn" not in page.text.lower()
        secret = _secret_from(page.text)
        # Reloading keeps the same pending secret (the person may be scanning it right now).
        assert _secret_from((await c.get("/staff/account/totp")).text) == secret
        wrong = await c.post("/staff/account/totp", data={"code": "000000", "csrf_token": csrf_from(page.text)})
        assert wrong.status_code == 400
        assert 'id="code-error"' in wrong.text
        assert not (await User.get(email="m@example.org")).totp_enabled
        right = await c.post(
            "/staff/account/totp", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_from(page.text)}
        )
        assert right.status_code == 200  # the page with the recovery codes
    user = await User.get(email="m@example.org")
    assert user.totp_enabled and user.totp_secret == secret
    # From now on the password alone is not enough.
    async with new_client(app) as c:
        response = await login(c, "m@example.org")
        assert response.headers["location"] == "/staff/login/totp"
        assert (await c.get("/staff")).headers["location"] == "/staff/login/totp"


async def test_provisioning_uri_names_the_service_and_account():
    uri = totp.provisioning_uri(ADMIN_TOTP, "a@example.org")
    assert uri.startswith("otpauth://totp/Agora:a%40example.org?") and "issuer=Agora" in uri


async def test_a_code_cannot_be_replayed(app):
    await make_user("r@example.org", ["moderator"], totp_secret=ADMIN_TOTP)
    code = pyotp.TOTP(ADMIN_TOTP).now()
    async with new_client(app) as first:
        await login(first, "r@example.org")
        ok = await form_post(first, "/staff/login/totp", "/staff/login/totp", {"code": code})
        assert ok.status_code == 303
    async with new_client(app) as second:
        await login(second, "r@example.org")
        replay = await form_post(second, "/staff/login/totp", "/staff/login/totp", {"code": code})
        assert replay.status_code == 400
        assert (await second.get("/staff")).status_code == 303


def test_older_codes_than_the_last_used_are_refused():
    secret = pyotp.random_base32()
    now = time.time()
    current = int(now // 30)
    previous_code = pyotp.TOTP(secret).at(now - 30)
    assert totp.matching_step(secret, previous_code, last_step=0, at=now) == current - 1
    assert totp.matching_step(secret, previous_code, last_step=current, at=now) is None
    assert totp.matching_step(secret, pyotp.TOTP(secret).at(now - 120), last_step=0, at=now) is None
    assert totp.matching_step(secret, "12345", last_step=0, at=now) is None
    assert totp.matching_step(secret, "abcdef", last_step=0, at=now) is None


async def test_confirming_uses_up_the_code(app):
    user = await make_user("c@example.org", ["moderator"])
    secret = pyotp.random_base32()
    code = pyotp.TOTP(secret).now()
    await services.confirm_totp(user, secret, code)
    fresh = await User.get(id=user.id)
    assert not await services.verify_totp(fresh, code)


async def test_wrong_codes_are_throttled(app):
    await make_user("g@example.org", ["moderator"], totp_secret=ADMIN_TOTP)
    async with new_client(app) as c:
        await login(c, "g@example.org")
        for _ in range(services.MAX_FAILURES_PER_PAIR):
            response = await form_post(c, "/staff/login/totp", "/staff/login/totp", {"code": "000000"})
            assert response.status_code == 400
        right = await form_post(c, "/staff/login/totp", "/staff/login/totp", {"code": pyotp.TOTP(ADMIN_TOTP).now()})
        assert right.status_code == 429
        assert (await c.get("/staff")).status_code == 303
    # Signing in again does not reset the count.
    async with new_client(app) as c:
        await login(c, "g@example.org")
        again = await form_post(c, "/staff/login/totp", "/staff/login/totp", {"code": pyotp.TOTP(ADMIN_TOTP).now()})
        assert again.status_code == 429
    # From another address the owner gets in: wrong codes pause the address that sent them, not the account.
    async with new_client(app, "198.51.100.4") as owner:
        assert (await login(owner, "g@example.org", totp_secret=ADMIN_TOTP)).status_code == 303


async def test_totp_page_needs_a_password_first(client):
    response = await client.get("/staff/login/totp")
    assert response.status_code == 303 and response.headers["location"] == "/staff/login"


async def test_admin_must_set_up_a_second_factor(app):
    await make_user("newadmin@example.org", ["admin"])
    async with new_client(app) as c:
        response = await login(c, "newadmin@example.org")
        assert response.status_code == 303
        dashboard = await c.get("/staff")
        assert dashboard.headers["location"] == "/staff/account/totp"
        page = await c.get("/staff/account/totp")
        secret = _secret_from(page.text)
        done = await c.post(
            "/staff/account/totp", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_from(page.text)}
        )
        assert done.status_code == 200
        assert (await c.get("/staff/users")).status_code == 200


async def test_admin_cannot_switch_the_second_factor_off(admin_client):
    response = await form_post(admin_client, "/staff/account", "/staff/account/totp/disable", {"password": PASSWORD})
    assert response.status_code == 400
    assert (await User.get(email="admin@example.org")).totp_enabled


async def test_others_switch_it_off_with_their_password(app):
    await make_user("o@example.org", ["organizer"], totp_secret=ADMIN_TOTP)
    async with new_client(app) as c:
        await login(c, "o@example.org", totp_secret=ADMIN_TOTP)
        wrong = await form_post(c, "/staff/account", "/staff/account/totp/disable", {"password": "not my password"})
        assert wrong.status_code == 400 and 'id="password-error"' in wrong.text
        assert (await User.get(email="o@example.org")).totp_enabled
        ok = await form_post(c, "/staff/account", "/staff/account/totp/disable", {"password": PASSWORD})
        assert ok.status_code == 303
    assert not (await User.get(email="o@example.org")).totp_enabled


def _codes_from(html: str) -> list[str]:
    return re.findall(r"<code>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</code>", html)


async def test_recovery_codes_are_shown_once_after_setup_and_work_once(app):
    await make_user("rc@example.org", ["moderator"])
    async with new_client(app) as c:
        await login(c, "rc@example.org")
        page = await c.get("/staff/account/totp")
        secret = _secret_from(page.text)
        done = await c.post(
            "/staff/account/totp", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_from(page.text)}
        )
        assert done.status_code == 200
        codes = _codes_from(done.text)
        assert len(codes) == totp.RECOVERY_CODE_COUNT and len(set(codes)) == len(codes)
        account = await c.get("/staff/account")
        assert not any(code in account.text for code in codes)
    from agora.accounts.models import RecoveryCode

    stored = {r.code_hash for r in await RecoveryCode.all()}
    assert not any(code.replace("-", "") in stored or code in stored for code in codes)
    # Lost phone: a recovery code, typed sloppily, signs in once.
    async with new_client(app) as c:
        await login(c, "rc@example.org")
        response = await form_post(
            c, "/staff/login/totp", "/staff/login/totp", {"code": codes[0].lower().replace("-", " ")}
        )
        assert response.status_code == 303
        assert (await c.get("/staff")).status_code == 200
    async with new_client(app) as c:
        await login(c, "rc@example.org")
        again = await form_post(c, "/staff/login/totp", "/staff/login/totp", {"code": codes[0]})
        assert again.status_code == 400
    assert await RecoveryCode.all().count() == totp.RECOVERY_CODE_COUNT - 1


async def test_new_recovery_codes_replace_the_old_ones(app):
    user = await make_user("nr@example.org", ["organizer"], totp_secret=ADMIN_TOTP)
    old = await services.new_recovery_codes(user)
    async with new_client(app) as c:
        await login(c, "nr@example.org", totp_secret=ADMIN_TOTP)
        response = await form_post(c, "/staff/account", "/staff/account/recovery-codes", {})
        assert response.status_code == 200
        new = _codes_from(response.text)
        assert len(new) == totp.RECOVERY_CODE_COUNT and not set(new) & set(old)
    assert not await services.use_recovery_code(user, old[0])
    assert await services.use_recovery_code(user, new[0])
    assert not await services.use_recovery_code(user, new[0])
    assert not await services.use_recovery_code(user, "not-a-code")


async def test_switching_the_factor_off_drops_the_recovery_codes(app):
    user = await make_user("off@example.org", ["organizer"], totp_secret=ADMIN_TOTP)
    codes = await services.new_recovery_codes(user)
    await services.disable_totp(await User.get(id=user.id), PASSWORD)
    assert not await services.use_recovery_code(user, codes[0])
