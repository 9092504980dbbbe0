"""Sign-in: one message for every kind of failure; throttling per (account, address) and per address, never the
account for everyone; shared across processes."""

from __future__ import annotations

import asyncio
import sys
import textwrap
from datetime import UTC, datetime, timedelta

import time_machine

from agora.accounts import services
from agora.app import create_app
from agora.ratelimit import RateHit
from tests.conftest import PASSWORD, TEST_SECRET, csrf_from, login, make_user, new_client

THROTTLED = "Too many failed attempts from your connection."
THROTTLED_DE = "Zu viele fehlgeschlagene Versuche von Ihrer Verbindung aus."


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


async def test_sixth_wrong_attempt_is_refused_but_the_owner_signs_in_from_elsewhere(app):
    await make_user("a@example.org")
    await _fail(app, "a@example.org", ip="192.0.2.1", times=services.MAX_FAILURES_PER_PAIR)
    async with new_client(app, "192.0.2.1") as attacker:
        sixth = await login(attacker, "a@example.org", "yet another guess")
        assert sixth.status_code == 429
        assert THROTTLED_DE in sixth.text  # German is the default language
        assert 'role="alert"' in sixth.text or "error-summary" in sixth.text
        assert 0 < int(sixth.headers["retry-after"]) <= services.THROTTLE_WINDOW.total_seconds()
        # Even the right password is refused from there for now: the guesser learns nothing.
        assert (await login(attacker, "a@example.org")).status_code == 429
        assert (await attacker.get("/staff")).status_code == 303
        attacker.cookies.set("agora_lang", "en")
        assert THROTTLED in (await login(attacker, "a@example.org", "guess")).text
    async with new_client(app, "198.51.100.4") as owner:
        response = await login(owner, "a@example.org")  # the right password, from another address
        assert response.status_code == 303 and response.headers["location"] == "/staff"
    # Other accounts from the guessing address are not affected yet either.
    await make_user("b@example.org")
    async with new_client(app, "192.0.2.1") as c:
        assert (await login(c, "b@example.org")).status_code == 303


async def test_guessing_slows_down_and_then_blocks_for_the_day(app):
    await make_user("a@example.org")
    rounds = services.MAX_FAILURES_PER_PAIR_PER_DAY // services.MAX_FAILURES_PER_PAIR
    for n in range(rounds):
        with time_machine.travel(datetime.now(UTC) + n * (services.THROTTLE_WINDOW + timedelta(minutes=1)), tick=True):
            await _fail(app, "a@example.org", times=services.MAX_FAILURES_PER_PAIR)
    later = datetime.now(UTC) + rounds * (services.THROTTLE_WINDOW + timedelta(minutes=1))
    with time_machine.travel(later, tick=True):
        async with new_client(app) as c:
            blocked = await login(c, "a@example.org")
            assert blocked.status_code == 429
            assert int(blocked.headers["retry-after"]) > 3600  # until the first failure is a day old
        async with new_client(app, "198.51.100.4") as owner:
            assert (await login(owner, "a@example.org")).status_code == 303


async def test_throttle_ends_after_the_window(app):
    await make_user("a@example.org")
    await _fail(app, "a@example.org", times=services.MAX_FAILURES_PER_PAIR)
    with time_machine.travel(datetime.now(UTC) + services.THROTTLE_WINDOW + timedelta(seconds=5), tick=True):
        async with new_client(app) as c:
            assert (await login(c, "a@example.org")).status_code == 303
    # Success clears the pair's failures; the address keeps its count (it guessed at other accounts, too).
    assert await RateHit.filter(bucket="accounts.signin.pair").count() == 0
    assert await RateHit.filter(bucket="accounts.signin.address").count() == services.MAX_FAILURES_PER_PAIR


async def test_throttle_per_address_across_many_accounts(app):
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
    await _fail(first, "a@example.org", times=services.MAX_FAILURES_PER_PAIR)
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
            for _ in range(services.MAX_FAILURES_PER_PAIR):
                result = await services.authenticate("a@example.org", "wrong wrong wrong", "127.0.0.1")
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
    assert await RateHit.filter(bucket="accounts.signin.pair").count() == services.MAX_FAILURES_PER_PAIR
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
        for _ in range(services.MAX_FAILURES_PER_PAIR):
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
        assert THROTTLED_DE in response.text
    async with new_client(app) as same_address:
        assert (await login(same_address, "a@example.org")).status_code == 429  # that address is paused
    async with new_client(app, "10.1.1.1") as other:
        assert (await login(other, "a@example.org", new)).status_code == 400  # the password is unchanged
        assert (await login(other, "a@example.org")).status_code == 303  # and its owner is not locked out


async def test_control_characters_in_the_sign_in_form_are_refused_without_a_500(app):
    async with new_client(app) as client:
        page = await client.get("/staff/login")
        for email in ("admin\x00@example.org", "\ud800@example.org".encode("utf-8", "surrogatepass").decode("latin-1")):
            response = await client.post(
                "/staff/login", data={"email": email, "password": "x", "csrf_token": csrf_from(page.text)}
            )
            assert response.status_code == 400, email
    assert await RateHit.all().count() == 0
