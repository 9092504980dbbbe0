"""The one rate limit: counted attempts in one table, sliding windows, shared by every process.

A limit names a bucket ("accounts.signin.pair", "events.registration", ...) and one or more tiers
(at most n attempts within a window); a short tier slows a burst down, a long one blocks a persistent guesser.
The key (an address, an email address, a pair of both) is stored only as a keyed hash, so the table never holds
personal data in clear, and each row carries the moment it stops counting, so one purge serves every bucket.

Two processes may both let the limit-th attempt through at once: a limit is a brake on abuse, not an exact quota.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise import fields
from tortoise.models import Model

from agora.settings import Settings


class RateHit(Model):
    """One counted attempt of a rate-limited action, kept only while some limit still counts it."""

    id = fields.IntField(primary_key=True)
    bucket = fields.CharField(max_length=60)
    key = fields.CharField(max_length=64)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "agora_ratehit"
        indexes = (("bucket", "key", "created_at"),)


__models__ = [RateHit]


@dataclass(frozen=True)
class Limit:
    """At most `count` attempts within `window`, per tier; every tier must allow an attempt."""

    bucket: str
    tiers: tuple[tuple[int, timedelta], ...]

    @property
    def keep(self) -> timedelta:
        return max(window for _count, window in self.tiers)


def limit(bucket: str, count: int, window: timedelta, *more: tuple[int, timedelta]) -> Limit:
    return Limit(bucket, ((count, window), *more))


_secret = b""


def configure(settings: Settings) -> None:
    """Called when the database is opened (agora.db.init_db): keys are hashed with the installation's secret."""
    global _secret
    _secret = settings.secret_key.encode()


def _now() -> datetime:
    return datetime.now(UTC)


def hashed(bucket: str, key: str) -> str:
    if not _secret:
        raise RuntimeError("agora.ratelimit is not configured; open the database with agora.db.init_db")
    return hmac.new(_secret, f"{bucket}\0{key}".encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


async def retry_after(rule: Limit, key: str) -> int | None:
    """None when one more attempt is allowed; else the seconds until it is (at least 1). Counts nothing."""
    moment = _now()
    digest = hashed(rule.bucket, key)
    wait = 0.0
    for count, window in rule.tiers:
        recent = RateHit.filter(bucket=rule.bucket, key=digest, created_at__gte=moment - window)
        seen = await recent.count()
        if seen < count:
            continue
        # The attempt that must leave the window before one more fits in.
        oldest = await recent.order_by("created_at").offset(seen - count).first()
        if oldest is not None:
            wait = max(wait, (oldest.created_at + window - moment).total_seconds())
    return max(1, math.ceil(wait)) if wait > 0 else None


async def record(rule: Limit, key: str) -> None:
    """Count one attempt (a failed sign-in, a request sent) against the limit."""
    moment = _now()
    await RateHit.create(
        bucket=rule.bucket, key=hashed(rule.bucket, key), created_at=moment, expires_at=moment + rule.keep
    )


_TIER_ROOM = (
    "(SELECT COUNT(*) FROM agora_ratehit WHERE bucket = $1::varchar AND key = $2::varchar"
    " AND created_at >= ${since}::timestamptz) < ${most}::bigint"
)
_COUNTED_INSERT = (
    "WITH counted AS (INSERT INTO agora_ratehit (bucket, key, created_at, expires_at)"
    " SELECT $1::varchar, $2::varchar, $3::timestamptz, $4::timestamptz WHERE {room} RETURNING id)"
    " SELECT id FROM counted"
)


async def hit(rule: Limit, key: str) -> int | None:
    """Count one attempt unless the limit is reached: None when allowed, else the seconds to wait (not counted).

    On PostgreSQL the check and the count are one statement (an INSERT that only happens while every tier has
    room), so an allowed attempt, the common case on a busy form, costs one round trip; the wait is worked
    out only for a refused one."""
    client = RateHit._meta.db
    if client.capabilities.dialect != "postgres":
        wait = await retry_after(rule, key)
        if wait is None:
            await record(rule, key)
        return wait
    moment = _now()
    digest = hashed(rule.bucket, key)
    values: list[object] = [rule.bucket, digest, moment, moment + rule.keep]
    room = []
    for count, window in rule.tiers:
        values += [moment - window, count]
        # Only placeholder numbers go into the text; every value travels as a parameter.
        room.append(_TIER_ROOM.format(since=len(values) - 1, most=len(values)))
    rows = await client.execute_query_dict(_COUNTED_INSERT.format(room=" AND ".join(room)), values)
    if rows:
        return None
    # Refused; should an attempt have left the window meanwhile, the next try is counted instead.
    return await retry_after(rule, key) or 1


async def forget(rule: Limit, key: str) -> int:
    """Remove the counted attempts of one key (a successful sign-in, a deleted account)."""
    return await RateHit.filter(bucket=rule.bucket, key=hashed(rule.bucket, key)).delete()


async def purge() -> int:
    """Retention: rows no limit counts any more."""
    return await RateHit.filter(expires_at__lt=_now()).delete()


def minutes(seconds: int) -> int:
    """A wait in whole minutes for a message, at least one."""
    return max(1, math.ceil(seconds / 60))
