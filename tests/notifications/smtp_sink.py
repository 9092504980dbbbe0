"""A real SMTP server (aiosmtpd) on loopback that can be told to misbehave; tests and the benchmark use it."""

from __future__ import annotations

import asyncio
import random
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser, BytesParser
from typing import Any

from aiosmtpd.controller import Controller

ACTIONS = ("451", "550", "drop", "stall")


def read_back(message: Message) -> EmailMessage:
    """A composed message as a mail client reads it: serialised as sent, then parsed."""
    from notifications import compose

    return BytesParser(policy=policy.default).parsebytes(compose.as_bytes(message))  # type: ignore[return-value]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    envelope_from: str
    recipients: list[str]
    message: EmailMessage
    at: float
    raw: bytes = b""
    mail_options: list[str] = field(default_factory=list)


@dataclass
class FaultyHandler:
    """Each SMTP transaction (MAIL FROM) draws an action: a planned one, else by fraction, else accept."""

    seed: int = 1
    stall_seconds: float = 5.0
    received: list[Received] = field(default_factory=list)
    planned: list[str] = field(default_factory=list)
    fractions: dict[str, float] = field(default_factory=dict)
    refuse: set[str] = field(default_factory=set)  # recipients always answered 550
    actions_taken: Counter = field(default_factory=Counter)
    parse: bool = True
    headers_only: bool = False  # parse only the header block (the benchmark needs no more, and saves the CPU)
    accept_delay: float = 0.0  # seconds spent on every accepted message, to slow a batch down
    lock: threading.Lock = field(default_factory=threading.Lock)
    greetings: int = 0  # EHLOs seen: one per connection the client opened

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)  # noqa: S311 - fault injection, not security

    def fail_next(self, action: str, count: int = 1) -> None:
        assert action in ACTIONS
        with self.lock:
            self.planned.extend([action] * count)

    def set_fractions(self, **fractions: float) -> None:
        """e.g. set_fractions(**{"451": 0.2, "drop": 0.05})"""
        with self.lock:
            self.fractions = dict(fractions)

    def _draw(self) -> str:
        with self.lock:
            if self.planned:
                return self.planned.pop(0)
            roll = self.rng.random()
            for action, share in self.fractions.items():
                if roll < share:
                    return action
                roll -= share
        return "accept"

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: ANN001, ANN201, N802
        session.host_name = hostname
        with self.lock:
            self.greetings += 1
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: ANN001, ANN201, N802
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        envelope.agora_action = self._draw()  # type: ignore[attr-defined]
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001, ANN201, N802
        action = getattr(envelope, "agora_action", "accept")
        if address.lower() in self.refuse:
            self.actions_taken["refused"] += 1
            return "550 5.1.1 No such user here"
        if action == "550":
            self.actions_taken["550"] += 1
            return "550 5.1.1 No such user here"
        if action == "drop":
            self.actions_taken["drop"] += 1
            server.transport.close()
            return "421 4.4.2 Connection dropped"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        action = getattr(envelope, "agora_action", "accept")
        if action == "451":
            self.actions_taken["451"] += 1
            return "451 4.3.0 Try again later"
        if action == "stall":
            self.actions_taken["stall"] += 1
            await asyncio.sleep(self.stall_seconds)
            server.transport.close()
            return "421 4.4.2 Timeout"
        if self.accept_delay:
            await asyncio.sleep(self.accept_delay)
        parser = BytesHeaderParser if self.headers_only else BytesParser
        message = parser(policy=policy.default).parsebytes(envelope.original_content) if self.parse else None
        with self.lock:
            self.received.append(
                Received(
                    envelope.mail_from,
                    list(envelope.rcpt_tos),
                    message,  # type: ignore[arg-type]
                    time.time(),
                    envelope.original_content or b"",
                    list(envelope.mail_options),
                )
            )
        self.actions_taken["accepted"] += 1
        return "250 Message accepted for delivery"

    def message_ids(self) -> Counter:
        with self.lock:
            return Counter(r.message["Message-ID"] for r in self.received)


class SmtpSink:
    def __init__(self, handler: FaultyHandler | None = None, **server_options: Any) -> None:
        """server_options go to aiosmtpd's SMTP: enable_SMTPUTF8=True, or decode_data=True (no 8BITMIME)."""
        self.handler = handler or FaultyHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **server_options)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> SmtpSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()
