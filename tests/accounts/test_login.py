"""Sign-in: one message for every kind of failure, throttling per account and per address, across processes."""

from __future__ import annotations

import asyncio
import sys
import textwrap
from datetime import UTC, datetime, timedelta

import time_machine

from agora import i18n
from agora.accounts import services
from agora.app import create_app
from agora.ratelimit import RateHit
from tests.conftest import PASSWORD, TEST_SECRET, csrf_from, login, make_user, new_client

THROTTLED = "Too many failed attempts. For your protection sign-in is paused for 15 minutes."


def in_language(lang: str, msgid: str) -> str:
    token = i18n.current_locale.set(lang)
    try:
        return i18n.gettext(msgid)
    finally:
        i18n.current_locale.reset(token)


async def _fail(app, email: str, ip: str = "127.0.0.1", times: int = 1) -> None:  # noqa: ANN001
    async with new_client(app, ip) as c:
        for _ in range(times):
            response = await login(c, email, "definitely not the password")
            assert response.status_code == 400


async def test_unknown_account_and_wrong_password_look_the_same(app):
    await make_user("known@example.org")
    disabled = await make_user("disabled@example.org")
    disabled.is_active = False
    await disabled.save()
    async with new_client(app) as c:
        wrong = await login(c, "known@example.org", "not the right passphrase")
        unknown = await login(c, "nobody@example.org", "not the right passphrase")
        inactive = await login(c, "disabled@example.org", PASSWORD)
    assert wrong.status_code == unknown.status_code == inactive.status_code == 400
    texts = []
    for response in (wrong, unknown, inactive):
        text = response.text
        texts.append(text[text.index("<main") : text.index("</main>")].replace(csrf_from(text), ""))
    # Only the echoed email address differs.
    assert texts[0].replace("known@example.org", "E") == texts[1].replace("nobody@example.org", "E")
    assert texts[0].replace("known@example.org", "E") == texts[2].replace("disabled@example.org", "E")


async def test_email_is_not_case_sensitive(app):
    await make_user("Mixed.Case@Example.org")
    async with new_client(app) as c:
        assert (await login(c, "  mixed.case@EXAMPLE.org ")).status_code == 303


async def test_throttle_per_account_with_a_clear_message(app):
    await make_user("a@example.org")
    await _fail(app, "a@example.org", times=services.MAX_FAILURES_PER_ACCOUNT)
    async with new_client(app, "10.9.9.9") as c:
        response = await login(c, "a@example.org")  # the right password, from elsewhere
        assert response.status_code == 429
        assert in_language("de", THROTTLED) in response.text  # German is the default language
        assert 'role="alert"' in response.text or "error-summary" in response.text
        assert (await c.get("/staff")).status_code == 303
    async with new_client(app, "10.9.9.8") as c:
        c.cookies.set("agora_lang", "en")
        response = await login(c, "a@example.org")
        assert response.status_code == 429
        assert THROTTLED in response.text
    # Other accounts are not affected.
    await make_user("b@example.org")
    async with new_client(app) as c:
        assert (await login(c, "b@example.org")).status_code == 303


async def test_throttle_ends_after_the_window(app):
    await make_user("a@example.org")
    await _fail(app, "a@example.org", times=services.MAX_FAILURES_PER_ACCOUNT)
    with time_machine.travel(datetime.now(UTC) + services.THROTTLE_WINDOW + timedelta(seconds=5), tick=True):
        async with new_client(app) as c:
            assert (await login(c, "a@example.org")).status_code == 303
    assert await RateHit.filter(bucket="accounts.signin.account").count() == 0  # success clears the failures


async def test_throttle_per_address(app):
    await make_user("victim@example.org")
    for n in range(services.MAX_FAILURES_PER_ADDRESS):
        await _fail(app, f"guess{n}@example.org", ip="192.0.2.7")
    async with new_client(app, "192.0.2.7") as c:
        assert (await login(c, "victim@example.org")).status_code == 429
    async with new_client(app, "192.0.2.8") as c:
        assert (await login(c, "victim@example.org")).status_code == 303


async def test_throttle_is_shared_between_app_instances(database):
    first, second = create_app(database, manage_db=False), create_app(database, manage_db=False)
    await make_user("a@example.org")
    await _fail(first, "a@example.org", times=services.MAX_FAILURES_PER_ACCOUNT)
    async with new_client(second) as c:
        assert (await login(c, "a@example.org")).status_code == 429


async def test_throttle_is_shared_between_processes(database, app):
    """Failures counted by another OS process (another uvicorn worker) stop this one too."""
    await make_user("a@example.org")
    script = textwrap.dedent(
        f"""
        import asyncio
        from pathlib import Path
        from agora import db
        from agora.accounts import services
        from agora.settings import Settings

        async def main():
            settings = Settings(data_dir=Path({str(database.data_dir)!r}), database_url={database.database_url!r},
                                secret_key={TEST_SECRET!r})
            await db.init_db(settings)
            for _ in range(services.MAX_FAILURES_PER_ACCOUNT):
                result = await services.authenticate("a@example.org", "wrong wrong wrong", "203.0.113.5")
                assert result.user is None
            await db.close_db()

        asyncio.run(main())
        """
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    assert await RateHit.filter(bucket="accounts.signin.account").count() == services.MAX_FAILURES_PER_ACCOUNT
    async with new_client(app) as c:
        response = await login(c, "a@example.org")
        assert response.status_code == 429


async def test_login_redirects_to_next_and_a_signed_in_user_skips_the_form(app):
    await make_user("a@example.org")
    async with new_client(app) as c:
        page = await c.get("/staff/login?next=/staff/account")
        response = await c.post(
            "/staff/login",
            data={
                "email": "a@example.org",
                "password": PASSWORD,
                "next": "/staff/account",
                "csrf_token": csrf_from(page.text),
            },
        )
        assert response.headers["location"] == "/staff/account"
        again = await c.get("/staff/login")
        assert again.status_code == 303 and again.headers["location"] == "/staff"


async def test_anonymous_redirect_keeps_the_target(client):
    response = await client.get("/staff/users")
    assert response.headers["location"] == "/staff/login?next=/staff/users"


async def test_password_guessing_inside_a_session_is_throttled_too(app):
    """A stolen session must not become an unlimited password oracle through the change-password form."""
    await make_user("a@example.org")
    async with new_client(app) as c:
        await login(c, "a@example.org")
        page = await c.get("/staff/account")
        token = csrf_from(page.text)
        new = "another fine passphrase"
        for _ in range(services.MAX_FAILURES_PER_ACCOUNT):
            response = await c.post(
                "/staff/account/password",
                data={
                    "current_password": "guess guess guess",
                    "new_password": new,
                    "confirm_password": new,
                    "csrf_token": token,
                },
            )
            assert response.status_code == 400
        response = await c.post(
            "/staff/account/password",
            data={
                "current_password": PASSWORD,
                "new_password": new,
                "confirm_password": new,
                "csrf_token": token,
            },
        )
        assert response.status_code == 400
        assert THROTTLED in response.text or in_language("de", THROTTLED) in response.text
    async with new_client(app, "10.1.1.1") as other:
        assert (await login(other, "a@example.org", new)).status_code == 429  # unchanged, and the account is paused
