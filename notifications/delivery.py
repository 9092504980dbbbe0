"""Delivery, the one function every topology runs: claim a row, compose, send, mark the outcome."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import secrets
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import cast
from urllib.parse import unquote, urlsplit

import aiosmtplib
from tortoise.expressions import F, Q

from agora.settings import Settings
from notifications import compose
from notifications.models import FAILED, QUEUED, SENDING, SENT, OutboxMessage, Suppression

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
MAX_BACKOFF = 3600.0
# Codes by which a server says "this mailbox does not exist / is not accepted": the address is suppressed.
SUPPRESS_CODES = {550, 551, 553}


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class SmtpConfig:
    hostname: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool
    start_tls: bool
    timeout: float


def parse_smtp_url(url: str, timeout: float = 30.0) -> SmtpConfig:
    """smtp://user:pass@host:port (plain), smtp+starttls://... (STARTTLS), smtps://... (implicit TLS)."""
    parts = urlsplit(url)
    scheme = parts.scheme
    default_port = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}[scheme]
    return SmtpConfig(
        hostname=parts.hostname or "localhost",
        port=parts.port or default_port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        use_tls=scheme == "smtps",
        start_tls=scheme == "smtp+starttls",
        timeout=timeout,
    )


def smtp_timeout(settings: Settings) -> float:
    # Well below the claim timeout: a send must end (or fail) before another worker may take the row over.
    return max(0.5, min(30.0, settings.mail_claim_timeout / 3))


def new_client(config: SmtpConfig) -> aiosmtplib.SMTP:
    return aiosmtplib.SMTP(
        hostname=config.hostname,
        port=config.port,
        username=config.username,
        password=config.password,
        use_tls=config.use_tls,
        start_tls=True if config.start_tls else False,
        timeout=config.timeout,
        tls_context=ssl.create_default_context(),
    )


class SmtpTransport:
    """A small pool of open SMTP connections, reused across messages and closed on any error."""

    def __init__(self, config: SmtpConfig, size: int = 4) -> None:
        self.config = config
        self.size = size
        self._idle: list[aiosmtplib.SMTP] = []

    async def send(self, msg: EmailMessage, sender: str, recipient: str) -> None:
        client = self._idle.pop() if self._idle else None
        if client is None or not client.is_connected:
            client = new_client(self.config)
            await client.connect()
        try:
            await client.send_message(msg, sender=sender, recipients=[recipient])
        except aiosmtplib.SMTPRecipientsRefused:
            # The connection itself is fine after a refused recipient; reset the transaction and keep it.
            await self._keep_or_close(client, reset=True)
            raise
        except BaseException:
            await _close_quietly(client)
            raise
        await self._keep_or_close(client)

    async def _keep_or_close(self, client: aiosmtplib.SMTP, reset: bool = False) -> None:
        if reset:
            try:
                await client.rset()
            except Exception:  # noqa: BLE001 - a broken connection is simply not reused
                await _close_quietly(client)
                return
        if len(self._idle) < self.size and client.is_connected:
            self._idle.append(client)
        else:
            await _close_quietly(client)

    async def close(self) -> None:
        while self._idle:
            await _close_quietly(self._idle.pop(), polite=True)


async def _close_quietly(client: aiosmtplib.SMTP, polite: bool = False) -> None:
    try:
        if polite and client.is_connected:
            await asyncio.wait_for(client.quit(), 2)
    except Exception:  # noqa: BLE001 - closing must not fail the caller
        log.debug("closing an SMTP connection failed", exc_info=True)
    client.close()


