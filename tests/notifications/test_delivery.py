"""Outbox to SMTP: composition, retries, permanent failures, suppression, the embedded .eml mailbox."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from agora import db
from agora.settings import Settings
from notifications import api, compose, delivery, dispatch
from notifications.models import FAILED, QUEUED, SENDING, SENT, OutboxMessage, Suppression
from tests.notifications.smtp_sink import SmtpSink

ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"


async def enqueue_one(kind: str = "test_message", to: str = "person@example.org", **kw) -> int:  # noqa: ANN003
    async with db.transaction():
        row_id = await api.enqueue(kind, to=to, **kw)
    assert row_id is not None
    return row_id


async def deliver_all(settings: Settings, rounds: int = 50) -> None:
    """Deliver due rows until none is left queued (retries wait their short backoff)."""
    import asyncio

    transport = delivery.transport_for(settings)
    try:
        for _ in range(rounds):
            ids = await OutboxMessage.filter(status__in=[QUEUED, SENDING]).values_list("id", flat=True)
            if not ids:
                return
            for row_id in ids:
                await delivery.deliver(row_id, settings, transport)
            await asyncio.sleep(0.05)
    finally:
        await transport.close()


class Recorder:
    def __init__(self) -> None:
        self.ids: list[int] = []

    async def submit(self, row_ids: list[int], delay: float = 0.0) -> None:
        self.ids.extend(row_ids)


async def test_enqueue_dedup_and_after_commit_dispatch(mail_settings: Settings) -> None:
    recorder = Recorder()
    dispatch.install(recorder)
    try:
        async with db.transaction():
            first = await api.enqueue("test_message", to="A@Example.org", dedup_key="k-1")
            again = await api.enqueue("test_message", to="a@example.org", dedup_key="k-1")
            assert recorder.ids == []  # nothing leaves before commit
        assert first is not None and again is None
        assert recorder.ids == [first]

        with pytest.raises(RuntimeError):
            async with db.transaction():
                await api.enqueue("test_message", to="b@example.org", dedup_key="k-2")
                raise RuntimeError("business rule failed")
        assert await OutboxMessage.filter(dedup_key="k-2").count() == 0
        assert recorder.ids == [first]

        later = datetime.now(UTC) + timedelta(hours=1)
        deferred = await enqueue_one(to="c@example.org", not_before=later)
        assert deferred not in recorder.ids  # the sweeper hands it over when it is due
    finally:
        dispatch.install(None)
    row = await OutboxMessage.get(id=first)
    assert row.recipient == "a@example.org" and row.status == QUEUED and row.dispatched_at is not None


async def test_unknown_kind_and_bad_address_are_refused(mail_settings: Settings) -> None:
    with pytest.raises(ValueError):
        await api.enqueue("no_such_kind", to="a@example.org")
    with pytest.raises(ValueError):
        await api.enqueue("test_message", to="not-an-address")


async def test_transactional_message_headers_parts_and_attachment(mail_settings: Settings, smtp: SmtpSink) -> None:
    row_id = await enqueue_one(
        to="Person@Example.org",
        locale="en",
        context={"note": "Fish & chips <b>"},
        attachments=[api.Attachment("session.ics", "text/calendar; method=REQUEST", ICS)],
    )
    await deliver_all(mail_settings)
    assert len(smtp.handler.received) == 1
    got = smtp.handler.received[0]
    msg = got.message
    assert got.recipients == ["person@example.org"]
    assert got.envelope_from == "agora@example.org"
    assert msg["Message-ID"] == compose.message_id(row_id, mail_settings)
    assert msg["Message-ID"].startswith(f"<outbox-{row_id}.") and msg["Message-ID"].endswith("@testserver>")
    assert msg["Auto-Submitted"] == "auto-generated"
    assert "wf@example.org" in msg["Reply-To"]
    assert msg["From"] == "Agora <agora@example.org>"
    assert msg["Date"]
    assert msg["List-Unsubscribe"] is None  # transactional
    assert msg.get_content_type() == "multipart/mixed"
    alternative = msg.get_payload()[0]
    assert alternative.get_content_type() == "multipart/alternative"
    plain, html = alternative.get_payload()
    assert plain.get_content_type() == "text/plain"
    assert "Fish & chips <b>" in plain.get_content()
    assert html.get_content_type() == "text/html"
    assert '<html lang="en">' in html.get_content()
    assert "Fish &amp; chips &lt;b&gt;" in html.get_content()
    ics = msg.get_payload()[1]
    assert ics.get_content_type() == "text/calendar"
    assert ics.get_param("method") == "REQUEST"
    assert ics.get_filename() == "session.ics"
    assert ics.get_payload(decode=True) == ICS
    row = await OutboxMessage.get(id=row_id)
    assert row.status == SENT and row.attempts == 1 and row.message_id == msg["Message-ID"] and row.sent_at


async def test_list_unsubscribe_for_preference_categories(mail_settings: Settings, smtp: SmtpSink) -> None:
    await enqueue_one("test_digest", to="reader@example.org")
    await deliver_all(mail_settings)
    msg = smtp.handler.received[0].message
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = msg["List-Unsubscribe"].strip("<>")
    assert url.startswith("http://testserver/unsubscribe/")
    assert url in msg.get_body(("plain",)).get_content()


async def test_transient_451_is_retried_with_the_same_message_id(mail_settings: Settings, smtp: SmtpSink) -> None:
    smtp.handler.fail_next("451", 2)
    row_id = await enqueue_one()
    slow = replace(mail_settings, mail_retry_base=0.6)
    transport = delivery.transport_for(mail_settings)
    try:
        first = await delivery.deliver(row_id, slow, transport)
        assert first.status == "retry" and first.retry_in is not None and "451" in first.error
        row = await OutboxMessage.get(id=row_id)
        assert row.status == QUEUED and row.next_attempt_at is not None and "451" in row.last_error
        # Not due yet: a message arriving early is told to come back, nothing is sent.
        early = await delivery.deliver(row_id, mail_settings, transport)
        assert early.status == "retry" and early.retry_in is not None and early.retry_in > 0.1
        assert smtp.handler.actions_taken["451"] == 1
    finally:
        await transport.close()
    await OutboxMessage.filter(id=row_id).update(next_attempt_at=None)
    await deliver_all(mail_settings)
    row = await OutboxMessage.get(id=row_id)
    assert row.status == SENT and row.attempts == 3
    assert smtp.handler.message_ids() == {compose.message_id(row_id, mail_settings): 1}
    assert smtp.handler.actions_taken["451"] == 2


async def test_dropped_connection_and_stall_are_transient(mail_settings: Settings, smtp: SmtpSink) -> None:
    smtp.handler.stall_seconds = 2.5  # longer than the client timeout (claim timeout / 3 = 1 s)
    smtp.handler.fail_next("drop")
    smtp.handler.fail_next("stall")
    row_id = await enqueue_one()
    await deliver_all(mail_settings)
    row = await OutboxMessage.get(id=row_id)
    assert row.status == SENT and row.attempts == 3
    assert smtp.handler.actions_taken["drop"] == 1 and smtp.handler.actions_taken["stall"] == 1
    assert len(smtp.handler.received) == 1


async def test_attempts_are_bounded(mail_settings: Settings, smtp: SmtpSink) -> None:
    smtp.handler.fail_next("451", 10)
    row_id = await enqueue_one()
    transport = delivery.transport_for(mail_settings)
    try:
        for _ in range(20):
            row = await OutboxMessage.get(id=row_id)
            if row.status == FAILED:
                break
            await OutboxMessage.filter(id=row_id).update(next_attempt_at=None)
            await delivery.deliver(row_id, mail_settings, transport, max_attempts=3)
    finally:
        await transport.close()
    row = await OutboxMessage.get(id=row_id)
    assert row.status == FAILED and row.attempts == 3 and "451" in row.last_error
    assert smtp.handler.received == []


async def test_550_fails_permanently_and_suppresses_the_address(mail_settings: Settings, smtp: SmtpSink) -> None:
    smtp.handler.refuse.add("gone@example.org")
    row_id = await enqueue_one(to="gone@example.org")
    other = await enqueue_one(to="here@example.org")
    await deliver_all(mail_settings)
    row = await OutboxMessage.get(id=row_id)
    assert row.status == FAILED and row.attempts == 1 and "550" in row.last_error
    assert await Suppression.exists(address="gone@example.org")
    assert (await OutboxMessage.get(id=other)).status == SENT  # the reused connection still works
    async with db.transaction():
        assert await api.enqueue("test_message", to="Gone@example.org") is None
    assert [r.recipients for r in smtp.handler.received] == [["here@example.org"]]


async def test_embedded_mode_writes_eml_files_named_by_row(database: Settings) -> None:
    settings = replace(database, smtp_url="")
    api.configure(settings)
    row_id = await enqueue_one(to="local@example.org")
    await deliver_all(settings)
    path = settings.mail_dir / f"outbox-{row_id}.eml"
    assert path.is_file()
    assert f"<outbox-{row_id}." in path.read_text()
    # Delivering the same row again (a crash before it was marked sent) overwrites, never duplicates.
    transport = delivery.FileTransport(settings.mail_dir)
    row = await OutboxMessage.get(id=row_id)
    await transport.send(compose.build(row, settings), "x@example.org", row.recipient)
    assert sorted(p.name for p in settings.mail_dir.iterdir()) == [f"outbox-{row_id}.eml"]
    assert (await OutboxMessage.get(id=row_id)).status == SENT


async def test_sweeper_finds_undispatched_and_stale_rows(mail_settings: Settings, smtp: SmtpSink) -> None:
    never = await enqueue_one(to="one@example.org")  # no dispatcher installed: never handed over
    stale = await enqueue_one(to="two@example.org")
    fresh = await enqueue_one(to="three@example.org")
    old = datetime.now(UTC) - timedelta(seconds=60)
    await OutboxMessage.filter(id=never).update(created_at=old)
    await OutboxMessage.filter(id=stale).update(status=SENDING, claimed_at=old, claim_token="dead", attempts=1)
    assert await delivery.sweep(mail_settings) == [never, stale]
    assert fresh not in await delivery.sweep(mail_settings)  # within the grace period after commit
    transport = delivery.transport_for(mail_settings)
    try:
        assert (await delivery.deliver(stale, mail_settings, transport)).status == "sent"
        assert (await delivery.deliver(stale, mail_settings, transport)).status == "skipped"  # idempotent
    finally:
        await transport.close()
    assert (await OutboxMessage.get(id=stale)).attempts == 2
    assert len(smtp.handler.received) == 1


async def test_forget_recipient_and_records_for(mail_settings: Settings) -> None:
    sent = await enqueue_one(to="me@example.org", context={"note": "private"})
    await deliver_all(mail_settings)
    queued = await enqueue_one(to="me@example.org")
    await api.set_preferences("me@example.org", {"digests": False})
    records = await api.records_for("ME@example.org")
    assert [r["id"] for r in records] == [sent, queued]
    assert records[0]["status"] == SENT and records[0]["context"] == {"note": "private"}
    assert await api.forget_recipient("me@example.org") == 2
    assert await api.records_for("me@example.org") == []
    assert not await OutboxMessage.exists(id=queued)
    kept = await OutboxMessage.get(id=sent)
    assert kept.recipient == f"forgotten-{sent}@invalid" and kept.context == {}
    assert (await api.get_preferences("me@example.org"))["digests"] is True


async def test_enqueue_refuses_a_switched_off_category_a_suppressed_address_and_a_known_key(
    mail_settings: Settings,
) -> None:
    await api.set_preferences("me@example.org", {"digests": False})
    await Suppression.create(address="gone@example.org", reason="550")
    async with db.transaction():
        assert await api.enqueue("test_digest", to="Me@example.org") is None
        assert await api.enqueue("test_message", to="me@example.org") is not None  # transactional: always
        assert await api.enqueue("test_digest", to="other@example.org", dedup_key="d-1") is not None
        assert await api.enqueue("test_digest", to="other@example.org", dedup_key="d-1") is None
        assert await api.enqueue("test_message", to="gone@example.org") is None
    await api.set_preferences("me@example.org", {"digests": True})
    async with db.transaction():
        assert await api.enqueue("test_digest", to="me@example.org") is not None
    assert await OutboxMessage.all().count() == 3
