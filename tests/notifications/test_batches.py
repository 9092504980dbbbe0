"""Batches of outbox rows: one claim, concurrent sends, per-row outcomes, and hand-over after commit."""

from __future__ import annotations

import asyncio
import secrets

from agora import db
from agora.settings import Settings
from notifications import api, compose, delivery, dispatch
from notifications.models import FAILED, QUEUED, SENDING, SENT, OutboxMessage, Suppression
from notifications.transport import parse_smtp_url
from tests.notifications.smtp_sink import SmtpSink


async def enqueue_many(count: int, prefix: str = "p") -> list[int]:
    ids: list[int] = []
    async with db.transaction():
        for i in range(count):
            row_id = await api.enqueue("test_message", to=f"{prefix}{i}@example.org", dedup_key=f"{prefix}-{i}")
            assert row_id is not None
            ids.append(row_id)
    return ids


class Recorder:
    def __init__(self) -> None:
        self.batches: list[list[int]] = []

    async def submit(self, row_ids: list[int], delay: float = 0.0) -> None:
        self.batches.append(list(row_ids))


async def test_a_transaction_hands_its_rows_over_in_batches(mail_settings: Settings) -> None:
    recorder = Recorder()
    dispatch.install(recorder)
    try:
        ids = await enqueue_many(delivery.BATCH_SIZE + 30)
    finally:
        dispatch.install(None)
    assert recorder.batches == [ids[: delivery.BATCH_SIZE], ids[delivery.BATCH_SIZE :]]


async def test_concurrent_claims_of_one_batch_are_exclusive(mail_settings: Settings, smtp: SmtpSink) -> None:
    ids = await enqueue_many(60)
    claims = await asyncio.gather(*(delivery.claim_batch(ids, secrets.token_hex(16), mail_settings) for _ in range(4)))
    taken = [row.id for rows in claims for row in rows]
    assert sorted(taken) == ids  # every row claimed, none twice
    await OutboxMessage.filter(id__in=ids).update(status=QUEUED, claim_token=None, attempts=0)

    # Two workers, each with its own connections, deliver the same batch at the same time.
    first, second = delivery.transport_for(mail_settings), delivery.transport_for(mail_settings)
    try:
        outcomes = await asyncio.gather(
            delivery.deliver_batch(ids, mail_settings, first), delivery.deliver_batch(ids, mail_settings, second)
        )
    finally:
        await first.close()
        await second.close()
    sent = [row_id for result in outcomes for row_id, o in result.items() if o.status == "sent"]
    assert sorted(sent) == ids
    assert set(smtp.handler.message_ids().values()) == {1} and len(smtp.handler.message_ids()) == 60
    rows = await OutboxMessage.filter(id__in=ids)
    assert {r.status for r in rows} == {SENT}
    assert {r.message_id for r in rows} == {compose.message_id(i, mail_settings) for i in ids}


async def test_a_refused_recipient_fails_alone_and_the_rest_is_sent(mail_settings: Settings, smtp: SmtpSink) -> None:
    smtp.handler.refuse.add("p3@example.org")
    ids = await enqueue_many(12)
    transport = delivery.transport_for(mail_settings)
    try:
        outcomes = await delivery.deliver_batch(ids, mail_settings, transport)
    finally:
        await transport.close()
    refused = ids[3]
    assert outcomes[refused].status == "failed" and "550" in outcomes[refused].error
    assert {o.status for row_id, o in outcomes.items() if row_id != refused} == {"sent"}
    assert (await OutboxMessage.get(id=refused)).status == FAILED
    assert await Suppression.exists(address="p3@example.org")
    assert len(smtp.handler.received) == 11 and set(smtp.handler.message_ids().values()) == {1}


async def test_451_on_some_messages_retries_only_those(mail_settings: Settings, smtp: SmtpSink) -> None:
    smtp.handler.fail_next("451", 3)
    ids = await enqueue_many(20)
    transport = delivery.transport_for(mail_settings)
    try:
        outcomes = await delivery.deliver_batch(ids, mail_settings, transport)
        retried = sorted(row_id for row_id, o in outcomes.items() if o.status == "retry")
        assert len(retried) == 3 and all("451" in outcomes[row_id].error for row_id in retried)
        assert sorted(row_id for group, _ in delivery.retry_groups(outcomes) for row_id in group) == retried
        queued = await OutboxMessage.filter(status=QUEUED).values_list("id", flat=True)
        assert sorted(queued) == retried
        assert await OutboxMessage.filter(status=SENT).count() == 17

        # The whole batch comes back (a broker redelivery, say): only the retried rows go out, once due.
        await asyncio.sleep(max(o.retry_in or 0 for o in outcomes.values()) + 0.05)
        again = await delivery.deliver_batch(ids, mail_settings, transport)
    finally:
        await transport.close()
    assert sorted(row_id for row_id, o in again.items() if o.status == "sent") == retried
    assert {o.status for row_id, o in again.items() if row_id not in retried} == {"skipped"}
    ids_seen = smtp.handler.message_ids()
    assert len(ids_seen) == 20 and set(ids_seen.values()) == {1}
    assert sorted(await OutboxMessage.filter(attempts=2).values_list("id", flat=True)) == retried


