"""Handing outbox rows to whoever delivers them: the in-process dispatcher or the dramatiq broker.

Rows travel in batches (up to delivery.BATCH_SIZE ids per hand-over); both topologies deliver a batch with
delivery.deliver_batch."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol

log = logging.getLogger(__name__)


class Dispatcher(Protocol):
    async def submit(self, row_ids: list[int], delay: float = 0.0) -> None: ...


_current: Dispatcher | None = None


def install(dispatcher: Dispatcher | None) -> None:
    global _current
    _current = dispatcher


def installed() -> Dispatcher | None:
    return _current


async def dispatch(row_id: int, delay: float = 0.0, *, mark: bool = True) -> bool:
    """Hand one row over; see dispatch_many."""
    return await dispatch_many([row_id], delay, mark=mark)


async def dispatch_many(row_ids: Sequence[int], delay: float = 0.0, *, mark: bool = True) -> bool:
    """Hand rows over in batches; without a dispatcher the rows wait for the sweeper (nothing is lost).

    mark records the hand-over time (one UPDATE per batch), which keeps the sweeper from handing the rows
    over again too soon."""
    from notifications.delivery import chunks
    from notifications.models import OutboxMessage

    dispatcher = _current
    if dispatcher is None or not row_ids:
        return False
    for batch in chunks(list(dict.fromkeys(row_ids))):
        if mark:
            await OutboxMessage.filter(id__in=batch).update(dispatched_at=datetime.now(UTC))
        await dispatcher.submit(batch, delay)
    return True


class InProcessDispatcher:
    """Embedded mode: an asyncio queue of batches and a few tasks in the web process, running the delivery code."""

    # A delivery waits while the event loop is busy serving requests (one turn of the loop takes longer than
    # BUSY_LAG seconds), for at most MAX_YIELD seconds: in a burst of registrations the answers go out first
    # and the mails right after. Each row is committed already, so waiting loses nothing.
    BUSY_LAG = 0.005
    MAX_YIELD = 5.0

    def __init__(self, settings: object, *, concurrency: int = 2, transport: object | None = None) -> None:
        from notifications.delivery import transport_for

        self.settings = settings
        self.concurrency = concurrency
        self.transport = transport or transport_for(settings)  # type: ignore[arg-type]
        self.queue: asyncio.Queue[list[int]] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._timers: set[asyncio.TimerHandle] = set()

    async def submit(self, row_ids: list[int], delay: float = 0.0) -> None:
        batch = list(row_ids)
        if delay > 0:
            loop = asyncio.get_running_loop()
            handle: asyncio.TimerHandle

            def later() -> None:
                self._timers.discard(handle)
                self.queue.put_nowait(batch)

            handle = loop.call_later(delay, later)
            self._timers.add(handle)
        else:
            self.queue.put_nowait(batch)

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._run(), name=f"mail-dispatch-{i}") for i in range(self.concurrency)]

    async def _run(self) -> None:
        from notifications import delivery

        while True:
            batch = await self.queue.get()
            try:
                await self._yield_to_requests()
                outcomes = await delivery.deliver_batch(batch, self.settings, self.transport)  # type: ignore[arg-type]
                for ids, delay in delivery.retry_groups(outcomes):
                    await self.submit(ids, delay)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the rows stay in the outbox; the sweeper hands them over again
                log.exception("delivery of outbox rows %s failed", batch)
            finally:
                self.queue.task_done()

    async def _yield_to_requests(self) -> None:
        loop = asyncio.get_running_loop()
        give_up = loop.time() + self.MAX_YIELD
        while True:
            started = loop.time()
            await asyncio.sleep(0)
            now = loop.time()
            if now - started < self.BUSY_LAG or now >= give_up:
                return
            await asyncio.sleep(min(0.05, give_up - now))

    async def idle(self) -> None:
        """Wait until nothing is queued or being delivered (retries waiting on a timer are not counted)."""
        await self.queue.join()

    async def stop(self) -> None:
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        await self.transport.close()  # type: ignore[attr-defined]


async def redispatch_stale(settings: object) -> int:
    """The sweeper job: hand over again what was never dispatched, never taken, or claimed and abandoned."""
    from notifications.delivery import sweep

    ids = await sweep(settings)  # type: ignore[arg-type]
    await dispatch_many(ids)
    if ids:
        log.info("sweeper re-dispatched %d outbox rows", len(ids))
    return len(ids)


async def deliver_pending(settings: object, transport: object | None = None) -> int:
    """Deliver every due row right here, without a dispatcher (used by tests and one-off commands)."""
    from notifications.delivery import chunks, deliver_batch, transport_for
    from notifications.models import QUEUED, OutboxMessage

    own = transport is None
    transport = transport or transport_for(settings)  # type: ignore[arg-type]
    sent = 0
    try:
        ids: list[int] = list(await OutboxMessage.filter(status=QUEUED).order_by("id").values_list("id", flat=True))  # type: ignore[arg-type]
        for batch in chunks(ids):
            outcomes = await deliver_batch(batch, settings, transport)  # type: ignore[arg-type]
            sent += sum(outcome.status == "sent" for outcome in outcomes.values())
    finally:
        if own:
            await transport.close()  # type: ignore[attr-defined]
    return sent


async def resend_failed(row_id: int) -> bool:
    """Staff asked to try a failed message again: queue it afresh and hand it over."""
    from notifications.delivery import resend

    if not await resend(row_id):
        return False
    await dispatch(row_id)
    return True
