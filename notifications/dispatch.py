"""Handing outbox rows to whoever delivers them: the in-process dispatcher or the dramatiq broker."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Protocol

log = logging.getLogger(__name__)


class Dispatcher(Protocol):
    async def submit(self, row_id: int, delay: float = 0.0) -> None: ...


_current: Dispatcher | None = None


def install(dispatcher: Dispatcher | None) -> None:
    global _current
    _current = dispatcher


def installed() -> Dispatcher | None:
    return _current


async def dispatch(row_id: int, delay: float = 0.0) -> bool:
    """Hand a row over; without a dispatcher the row waits for the sweeper (nothing is lost)."""
    from notifications.models import OutboxMessage

    dispatcher = _current
    if dispatcher is None:
        return False
    await OutboxMessage.filter(id=row_id).update(dispatched_at=datetime.now(UTC))
    await dispatcher.submit(row_id, delay)
    return True
