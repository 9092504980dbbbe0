"""Capacity is never exceeded: real concurrent registrations, cancellations, promotions and expiries.

The same harness runs a deliberately naive read-then-write registration (below) and shows it overbooking,
so a passing run of the real services means something. On PostgreSQL the calls run through a pool of 20
connections, so they truly run in parallel; on SQLite several OS processes share one database file.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest
from tortoise import Tortoise, connections
from tortoise.backends.base.executor import EXECUTOR_CACHE

from agora import db
from events import services
from events.errors import EventError
from events.models import CONFIRMED, SEATED, WAITLISTED, Registration, Session
from events.services.common import manage_token
from tests.events.helpers import CONSENT, invariant, published_session, track_invariant

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def pooled(database):  # noqa: ANN001, ANN201
    """On PostgreSQL, re-open the connection with a pool large enough for real parallelism."""
    if database.database_url.startswith("sqlite"):
        yield database, False
        return
    await Tortoise.close_connections()
    EXECUTOR_CACHE.clear()
    from dataclasses import replace

    settings = replace(database, database_url=database.database_url + "?minsize=4&maxsize=20")
    await db.init_db(settings)
    yield settings, True


async def burst(calls: list[Callable[[], Awaitable[object]]]) -> Counter:
    async def run(call: Callable[[], Awaitable[object]]) -> str:
        try:
            result = await call()
        except EventError as exc:
            return "refused:" + ",".join(sorted(exc.errors))
        return getattr(result, "status", "ok")

    return Counter(await asyncio.gather(*(run(c) for c in calls)))


async def violations(session_id: int) -> list[str]:
    taken, held, capacity = await invariant(session_id)
    found = []
    if held > capacity:
        found.append(f"overbooked: {held} seats held for {capacity}")
    if taken != held:
        found.append(f"counter {taken} != seats held {held}")
    if taken > capacity:
        found.append(f"counter {taken} > capacity {capacity}")
    return found


def registration(settings, session_id: int, n: int, **extra):  # noqa: ANN001, ANN201
    return lambda: services.register(
        settings, session_id, name=f"Person {n}", email=f"p{n}@example.com", **CONSENT, **extra
    )


async def test_parallel_registrations_never_overbook(pooled) -> None:  # noqa: ANN001
    settings, is_pool = pooled
    session = await published_session(capacity=25, max_colleagues=2)
    rng = random.Random(7)
    calls = [
        registration(settings, session.id, n, colleagues=[{"name": "K"}] * rng.choice([0, 0, 1, 2])) for n in range(120)
    ]
    outcomes = await burst(calls)
    print("parallel burst", dict(outcomes), await invariant(session.id))
    assert set(outcomes) <= {"pending_confirmation", "waitlisted"}, outcomes
    assert await violations(session.id) == []
    taken, _held, _capacity = await invariant(session.id)
    assert taken >= 23  # full up to at most a party's size
    assert outcomes["waitlisted"] > 0
    if is_pool:
        pool = connections.get("default")._pool
        assert pool.get_size() > 1, "the burst did not run on several connections"


async def test_parallel_cancellations_promotions_and_expiries_keep_the_count(pooled) -> None:  # noqa: ANN001
    settings, _ = pooled
    session = await published_session(capacity=15, max_colleagues=1)
    first = await burst([registration(settings, session.id, n) for n in range(40)])
    assert first == Counter({"pending_confirmation": 15, "waitlisted": 25})
    regs = await Registration.filter(session_id=session.id).order_by("id")
    # Half of the seated confirm, some waitlisted confirm their address.
    await burst(
        [
            (lambda r=r: services.confirm_registration(settings, manage_token(settings, r.ics_uid)))
            for r in regs[:8] + regs[20:30]
        ]
    )
    seated = [r for r in await Registration.filter(session_id=session.id, status__in=SEATED)]
    later = max(r.hold_expires_at for r in regs if r.hold_expires_at) + timedelta(seconds=1)
    calls: list[Callable[[], Awaitable[object]]] = []
    calls += [(lambda r=r: services.cancel_registration(settings, r.id)) for r in seated[:6]]
    calls += [(lambda r=r: services.cancel_registration(settings, r.id)) for r in seated[:3]]  # twice at once
    calls += [registration(settings, session.id, 100 + n, colleagues=[{"name": "K"}]) for n in range(15)]
    calls += [lambda: services.expire_holds(settings, now=later) for _ in range(3)]
    calls += [(lambda r=r: services.move_to_confirmed(settings, r.id)) for r in regs[30:35]]
    random.Random(3).shuffle(calls)
    await burst(calls)
    assert await violations(session.id) == []
    taken, _held, capacity = await invariant(session.id)
    # Free seats are not left idle while a single person still waits.
    singles_waiting = await Registration.filter(session_id=session.id, status=WAITLISTED, seats=1).count()
    assert singles_waiting == 0 or taken == capacity
    cancelled_twice = await Registration.filter(id__in=[r.id for r in seated[:3]]).values_list("status", flat=True)
    assert set(cancelled_twice) == {"cancelled"}


async def test_parallel_track_choices_never_overbook_a_track(pooled) -> None:  # noqa: ANN001
    settings, _ = pooled
    session = await published_session(capacity=30, kind="workshop", max_colleagues=1)
    tracks = [await services.add_track(session.id, title=f"Track {i}", capacity=c) for i, c in enumerate((4, 7))]
    calls = [
        registration(settings, session.id, n, track_id=tracks[n % 2].id, colleagues=[{"name": "K"}] * (n % 2))
        for n in range(40)
    ]
    await burst(calls)
    assert await violations(session.id) == []
    for track in tracks:
        taken, held, capacity = await track_invariant(track.id)
        assert taken == held <= capacity
    # Cancel and re-fill at once.
    seated = await Registration.filter(session_id=session.id, status__in=SEATED)
    await burst(
        [(lambda r=r: services.cancel_registration(settings, r.id)) for r in seated[:4]]
        + [registration(settings, session.id, 200 + n, track_id=tracks[n % 2].id) for n in range(10)]
    )
    assert await violations(session.id) == []
    for track in tracks:
        taken, held, capacity = await track_invariant(track.id)
        assert taken == held <= capacity


async def naive_register(session_id: int, n: int) -> Registration:
    """The CONTROL: what registration looks like without a conditional update (read, check, write back)."""
    session = await Session.get(id=session_id)
    status = CONFIRMED if session.seats_taken + 1 <= session.capacity else WAITLISTED
    reg = await Registration.create(
        session_id=session_id,
        status=status,
        name=f"Naive {n}",
        email=f"naive{n}@example.com",
        manage_token_hash=f"naive-{n}",
        checkin_code=f"N{n:07d}",
        ics_uid=f"naive-{n}",
        created_at=session.starts_at,
    )
    if status == CONFIRMED:
        session.seats_taken = session.seats_taken + 1
        await session.save(update_fields=["seats_taken"])
    return reg


async def test_control_the_harness_catches_a_naive_implementation(pooled) -> None:  # noqa: ANN001
    _settings, _ = pooled
    session = await published_session(capacity=10)
    await burst([(lambda n=n: naive_register(session.id, n)) for n in range(60)])
    found = await violations(session.id)
    print("naive control", found)
    assert found, "the naive read-then-write did not overbook: the harness would not catch a race"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_several_processes_on_one_sqlite_file_never_overbook(database) -> None:  # noqa: ANN001
    session = await published_session(capacity=20, max_colleagues=1)

    async def worker(first: int) -> dict[str, int]:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.events.burst_worker",
            database.database_url,
            str(session.id),
            str(first),
            "15",
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), timeout=120)
        assert process.returncode == 0, err.decode()
        return json.loads(out.decode().strip().splitlines()[-1])

    totals: Counter = Counter()
    for outcome in await asyncio.gather(*(worker(p * 15) for p in range(4))):
        totals.update(outcome)
    print("multi-process outcomes", dict(totals))
    assert not [k for k in totals if k.startswith("error")], totals
    assert sum(totals.values()) == 60
    assert totals["waitlisted"] > 0
    assert await violations(session.id) == []
    assert (await invariant(session.id))[0] >= 19


async def test_a_seat_claim_is_one_conditional_statement(database) -> None:  # noqa: ANN001
    from tortoise.expressions import F

    claim = Session.filter(id=1, seats_taken__lte=F("capacity") - 2).update(seats_taken=F("seats_taken") + 2).sql()
    assert claim.count("UPDATE") == 1 and "SELECT" not in claim.upper()
    assert '"seats_taken"<="capacity"-' in claim.replace(" ", "")
    assert claim.rstrip().count(";") == 0


def test_every_mail_kind_is_registered() -> None:
    from events.services import common
    from notifications import api

    for kind in common.KINDS:
        assert api.kind_info(kind).category is None  # transactional: always sent
    assert set(common.KINDS) == {
        "registration_confirm_request",
        "registration_confirmed",
        "registration_waitlisted",
        "registration_promoted",
        "registration_cancelled",
        "session_changed",
        "session_cancelled",
    }
