"""enqueue_many: a fan-out keeps every rule of enqueue (dedup, suppression, preferences, hand-over after commit)
in a constant number of statements per chunk."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest

from agora import db
from agora.settings import Settings
from notifications import api, dispatch
from notifications.models import QUEUED, OutboxMessage, Preference, Suppression

api.register_kind("test_fan_out", category="digests", template="test_message")


@contextmanager
def count_statements() -> Iterator[list[str]]:
    """The SQL statements issued meanwhile, as Tortoise logs them."""
    seen: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    logger = logging.getLogger("tortoise.db_client")
    handler, level = Collect(logging.DEBUG), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield seen
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


class Recorder:
    def __init__(self) -> None:
        self.ids: list[int] = []

    async def submit(self, row_ids: list[int], delay: float = 0.0) -> None:
        self.ids.extend(row_ids)


def mails(count: int, prefix: str = "f", start: int = 0) -> list[api.Outgoing]:
    return [
        api.Outgoing(to=f"{prefix}{i}@Example.org", dedup_key=f"{prefix}-{i}", context={"note": f"Nr. {i}"})
        for i in range(start, start + count)
    ]


async def test_every_rule_of_enqueue_holds(mail_settings: Settings) -> None:
    async with db.transaction():
        await api.enqueue("test_fan_out", to="f0@example.org", dedup_key="f-0")  # sent before
    await Suppression.create(address="f1@example.org", reason="550")
    await Preference.create(address="f2@example.org", category="digests", enabled=False)
    await Preference.create(address="f3@example.org", category="invitations", enabled=False)  # another category
    batch = [*mails(5), api.Outgoing(to="again@example.org", dedup_key="f-4")]  # a key twice in one call
    recorder = Recorder()
    dispatch.install(recorder)
    try:
        async with db.transaction():
            ids = await api.enqueue_many("test_fan_out", batch)
            assert recorder.ids == []  # nothing leaves before commit
    finally:
        dispatch.install(None)
    assert ids[:3] == [None, None, None] and ids[5] is None
    assert ids[3] is not None and ids[4] is not None
    assert sorted(recorder.ids) == sorted([ids[3], ids[4]])
    row = await OutboxMessage.get(id=ids[3])
    assert (row.recipient, row.kind, row.category, row.template, row.status) == (
        "f3@example.org",
        "test_fan_out",
        "digests",
        "test_message",
        QUEUED,
    )
    assert row.context == {"note": "Nr. 3"} and row.dispatched_at is not None and row.created_at is not None
    assert await OutboxMessage.filter(recipient="again@example.org").count() == 0


async def test_a_rolled_back_fan_out_leaves_nothing(mail_settings: Settings) -> None:
    recorder = Recorder()
    dispatch.install(recorder)
    try:
        with pytest.raises(RuntimeError):
            async with db.transaction():
                assert all(await api.enqueue_many("test_fan_out", mails(20)))
                raise RuntimeError("the invitation run failed")
    finally:
        dispatch.install(None)
    assert await OutboxMessage.all().count() == 0 and recorder.ids == []


async def test_statements_do_not_grow_with_the_recipients(mail_settings: Settings) -> None:
    async with db.transaction():
        with count_statements() as small:
            await api.enqueue_many("test_fan_out", mails(10, "a"))
        with count_statements() as large:
            await api.enqueue_many("test_fan_out", mails(400, "b"))
    assert 2 <= len(large) == len(small) <= 5, (small, large)
    assert await OutboxMessage.all().count() == 410


async def test_large_fan_outs_go_in_chunks_and_run_again_without_doubling(mail_settings: Settings) -> None:
    async with db.transaction():
        first = await api.enqueue_many("test_fan_out", mails(1200))
    assert len(set(first)) == 1200 and None not in first
    later = datetime.now(UTC) + timedelta(hours=1)
    async with db.transaction():
        again = await api.enqueue_many(
            "test_fan_out", [*mails(1200), api.Outgoing(to="late@example.org", dedup_key="late", not_before=later)]
        )
    assert again[:1200] == [None] * 1200 and again[1200] is not None
    assert await OutboxMessage.all().count() == 1201
    assert (await OutboxMessage.get(id=again[1200])).dispatched_at is None  # not due: the scheduler hands it over


async def test_concurrent_fan_outs_write_each_key_once(mail_settings: Settings) -> None:
    async def run() -> list[int | None]:
        async with db.transaction():
            return await api.enqueue_many("test_fan_out", mails(60))

    results = await asyncio.gather(run(), run(), return_exceptions=True)
    assert all(isinstance(r, list) for r in results), results
    assert await OutboxMessage.all().count() == 60


async def test_a_bad_address_refuses_the_whole_fan_out(mail_settings: Settings) -> None:
    with pytest.raises(ValueError, match="not an email address"):
        async with db.transaction():
            await api.enqueue_many("test_fan_out", [*mails(3), api.Outgoing(to="nobody", dedup_key="x")])
    assert await OutboxMessage.all().count() == 0
