"""Delivery, the one path every topology runs: claim a batch of rows, compose, send concurrently, mark outcomes."""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast

import aiosmtplib
from tortoise.expressions import Case, F, Q, When

from agora.settings import Settings
from notifications import compose
from notifications.models import FAILED, QUEUED, SENDING, SENT, OutboxMessage, Suppression
from notifications.transport import (
    FileTransport,
    SmtpConfig,
    SmtpTransport,
    Transport,
    new_client,
    parse_smtp_url,
    smtp_timeout,
    transport_for,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
MAX_BACKOFF = 3600.0
# Codes by which a server says "this mailbox does not exist / is not accepted": the address is suppressed.
SUPPRESS_CODES = {550, 551, 553}
# Row ids per broker message and per claim: one claim, one compose loop, few outcome writes for all of them.
BATCH_SIZE = 100


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Outcome:
    status: str  # "sent", "retry", "failed" or "skipped" (someone else has it, or it is not due)
    retry_in: float | None = None
    error: str = ""


def classify(exc: BaseException) -> tuple[bool, bool, str]:
    """(transient, suppress the address, description) for a failed send."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        refusals = exc.recipients
        code = refusals[0].code if refusals else 550
        text = "; ".join(f"{r.code} {r.message}" for r in refusals) or str(exc)
        return code < 500, code in SUPPRESS_CODES, f"recipient refused: {text}"
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        # A wrong password is a configuration fault staff can fix; the mail itself is fine, so keep retrying.
        return True, False, f"authentication failed: {exc.code} {exc.message}"
    if isinstance(exc, aiosmtplib.SMTPRecipientRefused):
        return exc.code < 500, exc.code in SUPPRESS_CODES, f"recipient refused: {exc.code} {exc.message}"
    if isinstance(exc, aiosmtplib.SMTPNotSupported):
        # The relay lacks what the message needs (SMTPUTF8 for an international address): retrying cannot help.
        return False, False, f"not supported by the mail server: {exc}"
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return exc.code < 500, False, f"{type(exc).__name__}: {exc.code} {exc.message}"
    if isinstance(exc, (aiosmtplib.SMTPException, OSError, TimeoutError, asyncio.TimeoutError)):
        return True, False, f"{type(exc).__name__}: {exc}"
    return False, False, f"{type(exc).__name__}: {exc}"


def backoff(attempts: int, base: float) -> float:
    """Exponential, jittered in the upper half, so that a burst of failures does not retry in lockstep."""
    ceiling = min(MAX_BACKOFF, base * (2 ** max(0, attempts - 1)))
    return ceiling / 2 + random.random() * ceiling / 2  # noqa: S311 - jitter, not security


def chunks(ids: Sequence[int], size: int = BATCH_SIZE) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


async def claim_batch(row_ids: Sequence[int], token: str, settings: Settings) -> list[OutboxMessage]:
    """One conditional UPDATE takes every due queued row of the batch, or one whose claim went stale; the
    rows carrying our token are ours. Under concurrent claims PostgreSQL re-checks the condition on the
    locked row, so a row goes to exactly one claimant."""
    moment = now()
    stale = moment - timedelta(seconds=settings.mail_claim_timeout)
    due = (
        Q(status=QUEUED)
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=moment))
        & (Q(not_before__isnull=True) | Q(not_before__lte=moment))
    )
    taken = await OutboxMessage.filter(
        Q(id__in=list(row_ids)) & (due | Q(status=SENDING, claimed_at__lte=stale))
    ).update(status=SENDING, claim_token=token, claimed_at=moment, attempts=F("attempts") + 1)
    if not taken:
        return []
    return list(await OutboxMessage.filter(id__in=list(row_ids), claim_token=token).order_by("id"))


async def claim(row_id: int, token: str, settings: Settings) -> bool:
    return bool(await claim_batch([row_id], token, settings))


class _SentMarks:
    """Group commit of "sent": whoever finds marks pending writes all of them in one UPDATE guarded by the
    batch's claim token, while the others wait for that statement instead of issuing their own."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.pending: dict[int, str] = {}
        self.failed: set[int] = set()
        self.lock = asyncio.Lock()

    async def add(self, row_id: int, message_id: str) -> None:
        self.pending[row_id] = message_id
        async with self.lock:
            if row_id not in self.pending:
                if row_id in self.failed:
                    raise RuntimeError(f"could not mark outbox row {row_id} as sent")
                return
            group, self.pending = self.pending, {}
            try:
                await self._write(group)
            except BaseException:
                self.failed.update(group)
                raise

    async def _write(self, group: dict[int, str]) -> None:
        # The Message-ID is fixed by the row, so one CASE gives every row its own.
        message_ids = Case(*(When(id=row_id, then=mid) for row_id, mid in group.items()), default=F("message_id"))
        updated = await OutboxMessage.filter(id__in=list(group), claim_token=self.token, status=SENDING).update(
            status=SENT, sent_at=now(), message_id=message_ids, last_error="", claim_token=None
        )
        if updated < len(group):
            log.warning("%d outbox rows were sent, but their claim had been taken over meanwhile", len(group) - updated)


# Per transport: rows being sent or sent and not yet marked. A worker killed at any moment sends at most
# these again; the bound is twice the connections, so sending goes on while the marks are written.
_windows: weakref.WeakKeyDictionary[object, asyncio.Semaphore] = weakref.WeakKeyDictionary()


def _window(transport: Transport) -> asyncio.Semaphore:
    window = _windows.get(transport)
    if window is None:
        window = _windows[transport] = asyncio.Semaphore(2 * transport.size)
    return window


async def deliver_batch(
    row_ids: Sequence[int], settings: Settings, transport: Transport, *, max_attempts: int = MAX_ATTEMPTS
) -> dict[int, Outcome]:
    """Deliver what the batch still owes: an Outcome per row id (a retry says when to hand the row over)."""
    ids = list(dict.fromkeys(row_ids))
    token = secrets.token_hex(16)
    rows = await claim_batch(ids, token, settings)
    outcomes: dict[int, Outcome] = {}
    claimed = {row.id for row in rows}
    unclaimed = [row_id for row_id in ids if row_id not in claimed]
    if unclaimed:
        outcomes.update(await _not_claimed(unclaimed))
    if not rows:
        return outcomes
    marks = _SentMarks(token)
    sender = compose.envelope_sender(settings)
    window = _window(transport)

    async def one(row: OutboxMessage) -> None:
        async with window:
            outcomes[row.id] = await _deliver_row(row, token, marks, sender, settings, transport, max_attempts)

    results = await asyncio.gather(*(one(row) for row in rows), return_exceptions=True)
    # Rows without an outcome stay claimed; once the claim is stale the sweeper hands them over again.
    errors = [r for r in results if isinstance(r, BaseException)]
    if errors:
        raise errors[0]
    return outcomes


async def _deliver_row(
    row: OutboxMessage,
    token: str,
    marks: _SentMarks,
    sender: str,
    settings: Settings,
    transport: Transport,
    max_attempts: int,
) -> Outcome:
    try:
        msg = compose.build(row, settings)
    except Exception as exc:  # noqa: BLE001 - a broken template is permanent; staff see it in the mail log
        log.exception("cannot compose outbox row %s", row.id)
        await _finish(row.id, token, status=FAILED, last_error=f"cannot compose: {type(exc).__name__}: {exc}")
        return Outcome("failed", error=str(exc))
    try:
        await transport.send(msg, sender, row.recipient)
    except Exception as exc:  # noqa: BLE001 - every failure is classified and recorded
        transient, suppress, text = classify(exc)
        if transient and row.attempts < max_attempts:
            delay = backoff(row.attempts, settings.mail_retry_base)
            await _finish(
                row.id,
                token,
                status=QUEUED,
                last_error=text,
                next_attempt_at=now() + timedelta(seconds=delay),
                dispatched_at=now(),
            )
            log.info("outbox row %s: transient failure (%s), retry in %.1fs", row.id, text, delay)
            return Outcome("retry", retry_in=delay, error=text)
        if suppress:
            await Suppression.get_or_create(address=row.recipient, defaults={"reason": text[:1000]})
        await _finish(row.id, token, status=FAILED, last_error=text)
        log.warning("outbox row %s failed permanently: %s", row.id, text)
        return Outcome("failed", error=text)
    await marks.add(row.id, msg["Message-ID"])
    return Outcome("sent")


async def deliver(
    row_id: int, settings: Settings, transport: Transport, *, max_attempts: int = MAX_ATTEMPTS
) -> Outcome:
    """One row, through the batch path."""
    outcomes = await deliver_batch([row_id], settings, transport, max_attempts=max_attempts)
    return outcomes.get(row_id, Outcome("skipped"))


def retry_groups(outcomes: dict[int, Outcome]) -> list[tuple[list[int], float]]:
    """Rows to hand over again, grouped so that rows due at about the same time travel in one message
    (each group waits for its latest row: nobody is handed over before being due)."""
    due = sorted((o.retry_in, row_id) for row_id, o in outcomes.items() if o.status == "retry" and o.retry_in)
    groups: list[tuple[list[int], float]] = []
    first = 0.0
    for retry_in, row_id in due:
        if groups and retry_in <= first * 1.5 + 0.05 and len(groups[-1][0]) < BATCH_SIZE:
            groups[-1][0].append(row_id)
            groups[-1] = (groups[-1][0], retry_in)
        else:
            first = retry_in
            groups.append(([row_id], retry_in))
    return groups


async def _finish(row_id: int, token: str, **changes: object) -> bool:
    """Record the outcome only while the claim is still ours."""
    changes.setdefault("claim_token", None)
    updated = await OutboxMessage.filter(id=row_id, claim_token=token, status=SENDING).update(**changes)
    return bool(updated)


async def _not_claimed(row_ids: list[int]) -> dict[int, Outcome]:
    outcomes = dict.fromkeys(row_ids, Outcome("skipped"))
    moment = now()
    for row in await OutboxMessage.filter(id__in=row_ids, status=QUEUED):
        due = max((t for t in (row.next_attempt_at, row.not_before) if t is not None), default=None)
        # Arrived a little early (clocks, delayed messages), or became due just now: try again when it is due.
        remaining = (due - moment).total_seconds() if due is not None else 0.0
        outcomes[row.id] = Outcome("retry", retry_in=max(0.05, remaining + 0.05))
    return outcomes


async def resend(row_id: int) -> bool:
    """Staff asked to try a failed message again: it is queued afresh with a new set of attempts."""
    updated = await OutboxMessage.filter(id=row_id, status=FAILED).update(
        status=QUEUED, attempts=0, next_attempt_at=None, claim_token=None, last_error="", dispatched_at=None
    )
    return bool(updated)


async def sweep(settings: Settings, *, limit: int = 1000, grace_seconds: float = 5.0) -> list[int]:
    """Ids of rows committed but never dispatched, dispatched long ago but never taken, or stale claims."""
    moment = now()
    stale = moment - timedelta(seconds=settings.mail_claim_timeout)
    due = (
        Q(status=QUEUED)
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=moment))
        & (Q(not_before__isnull=True) | Q(not_before__lte=moment))
        & (
            Q(dispatched_at__isnull=True, created_at__lte=moment - timedelta(seconds=grace_seconds))
            | Q(dispatched_at__lte=stale)
        )
    )
    query = OutboxMessage.filter(due | Q(status=SENDING, claimed_at__lte=stale)).order_by("id").limit(limit)
    return cast(list[int], list(await query.values_list("id", flat=True)))


__all__ = [
    "BATCH_SIZE",
    "FileTransport",
    "Outcome",
    "SENT",
    "SmtpConfig",
    "SmtpTransport",
    "Transport",
    "claim",
    "claim_batch",
    "classify",
    "deliver",
    "deliver_batch",
    "new_client",
    "parse_smtp_url",
    "resend",
    "retry_groups",
    "smtp_timeout",
    "sweep",
    "transport_for",
]