class FileTransport:
    """Embedded mode: each message becomes <data_dir>/mail/outbox-<id>.eml; a retry overwrites it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def send(self, msg: EmailMessage, sender: str, recipient: str) -> None:
        await asyncio.to_thread(self._write, msg)

    def _write(self, msg: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        row_id = msg["Message-ID"].strip("<>").split(".")[0].removeprefix("outbox-")
        target = self.directory / f"outbox-{row_id}.eml"
        tmp = self.directory / f".outbox-{row_id}.{secrets.token_hex(4)}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(msg.as_bytes())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)

    async def close(self) -> None:
        return None


Transport = SmtpTransport | FileTransport


def transport_for(settings: Settings) -> Transport:
    if settings.smtp_url:
        return SmtpTransport(parse_smtp_url(settings.smtp_url, smtp_timeout(settings)))
    return FileTransport(settings.mail_dir)


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
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return exc.code < 500, False, f"{type(exc).__name__}: {exc.code} {exc.message}"
    if isinstance(exc, (aiosmtplib.SMTPException, OSError, TimeoutError, asyncio.TimeoutError)):
        return True, False, f"{type(exc).__name__}: {exc}"
    return False, False, f"{type(exc).__name__}: {exc}"


def backoff(attempts: int, base: float) -> float:
    """Exponential, jittered in the upper half, so that a burst of failures does not retry in lockstep."""
    ceiling = min(MAX_BACKOFF, base * (2 ** max(0, attempts - 1)))
    return ceiling / 2 + random.random() * ceiling / 2  # noqa: S311 - jitter, not security


async def claim(row_id: int, token: str, settings: Settings) -> bool:
    """One conditional UPDATE: only a due queued row, or one whose claim went stale, can be taken."""
    moment = now()
    stale = moment - timedelta(seconds=settings.mail_claim_timeout)
    due = (
        Q(status=QUEUED)
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=moment))
        & (Q(not_before__isnull=True) | Q(not_before__lte=moment))
    )
    taken = await OutboxMessage.filter(Q(id=row_id) & (due | Q(status=SENDING, claimed_at__lte=stale))).update(
        status=SENDING, claim_token=token, claimed_at=moment, attempts=F("attempts") + 1
    )
    return bool(taken)


async def deliver(
    row_id: int, settings: Settings, transport: Transport, *, max_attempts: int = MAX_ATTEMPTS
) -> Outcome:
    token = secrets.token_hex(16)
    if not await claim(row_id, token, settings):
        return await _not_claimed(row_id)
    row = await OutboxMessage.get(id=row_id)
    try:
        msg = compose.build(row, settings)
    except Exception as exc:  # noqa: BLE001 - a broken template is permanent; staff see it in the mail log
        log.exception("cannot compose outbox row %s", row_id)
        await _finish(row_id, token, status=FAILED, last_error=f"cannot compose: {type(exc).__name__}: {exc}")
        return Outcome("failed", error=str(exc))
    try:
        await transport.send(msg, compose.envelope_sender(settings), row.recipient)
    except Exception as exc:  # noqa: BLE001 - every failure is classified and recorded
        transient, suppress, text = classify(exc)
        if transient and row.attempts < max_attempts:
            delay = backoff(row.attempts, settings.mail_retry_base)
            await _finish(
                row_id,
                token,
                status=QUEUED,
                last_error=text,
                next_attempt_at=now() + timedelta(seconds=delay),
                dispatched_at=now(),
            )
            log.info("outbox row %s: transient failure (%s), retry in %.1fs", row_id, text, delay)
            return Outcome("retry", retry_in=delay, error=text)
        if suppress:
            await Suppression.get_or_create(address=row.recipient, defaults={"reason": text[:1000]})
        await _finish(row_id, token, status=FAILED, last_error=text)
        log.warning("outbox row %s failed permanently: %s", row_id, text)
        return Outcome("failed", error=text)
    marked = await _finish(row_id, token, status=SENT, sent_at=now(), message_id=msg["Message-ID"], last_error="")
    if not marked:
        log.warning("outbox row %s was sent, but its claim had been taken over meanwhile", row_id)
    return Outcome("sent")


async def _finish(row_id: int, token: str, **changes: object) -> bool:
    """Record the outcome only while the claim is still ours."""
    changes.setdefault("claim_token", None)
    updated = await OutboxMessage.filter(id=row_id, claim_token=token, status=SENDING).update(**changes)
    return bool(updated)


async def _not_claimed(row_id: int) -> Outcome:
    row = await OutboxMessage.get_or_none(id=row_id)
    if row is None or row.status != QUEUED:
        return Outcome("skipped")
    due = max((t for t in (row.next_attempt_at, row.not_before) if t is not None), default=None)
    # Arrived a little early (clocks, delayed messages), or became due just now: try again when it is due.
    remaining = (due - now()).total_seconds() if due is not None else 0.0
    return Outcome("retry", retry_in=max(0.05, remaining + 0.05))


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
    "FileTransport",
    "Outcome",
    "SmtpTransport",
    "claim",
    "classify",
    "deliver",
    "resend",
    "sweep",
    "transport_for",
    "SENT",
]