async def test_a_connection_dropped_mid_batch_costs_only_its_message(mail_settings: Settings, smtp: SmtpSink) -> None:
    smtp.handler.accept_delay = 0.02  # several connections are busy when one of them drops
    ids = await enqueue_many(30)
    smtp.handler.fail_next("drop")
    transport = delivery.transport_for(mail_settings)
    try:
        outcomes = await delivery.deliver_batch(ids, mail_settings, transport)
        retried = [row_id for row_id, o in outcomes.items() if o.status == "retry"]
        assert len(retried) == 1 and sum(o.status == "sent" for o in outcomes.values()) == 29
        for _ in range(50):
            if not await OutboxMessage.exclude(status=SENT).exists():
                break
            await asyncio.sleep(0.05)
            await delivery.deliver_batch(ids, mail_settings, transport)
    finally:
        await transport.close()
    assert smtp.handler.actions_taken["drop"] == 1
    assert await OutboxMessage.filter(status=SENT).count() == 30
    ids_seen = smtp.handler.message_ids()
    assert len(ids_seen) == 30 and set(ids_seen.values()) == {1}


async def test_a_batch_taken_over_after_a_stale_claim_is_sent_once_more_at_most(
    mail_settings: Settings, smtp: SmtpSink
) -> None:
    """A worker that died after claiming: its claim goes stale, the sweeper finds the rows, a new batch sends them."""
    ids = await enqueue_many(10)
    assert len(await delivery.claim_batch(ids, "dead-worker-token", mail_settings)) == 10
    assert await OutboxMessage.filter(status=SENDING).count() == 10
    assert not await delivery.sweep(mail_settings)  # the claim is fresh: nobody else may take the rows
    await asyncio.sleep(mail_settings.mail_claim_timeout + 0.2)
    assert sorted(await delivery.sweep(mail_settings)) == ids
    transport = delivery.transport_for(mail_settings)
    try:
        outcomes = await delivery.deliver_batch(ids, mail_settings, transport)
    finally:
        await transport.close()
    assert {o.status for o in outcomes.values()} == {"sent"}
    assert len(smtp.handler.message_ids()) == 10 and set(smtp.handler.message_ids().values()) == {1}


async def test_a_connection_stays_open_after_a_451(mail_settings: Settings, smtp: SmtpSink) -> None:
    smtp.handler.fail_next("451", 3)
    ids = await enqueue_many(10)
    transport = delivery.SmtpTransport(parse_smtp_url(mail_settings.smtp_url, 2.0), size=1)
    try:
        outcomes = await delivery.deliver_batch(ids, mail_settings, transport)
    finally:
        await transport.close()
    assert sum(o.status == "retry" for o in outcomes.values()) == 3
    assert sum(o.status == "sent" for o in outcomes.values()) == 7
    assert smtp.handler.greetings == 1  # the 451s were answered on the one connection, which went on


async def test_a_kept_connection_the_relay_dropped_is_replaced_at_once(mail_settings: Settings, smtp: SmtpSink) -> None:
    """A relay closing an idle connection is no fault of the next message: it goes out on a new one at once."""
    first, second = await enqueue_many(2)
    transport = delivery.SmtpTransport(parse_smtp_url(mail_settings.smtp_url, 2.0), size=1)
    try:
        assert (await delivery.deliver(first, mail_settings, transport)).status == "sent"
        smtp.handler.fail_next("drop")
        assert (await delivery.deliver(second, mail_settings, transport)).status == "sent"
        # On a new connection a drop is the message's failed attempt, retried later.
        [third] = await enqueue_many(1, prefix="q")
        await transport.close()
        smtp.handler.fail_next("drop")
        assert (await delivery.deliver(third, mail_settings, transport)).status == "retry"
    finally:
        await transport.close()
    assert smtp.handler.actions_taken["drop"] == 2
    assert smtp.handler.greetings == 3
    assert set(smtp.handler.message_ids().values()) == {1} and len(smtp.handler.message_ids()) == 2
    assert (await OutboxMessage.get(id=second)).attempts == 1
