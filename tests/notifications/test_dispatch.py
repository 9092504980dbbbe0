"""The in-process dispatcher under injected SMTP faults, and two schedulers at once."""

from __future__ import annotations

import asyncio
import time

from agora import db
from agora.settings import Settings
from notifications import api, dispatch, scheduler
from notifications.models import QUEUED, SENDING, SENT, OutboxMessage
from tests.conftest import make_user
from tests.notifications.smtp_sink import SmtpSink


async def wait_until_settled(limit: float = 90.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if not await OutboxMessage.filter(status__in=[QUEUED, SENDING]).exists():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("outbox did not settle in time")


async def test_faults_lose_nothing_and_send_nothing_twice(mail_settings: Settings, smtp: SmtpSink) -> None:
    total = 300
    smtp.handler.set_fractions(**{"451": 0.20, "drop": 0.05})
    dispatcher = dispatch.InProcessDispatcher(mail_settings, concurrency=4)
    dispatcher.start()
    dispatch.install(dispatcher)
    try:
        for start in range(0, total, 50):
            async with db.transaction():
                for i in range(start, start + 50):
                    await api.enqueue("test_message", to=f"p{i}@example.org", dedup_key=f"fault-{i}")
        await wait_until_settled()
    finally:
        await dispatcher.stop()
        dispatch.install(None)
    rows = await OutboxMessage.all()
    assert len(rows) == total and all(r.status == SENT for r in rows)
    ids = smtp.handler.message_ids()
    assert len(smtp.handler.received) == total  # every message arrived ...
    assert set(ids.values()) == {1}  # ... exactly once
    assert ids.keys() == {r.message_id for r in rows}
    taken = smtp.handler.actions_taken
    assert taken["451"] > 20 and taken["drop"] > 3, taken  # the faults really happened
    # A refused transaction costs one more attempt; a dropped one only on a new connection, since a message whose
    # kept connection drops goes out on a new one at once. Nothing else costs an attempt.
    extra = sum(r.attempts for r in rows) - total
    assert taken["451"] <= extra < taken["451"] + taken["drop"]


async def test_two_schedulers_enqueue_each_due_message_once(mail_settings: Settings, smtp: SmtpSink) -> None:
    users = [await make_user(f"staff{i}@example.org", ["organizer"]) for i in range(12)]

    async def remind_everyone() -> None:
        # As real jobs do: derive what is due from the database, enqueue under a dedup key.
        from agora.accounts.models import User

        for user in await User.all().order_by("id"):
            async with db.transaction():
                await api.enqueue("test_message", to=user.email, dedup_key=f"reminder-{user.id}")
            await asyncio.sleep(0)

    dispatcher = dispatch.InProcessDispatcher(mail_settings, concurrency=2)
    dispatcher.start()
    dispatch.install(dispatcher)
    job_list = [
        scheduler.Job("reminders", 0.05, remind_everyone),
        scheduler.Job("sweep", 0.05, lambda: dispatch.redispatch_stale(mail_settings)),
    ]
    first, second = scheduler.Scheduler(0.02, job_list), scheduler.Scheduler(0.02, job_list)
    tasks = [asyncio.create_task(first.run()), asyncio.create_task(second.run())]
    try:
        await asyncio.sleep(1.0)
    finally:
        first.stop()
        second.stop()
        await asyncio.gather(*tasks)
    try:
        await wait_until_settled(30)
    finally:
        await dispatcher.stop()
        dispatch.install(None)
    assert await OutboxMessage.all().count() == len(users)
    received = sorted(r.recipients[0] for r in smtp.handler.received)
    assert received == sorted(u.email for u in users)


async def test_scheduler_runs_jobs_on_their_interval_and_survives_a_failing_job(database: Settings) -> None:
    calls: list[str] = []

    async def good() -> None:
        calls.append("good")

    async def bad() -> None:
        calls.append("bad")
        raise RuntimeError("job failed")

    loop = scheduler.Scheduler(0.01, [scheduler.Job("good", 3600, good), scheduler.Job("bad", 0, bad)])
    assert await loop.run_due() == ["good", "bad"]
    assert await loop.run_due() == ["bad"]  # "good" is not due again for an hour
    assert calls == ["good", "bad", "bad"]


async def test_embedded_runtime_delivers_after_commit(database: Settings) -> None:
    from dataclasses import replace

    from notifications import runtime

    settings = replace(database, smtp_url="")
    running = await runtime.start(settings, embedded_scheduler=False)
    try:
        async with db.transaction():
            row_id = await api.enqueue("test_message", to="embedded@example.org")
        await running.dispatcher.idle()  # type: ignore[union-attr]
    finally:
        await runtime.stop(running)
    assert (await OutboxMessage.get(id=row_id)).status == SENT
    assert (settings.mail_dir / f"outbox-{row_id}.eml").is_file()
    assert dispatch.installed() is None
