"""Real dramatiq workers on real Redis and RabbitMQ: delivery, and a worker killed with SIGKILL mid-batch."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from agora import db
from agora.settings import Settings
from notifications import api, dispatch
from notifications.models import SENDING, SENT, OutboxMessage
from notifications.transport import SMTP_CONNECTIONS
from tests.conftest import RABBITMQ_URL, REDIS_URL, TEST_SECRET
from tests.notifications.smtp_sink import SmtpSink

REDIS_DB = 13  # our own database number, flushed of our namespace afterwards

BROKERS = [
    pytest.param("redis", marks=pytest.mark.skipif(not REDIS_URL, reason="set AGORA_TEST_REDIS_URL to test Redis")),
    pytest.param(
        "rabbitmq",
        marks=pytest.mark.skipif(not RABBITMQ_URL, reason="set AGORA_TEST_RABBITMQ_URL to test RabbitMQ"),
    ),
]


def _redis_url() -> str:
    parts = urlsplit(REDIS_URL)
    return urlunsplit((parts.scheme, parts.netloc, f"/{REDIS_DB}", "", ""))


def _cleanup(kind: str, url: str, queue: str) -> None:
    if kind == "redis":
        import redis

        client = redis.Redis.from_url(url)
        keys = list(client.scan_iter(f"{queue}:*"))
        if keys:
            client.delete(*keys)
        client.close()
    else:
        import pika

        connection = pika.BlockingConnection(pika.URLParameters(url))
        channel = connection.channel()
        for name in (queue, f"{queue}.DQ", f"{queue}.XQ"):
            channel.queue_delete(queue=name)
        connection.close()


@pytest.fixture(params=BROKERS)
def broker_settings(request: pytest.FixtureRequest, mail_settings: Settings) -> Iterator[Settings]:
    kind = request.param
    url = _redis_url() if kind == "redis" else RABBITMQ_URL
    queue = f"agora-test-{uuid.uuid4().hex[:10]}"
    settings = replace(mail_settings, broker_url=url, mail_queue=queue)
    api.configure(settings)
    from notifications import tasks

    dispatch.install(tasks.BrokerDispatcher(settings))
    try:
        yield settings
    finally:
        dispatch.install(None)
        tasks._actors.clear()
        _cleanup(kind, url, queue)


def start_worker(settings: Settings, log_path: Path, threads: int = 4) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGORA_") or k.startswith("AGORA_TEST_")}
    env.update(
        AGORA_DATA_DIR=str(settings.data_dir),
        AGORA_DATABASE_URL=settings.database_url,
        AGORA_SECRET_KEY=TEST_SECRET,
        AGORA_BASE_URL=settings.base_url,
        AGORA_BROKER_URL=settings.broker_url,
        AGORA_SMTP_URL=settings.smtp_url,
        AGORA_MAIL_QUEUE=settings.mail_queue,
        AGORA_MAIL_CLAIM_TIMEOUT=str(settings.mail_claim_timeout),
        AGORA_MAIL_RETRY_BASE=str(settings.mail_retry_base),
        AGORA_MAIL_FROM=settings.mail_from,
        AGORA_LOG_LEVEL="INFO",
    )
    log = open(log_path, "ab")  # noqa: SIM115 - closed when the process ends
    return subprocess.Popen(
        [sys.executable, "-m", "agora.cli", "worker", "--processes", "1", "--threads", str(threads)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def kill(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """Signal the worker's whole process group (dramatiq's supervisor and its worker processes)."""
    try:
        os.killpg(process.pid, sig)
        process.wait(timeout=20)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)


async def enqueue_batch(count: int, prefix: str) -> None:
    for start in range(0, count, 50):
        async with db.transaction():
            for i in range(start, min(count, start + 50)):
                await api.enqueue("test_message", to=f"{prefix}{i}@example.org", dedup_key=f"{prefix}-{i}")


async def settle(settings: Settings, limit: float, sweep: bool = False) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if await OutboxMessage.filter(status=SENT).count() == await OutboxMessage.all().count():
            return
        if sweep:
            await dispatch.redispatch_stale(settings)
        await asyncio.sleep(0.5)
    raise AssertionError(f"not all sent: {await OutboxMessage.exclude(status=SENT).count()} left")


async def test_worker_delivers_through_the_broker(broker_settings: Settings, smtp: SmtpSink, tmp_path: Path) -> None:
    smtp.handler.fail_next("451", 3)
    worker = start_worker(broker_settings, tmp_path / "worker.log")
    try:
        await enqueue_batch(40, "b")
        await settle(broker_settings, 90)
    finally:
        kill(worker, signal.SIGTERM)
    ids = smtp.handler.message_ids()
    assert len(ids) == 40 and set(ids.values()) == {1}, (tmp_path / "worker.log").read_text()[-3000:]
    assert smtp.handler.actions_taken["451"] == 3
    # At least one attempt per 451; on SQLite two processes can collide on the file lock, which costs a retry.
    assert sum(await OutboxMessage.all().values_list("attempts", flat=True)) >= 43


async def test_sigkilled_worker_loses_nothing(broker_settings: Settings, smtp: SmtpSink, tmp_path: Path) -> None:
    total, threads = 150, 4
    smtp.handler.accept_delay = 0.05  # a batch takes a few seconds, so the kill lands in its middle
    await enqueue_batch(total, "k")
    first = start_worker(broker_settings, tmp_path / "worker1.log", threads)
    try:
        deadline = time.monotonic() + 60
        while len(smtp.handler.received) < 30:
            assert time.monotonic() < deadline, (tmp_path / "worker1.log").read_text()[-3000:]
            await asyncio.sleep(0.05)
    finally:
        kill(first)
    at_kill = len(smtp.handler.received)
    assert at_kill < total, "the batch was finished before the kill; make it slower"
    assert await OutboxMessage.exclude(status=SENT).count() > 0
    # The kill landed in the middle of claimed batches: rows are left "sending" under a dead claim.
    assert await OutboxMessage.filter(status=SENDING).exists()

    second = start_worker(broker_settings, tmp_path / "worker2.log", threads)
    try:
        # The sweeper takes over the dead worker's claims once they are stale (3 s here) and re-dispatches
        # what the dead worker had fetched from the broker but never started.
        await settle(broker_settings, 120, sweep=True)
    finally:
        kill(second, signal.SIGTERM)
    rows = await OutboxMessage.all()
    ids = smtp.handler.message_ids()
    assert ids.keys() == {r.message_id for r in rows} and len(ids) == total  # nothing lost
    duplicates = sum(count - 1 for count in ids.values())
    # At most the messages in flight at the kill went out twice: those being sent or sent and not yet marked,
    # which a worker process bounds at twice its SMTP connections whatever the size of its batches.
    assert duplicates <= 2 * SMTP_CONNECTIONS
