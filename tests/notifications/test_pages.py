"""Unsubscribe (RFC 8058 one-click), mail preferences, and the staff mail log."""

from __future__ import annotations

import httpx

from agora import db
from agora.settings import Settings
from notifications import api
from notifications.models import FAILED, QUEUED, OutboxMessage
from tests.conftest import csrf_from, form_post, login, make_user, new_client
from tests.notifications.test_delivery import deliver_all, enqueue_one


async def test_unsubscribe_get_changes_nothing_and_one_click_post_needs_no_session(
    app,
    mail_settings: Settings,  # noqa: ANN001
) -> None:
    url = api.unsubscribe_url("Reader@example.org", "digests")
    path = url.removeprefix("http://testserver")
    async with new_client(app) as scanner:
        page = await scanner.get(path)
    assert page.status_code == 200
    assert 'name="List-Unsubscribe" value="One-Click"' in page.text
    assert (await api.get_preferences("reader@example.org"))["digests"] is True  # GET changed nothing

    # The mail provider posts without cookies, CSRF token or Origin, exactly as RFC 8058 describes.
    async with new_client(app) as provider:
        response = await provider.post(
            path,
            content=b"List-Unsubscribe=One-Click",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    assert response.status_code == 200
    assert (await api.get_preferences("reader@example.org"))["digests"] is False
    async with db.transaction():
        assert await api.enqueue("test_digest", to="reader@example.org") is None
        assert await api.enqueue("test_message", to="reader@example.org") is not None  # transactional still goes


async def test_forged_or_malformed_unsubscribe_is_refused(app, mail_settings: Settings) -> None:  # noqa: ANN001
    token = api.unsubscribe_url("reader@example.org", "digests").rsplit("/", 1)[1]
    body, _, signature = token.partition(".")
    forged = api.unsubscribe_url("victim@example.org", "digests").rsplit("/", 1)[1].split(".")[0] + "." + signature
    async with new_client(app) as client:
        for bad in (forged, "garbage", body + ".", "%00"):
            response = await client.post(f"/unsubscribe/{bad}", data={"List-Unsubscribe": "One-Click"})
            assert response.status_code in (400, 404), bad
            assert (await client.get(f"/unsubscribe/{bad}")).status_code == 404
        wrong_body = await client.post(f"/unsubscribe/{token}", data={"something": "else"})
        assert wrong_body.status_code == 400
    assert (await api.get_preferences("victim@example.org"))["digests"] is True
    assert (await api.get_preferences("reader@example.org"))["digests"] is True


async def test_preferences_page_saves_choices(app, mail_settings: Settings) -> None:  # noqa: ANN001
    path = api.preferences_url("pref@example.org").removeprefix("http://testserver")
    async with new_client(app) as client:
        page = await client.get(path)
        assert page.status_code == 200 and 'id="cat-digests"' in page.text and "checked" in page.text
        no_token = await client.post(path, data={})
        assert no_token.status_code == 403
        saved = await client.post(path, data={"csrf_token": csrf_from(page.text)})  # every box unticked
        assert saved.status_code == 200
    assert (await api.get_preferences("pref@example.org"))["digests"] is False
    async with new_client(app) as client:
        response = await client.get(
            "/mail/preferences/" + api.unsubscribe_url("pref@example.org", "digests").rsplit("/", 1)[1]
        )
    assert response.status_code == 404  # a one-category token does not open the preferences


async def test_staff_mail_log_filter_detail_and_resend(
    app,
    mail_settings: Settings,
    staff_client: httpx.AsyncClient,  # noqa: ANN001
) -> None:
    sent = await enqueue_one(to="ok@example.org", context={"note": "Hello <there>"})
    await deliver_all(mail_settings)
    failed = await enqueue_one(to="bad@example.org")
    await OutboxMessage.filter(id=failed).update(status=FAILED, attempts=10, last_error="550 5.1.1 No such user")

    listing = await staff_client.get("/staff/mail")
    assert listing.status_code == 200 and "ok@example.org" in listing.text and "bad@example.org" in listing.text
    only_failed = await staff_client.get("/staff/mail?status=failed")
    assert "bad@example.org" in only_failed.text and "ok@example.org" not in only_failed.text

    detail = await staff_client.get(f"/staff/mail/{sent}")
    assert detail.status_code == 200
    assert "Hello &lt;there&gt;" in detail.text  # plain part, escaped
    assert "&lt;html lang=" in detail.text  # HTML part shown as source, never rendered
    assert "<there>" not in detail.text

    assert (await staff_client.get("/staff/mail/999999")).status_code == 404
    assert (await staff_client.get("/staff/mail/abc")).status_code == 404

    response = await form_post(staff_client, f"/staff/mail/{failed}", f"/staff/mail/{failed}/resend", {})
    assert response.status_code == 303
    row = await OutboxMessage.get(id=failed)
    assert row.status == QUEUED and row.attempts == 0 and row.last_error == ""
    # Only failed messages can be resent: a sent one stays sent.
    await form_post(staff_client, f"/staff/mail/{sent}", f"/staff/mail/{sent}/resend", {})
    assert (await OutboxMessage.get(id=sent)).attempts == 1

    dashboard = await staff_client.get("/staff")
    assert "/staff/mail" in dashboard.text


async def test_mail_log_is_for_admins_and_organizers_only(app, mail_settings: Settings) -> None:  # noqa: ANN001
    await make_user("mod@example.org", ["moderator"])
    async with new_client(app) as client:
        assert (await client.get("/staff/mail")).status_code == 303  # not signed in: to the login page
        await login(client, "mod@example.org")
        assert (await client.get("/staff/mail")).status_code == 403


async def test_staff_can_send_a_test_message(app, mail_settings: Settings, staff_client: httpx.AsyncClient) -> None:  # noqa: ANN001
    response = await form_post(staff_client, "/staff/mail", "/staff/mail/test", {"note": "check"})
    assert response.status_code == 303
    row = await OutboxMessage.get(recipient="organizer@example.org")
    assert row.kind == "test_message" and row.context == {"note": "check"}
