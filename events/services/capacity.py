"""Seat counters: every claim and release is ONE conditional UPDATE, atomic on PostgreSQL and SQLite.

A claim succeeds only if the row still has room at the moment the statement runs; the affected row count
says whether it did. PostgreSQL re-checks the WHERE clause against the newest row version after waiting
for a concurrent writer, SQLite runs one writer at a time, so no interleaving can push seats_taken past
capacity. Nothing here reads a counter and writes it back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tortoise.exceptions import OperationalError, TransactionManagementError
from tortoise.expressions import F

from events.models import ONLINE, Session, Track

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRIES = 40


async def claim_session(session_id: int, seats: int, attendance: str = "in_person") -> bool:
    """One conditional UPDATE on the pool of the way of taking part: the room's seats or the online places."""
    if attendance == ONLINE:
        updated = await Session.filter(id=session_id, online_seats_taken__lte=F("online_capacity") - seats).update(
            online_seats_taken=F("online_seats_taken") + seats
        )
    else:
        updated = await Session.filter(id=session_id, seats_taken__lte=F("capacity") - seats).update(
            seats_taken=F("seats_taken") + seats
        )
    return updated == 1


async def release_session(session_id: int, seats: int, attendance: str = "in_person") -> None:
    if attendance == ONLINE:
        updated = await Session.filter(id=session_id, online_seats_taken__gte=seats).update(
            online_seats_taken=F("online_seats_taken") - seats
        )
    else:
        updated = await Session.filter(id=session_id, seats_taken__gte=seats).update(
            seats_taken=F("seats_taken") - seats
        )
    if updated != 1:
        # Would mean a status transition released twice: the transaction must not commit.
        raise RuntimeError(f"seat counter of session {session_id} would go negative")


async def claim_track(track_id: int, seats: int) -> bool:
    updated = await Track.filter(id=track_id, seats_taken__lte=F("capacity") - seats).update(
        seats_taken=F("seats_taken") + seats
    )
    return updated == 1


async def release_track(track_id: int, seats: int) -> None:
    updated = await Track.filter(id=track_id, seats_taken__gte=seats).update(seats_taken=F("seats_taken") - seats)
    if updated != 1:
        raise RuntimeError(f"seat counter of track {track_id} would go negative")


async def claim(session_id: int, track_id: int | None, seats: int, attendance: str = "in_person") -> bool:
    """Claim seats in the session's pool and, when chosen, in its track: both or neither (inside a transaction)."""
    if not await claim_session(session_id, seats, attendance):
        return False
    if track_id is not None and not await claim_track(track_id, seats):
        await release_session(session_id, seats, attendance)
        return False
    return True


async def release(session_id: int, track_id: int | None, seats: int, attendance: str = "in_person") -> None:
    await release_session(session_id, seats, attendance)
    if track_id is not None:
        await release_track(track_id, seats)


def _is_transient(exc: Exception) -> bool:
    text = str(exc).lower()
    return any(
        marker in text
        for marker in (
            "database is locked",
            "database table is locked",
            "deadlock",
            "could not serialize",
            "busy",
        )
    )


async def retrying(operation: Callable[[], Awaitable[T]]) -> T:
    """Run a whole transaction again when the database refused it for contention.

    SQLite in several processes answers "database is locked" at once (no busy timeout), PostgreSQL may pick
    a deadlock victim; both roll the transaction back entirely, so running it again is safe.
    """
    for attempt in range(RETRIES):
        try:
            return await operation()
        except (OperationalError, TransactionManagementError) as exc:
            if not _is_transient(exc) or attempt == RETRIES - 1:
                raise
            log.debug("retrying after contention: %s", exc)
            await asyncio.sleep(min(0.005 * 2**attempt, 0.25))
    raise AssertionError("unreachable")
