"""The one rate limit: counted in one table, per bucket and key, sliding windows, keys stored hashed."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from agora import ratelimit
from agora.ratelimit import RateHit

PROBE = ratelimit.limit("probe", 3, timedelta(minutes=5))
TIERED = ratelimit.limit("probe.tiered", 2, timedelta(minutes=1), (4, timedelta(hours=1)))


async def test_counts_per_key_and_refuses_over_the_limit(database):
    results = [await ratelimit.hit(PROBE, "1.2.3.4") for _ in range(5)]
    assert results[:3] == [None, None, None]
    assert all(wait is not None and 0 < wait <= 300 for wait in results[3:])
    assert await ratelimit.hit(PROBE, "5.6.7.8") is None
    # Refused attempts are not counted, so waiting out the window really helps.
    assert await RateHit.filter(bucket="probe").count() == 4


async def test_keys_are_stored_only_as_keyed_hashes(database):
    await ratelimit.hit(PROBE, "someone@example.org|192.0.2.1")
    row = await RateHit.get(bucket="probe")
    assert "example" not in row.key and "192" not in row.key and len(row.key) == 64


async def test_the_window_slides(database):
    for _ in range(3):
        await ratelimit.hit(PROBE, "k")
    wait = await ratelimit.retry_after(PROBE, "k")
    assert wait is not None and 290 <= wait <= 300
    with time_machine.travel(timedelta(minutes=5, seconds=1), tick=True):
        assert await ratelimit.hit(PROBE, "k") is None
        assert await ratelimit.retry_after(PROBE, "k") is None  # two of the four have left the window


async def test_a_short_tier_slows_down_and_a_long_one_blocks(database):
    assert [await ratelimit.hit(TIERED, "k") for _ in range(2)] == [None, None]
    wait = await ratelimit.hit(TIERED, "k")
    assert wait is not None and wait <= 60  # slowed down: a minute
    with time_machine.travel(timedelta(minutes=2), tick=True):
        assert [await ratelimit.hit(TIERED, "k") for _ in range(2)] == [None, None]
    with time_machine.travel(timedelta(minutes=4), tick=True):
        wait = await ratelimit.hit(TIERED, "k")
        assert wait is not None and wait > 50 * 60  # blocked: until the first attempt is an hour old


async def test_forget_removes_only_that_key(database):
    await ratelimit.hit(PROBE, "a")
    await ratelimit.hit(PROBE, "b")
    assert await ratelimit.forget(PROBE, "a") == 1
    assert await RateHit.all().count() == 1


async def test_purge_removes_only_rows_no_limit_counts(database):
    await ratelimit.hit(PROBE, "old")
    await ratelimit.hit(TIERED, "old")
    with time_machine.travel(timedelta(minutes=10), tick=True):
        await ratelimit.hit(PROBE, "fresh")
        assert await ratelimit.purge() == 1  # PROBE's old row; TIERED keeps its rows for an hour
        assert await RateHit.filter(bucket="probe").count() == 1
        assert await RateHit.filter(bucket="probe.tiered").count() == 1
