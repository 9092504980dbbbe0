"""Delivery and dispatch when something goes wrong: a broken template, a crashing delivery, a stop with retries
still waiting. Each time the row stays accounted for in the outbox and nothing is sent twice."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import aiosmtplib
import pytest

from agora import db
from agora.settings import Settings
from notifications import api, delivery, dispatch
from notifications.models import FAILED, QUEUED, SENT, OutboxMessage

api.register_kind("test_without_template", template="no_such_template")


async def _enqueue(kind: str = "test_message", to: str = "amt@example.org") -> int:
    async with db.transaction():
        row_id = await api.enqueue(kind, to=to)
    assert row_id is not None
    return row_id


@pytest.fixture
def file_settings(database: Settings) -> Settings:
    settings = replace(database, smtp_url="")
    api.configure(settings)
    return settings


async def test_a_mail_that_cannot_be_composed_fails_once_and_writes_nothing(file_settings: Settings) -> None:
    row_id = await _enqueue("test_without_template")
    transport = delivery.transport_for(file_settings)
    outcome = await delivery.deliver(row_id, file_settings, transport)
    assert outcome.status == "failed"
    row = await OutboxMessage.get(id=row_id)
    assert row.status == FAILED and row.last_error.startswith("cannot compose:")
    assert not file_settings.mail_dir.exists() or not any(file_settings.mail_dir.iterdir())
    assert (await delivery.deliver(row_id, file_settings, transport)).status == "skipped"


async def test_deliver_pending_sends_what_is_queued_once(file_settings: Settings) -> None:
    first = await _enqueue(to="eins@example.org")
    second = await _enqueue(to="zwei@example.org")
    assert await dispatch.deliver_pending(file_settings) == 2
    assert await dispatch.deliver_pending(file_settings) == 0
    for row_id in (first, second):
        assert (await OutboxMessage.get(id=row_id)).status == SENT
        assert (file_settings.mail_dir / f"outbox-{row_id}.eml").is_file()


async def test_a_crash_in_delivery_leaves_the_row_for_the_sweeper_and_the_dispatcher_goes_on(
    file_settings: Settings, monkeypatch
) -> None:
    dispatcher = dispatch.InProcessDispatcher(file_settings, concurrency=1)
    real_deliver = delivery.deliver_batch
    crashed: list[int] = []

    async def crash_once(row_ids, settings, transport):  # noqa: ANN001, ANN202
        if not crashed:
            crashed.extend(row_ids)
            raise RuntimeError("disk full")
        return await real_deliver(row_ids, settings, transport)

    monkeypatch.setattr(delivery, "deliver_batch", crash_once)
    dispatcher.start()
    try:
        broken = await _enqueue(to="eins@example.org")
        fine = await _enqueue(to="zwei@example.org")
        await dispatcher.submit([broken])
        await dispatcher.submit([fine])
        await asyncio.wait_for(dispatcher.idle(), 30)
    finally:
        await dispatcher.stop()
    assert crashed == [broken]
    assert (await OutboxMessage.get(id=broken)).status == QUEUED  # not lost: the sweeper hands it over again
    assert (await OutboxMessage.get(id=fine)).status == SENT


async def test_stopping_cancels_waiting_retries_without_sending(file_settings: Settings) -> None:
    row_id = await _enqueue()
    dispatcher = dispatch.InProcessDispatcher(file_settings, concurrency=1)
    dispatcher.start()
    await dispatcher.submit([row_id], delay=30)
    await dispatcher.stop()
    assert dispatcher._timers == set()  # noqa: SLF001
    assert (await OutboxMessage.get(id=row_id)).status == QUEUED
    assert not (file_settings.mail_dir / f"outbox-{row_id}.eml").exists()


async def test_the_sweeper_hands_over_through_the_installed_dispatcher(file_settings: Settings) -> None:
    row_id = await _enqueue()  # no dispatcher installed: never handed over
    await OutboxMessage.filter(id=row_id).update(created_at=datetime.now(UTC) - timedelta(minutes=5))
    handed: list[tuple[int, float]] = []

    class Recorder:
        async def submit(self, row_ids: list[int], delay: float = 0.0) -> None:
            handed.extend((row_id, delay) for row_id in row_ids)

    assert await dispatch.redispatch_stale(file_settings) == 1  # without a dispatcher: counted, left queued
    dispatch.install(Recorder())
    try:
        assert await dispatch.redispatch_stale(file_settings) == 1
    finally:
        dispatch.install(None)
    assert handed == [(row_id, 0.0)]
    assert (await OutboxMessage.get(id=row_id)).dispatched_at is not None


def _refused(code: int, message: str, recipient: str) -> aiosmtplib.SMTPRecipientsRefused:
    return aiosmtplib.SMTPRecipientsRefused([aiosmtplib.SMTPRecipientRefused(code, message, recipient)])


@pytest.mark.parametrize(
    ("exc", "transient", "suppress"),
    [
        (
            _refused(450, "mailbox busy", "a@b.de"),
            True,
            False,
        ),
        (
            _refused(550, "no such user", "a@b.de"),
            False,
            True,
        ),
        (aiosmtplib.SMTPRecipientsRefused([]), False, True),
        (aiosmtplib.SMTPAuthenticationError(535, "bad credentials"), True, False),
        (aiosmtplib.SMTPRecipientRefused(452, "over quota", "a@b.de"), True, False),
        (aiosmtplib.SMTPResponseException(554, "transaction failed"), False, False),
        (aiosmtplib.SMTPResponseException(421, "try later"), True, False),
        (ConnectionResetError("reset"), True, False),
        (ValueError("header with newline"), False, False),
    ],
)
def test_failures_are_classified_as_transient_or_permanent(exc: BaseException, transient: bool, suppress: bool) -> None:
    got_transient, got_suppress, text = delivery.classify(exc)
    assert (got_transient, got_suppress) == (transient, suppress)
    assert text
