"""dramatiq actors for production: a message carries a batch of outbox row ids, the claim makes it idempotent."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import dramatiq
from dramatiq.middleware.asyncio import AsyncIO

from agora.settings import Settings

log = logging.getLogger(__name__)

ACTOR_NAME = "notifications.deliver"
# Whatever the worker process needs on its event-loop thread: settings, the ORM, an SMTP connection pool.
_worker_state: dict[str, Any] = {}
_actors: dict[tuple[str, str], dramatiq.Actor] = {}


def build_broker(settings: Settings) -> dramatiq.Broker:
    url = settings.broker_url
    if url.startswith(("redis://", "rediss://")):
        from dramatiq.brokers.redis import RedisBroker

        broker: dramatiq.Broker = RedisBroker(url=url, namespace=settings.mail_queue)
    elif url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        # Without publisher confirms a message the broker dropped would be lost without anyone noticing.
        broker = RabbitmqBroker(url=url, confirm_delivery=True)
    else:
        raise ValueError(f"unsupported broker URL {url!r}")
    broker.add_middleware(AsyncIO())
    return broker


def setup(settings: Settings) -> dramatiq.Actor:
    """The delivery actor bound to the configured broker (one per broker URL and queue, made once)."""
    key = (settings.broker_url, settings.mail_queue)
    if key not in _actors:
        broker = build_broker(settings)
        dramatiq.set_broker(broker)
        _worker_state["settings"] = settings
        _actors[key] = dramatiq.actor(
            actor_name=ACTOR_NAME,
            queue_name=settings.mail_queue,
            broker=broker,
            # Retries live in the outbox (with backoff); dramatiq's own only cover an unexpected crash.
            max_retries=3,
            min_backoff=1000,
            time_limit=10 * 60 * 1000,
        )(deliver_message)
    return _actors[key]


async def _ready() -> Any:
    """Initialise the ORM lazily on the worker's event-loop thread (the AsyncIO middleware's own loop)."""
    if "transport" in _worker_state:
        return _worker_state["transport"]
    lock = _worker_state.setdefault("lock", asyncio.Lock())
    async with lock:
        if "transport" not in _worker_state:
            from agora import db
            from notifications import api
            from notifications.delivery import transport_for

            settings: Settings = _worker_state["settings"]
            api.configure(settings)
            # Global fallback: every later message runs in its own task and must see this initialisation.
            await db.init_db(settings)
            _worker_state["transport"] = transport_for(settings)
    return _worker_state["transport"]


async def deliver_message(row_ids: list[int] | int) -> None:
    """One batch of rows (a bare id is a message queued before batches existed)."""
    from notifications import delivery, dispatch

    transport = await _ready()
    settings: Settings = _worker_state["settings"]
    batch = [row_ids] if isinstance(row_ids, int) else [int(row_id) for row_id in row_ids]
    outcomes = await delivery.deliver_batch(batch, settings, transport)
    for ids, delay in delivery.retry_groups(outcomes):
        # Through the dispatcher, so dispatched_at records the hand-over for the sweeper.
        await dispatch.dispatch_many(ids, delay)
    return None


class BrokerDispatcher:
    """Hands row ids to the broker; used by the web processes, the scheduler and the workers themselves."""

    def __init__(self, settings: Settings) -> None:
        self.actor = setup(settings)

    async def submit(self, row_ids: list[int], delay: float = 0.0) -> None:
        options: dict[str, Any] = {"delay": int(delay * 1000)} if delay > 0 else {}
        # The broker clients are synchronous; a thread keeps the event loop responsive meanwhile.
        await asyncio.to_thread(self.actor.send_with_options, args=(list(row_ids),), **options)
