"""Where composed mail goes: a bounded pool of SMTP connections, or .eml files in embedded mode."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import ssl
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from urllib.parse import unquote, urlsplit

import aiosmtplib

from agora.settings import Settings
from notifications import compose

log = logging.getLogger(__name__)

# Connections one process keeps open to the relay, and sends over at the same time.
SMTP_CONNECTIONS = 8
_CONNECTION_LOST = (aiosmtplib.SMTPServerDisconnected, ConnectionError)


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


def new_client(config: SmtpConfig, tls_context: ssl.SSLContext | None = None) -> aiosmtplib.SMTP:
    return aiosmtplib.SMTP(
        hostname=config.hostname,
        port=config.port,
        username=config.username,
        password=config.password,
        use_tls=config.use_tls,
        start_tls=True if config.start_tls else False,
        timeout=config.timeout,
        tls_context=tls_context or ssl.create_default_context(),
    )


class SmtpTransport:
    """At most `size` SMTP connections at once, reused across messages and kept after an answer that refuses
    a message; any other error closes the connection."""

    def __init__(self, config: SmtpConfig, size: int = SMTP_CONNECTIONS) -> None:
        self.config = config
        self.size = size
        self._idle: list[aiosmtplib.SMTP] = []
        self._slots: asyncio.Semaphore | None = None
        # Loading the system's CA certificates takes milliseconds of CPU: once per pool, not per connection.
        self._tls = ssl.create_default_context()

    async def send(self, msg: Message, sender: str, recipient: str) -> None:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.size)
        async with self._slots:
            await self._send(msg, sender, recipient)

    async def _send(self, msg: Message, sender: str, recipient: str) -> None:
        client = self._idle.pop() if self._idle else None
        if client is None or not client.is_connected:
            await self._transaction(None, msg, sender, recipient)
            return
        try:
            await self._transaction(client, msg, sender, recipient)
        except _CONNECTION_LOST:
            # The relay closed the kept connection meanwhile (idle timeout, restart, a dropped line): that
            # says nothing about this message, which gets one more try on a new connection before it counts
            # as a failed attempt.
            await self._transaction(None, msg, sender, recipient)

    async def _transaction(self, client: aiosmtplib.SMTP | None, msg: Message, sender: str, recipient: str) -> None:
        if client is None:
            client = new_client(self.config, self._tls)
            await client.connect()
        try:
            if client.is_ehlo_or_helo_needed:
                await client.ehlo()
            eight_bit = client.supports_extension("8bitmime")
            raw = compose.as_bytes(msg, eight_bit=eight_bit)
            options = ["BODY=8BITMIME"] if eight_bit else []
            headers, _, _ = raw.partition(b"\r\n\r\n")
            if not (sender + recipient).isascii() or not headers.isascii():
                options.append("SMTPUTF8")  # an internationalised address; refused where the relay lacks it
            await client.sendmail(sender, [recipient], raw, mail_options=options)
        except (aiosmtplib.SMTPResponseException, aiosmtplib.SMTPRecipientsRefused):
            # The server answered (a refused recipient, 451 at DATA) and aiosmtplib has sent RSET: the
            # connection is in step and is kept, unless the server closed it (421).
            await self._keep_or_close(client)
            raise
        except BaseException:
            await _close_quietly(client)
            raise
        await self._keep_or_close(client)

    async def _keep_or_close(self, client: aiosmtplib.SMTP) -> None:
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

    size = 4

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def send(self, msg: Message, sender: str, recipient: str) -> None:
        await asyncio.to_thread(self._write, msg)

    def _write(self, msg: Message) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        row_id = msg["Message-ID"].strip("<>").split(".")[0].removeprefix("outbox-")
        target = self.directory / f"outbox-{row_id}.eml"
        tmp = self.directory / f".outbox-{row_id}.{secrets.token_hex(4)}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(compose.as_bytes(msg))
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
