"""The MIME message as it reaches a real SMTP server: German text, long lines, 7-bit relays, international
addresses, pictures and attachments, read back from the wire."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import aiosmtplib
import pytest

from agora.settings import Settings
from notifications import compose, delivery
from notifications.models import OutboxMessage
from notifications.transport import SmtpTransport, parse_smtp_url
from tests.notifications.smtp_sink import Received, SmtpSink

TITLE = "Bürgerdialog „Innenstadt 2030“ – Größe, Grün und Parken für alle Straßen am Markt"
URL = "https://beteiligung.musterstadt.example/umfragen/7/antwort?token=" + "a1b2c3d4" * 8
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg=="
)


def outbox_row(**fields: Any) -> OutboxMessage:
    values: dict[str, Any] = {
        "id": 4711,
        "kind": "survey_reminder",
        "template": "",
        "recipient": "person@example.org",
        "locale": "de",
        "context": {"survey_title": TITLE, "survey_url": URL, "closes_at": None},
        "category": "",
        "created_at": datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
        "attachments": [],
    }
    values.update(fields)
    return OutboxMessage(**values)


async def send_to(sink: SmtpSink, settings: Settings, row: OutboxMessage) -> Received:
    transport = SmtpTransport(parse_smtp_url(sink.url, 5))
    try:
        await transport.send(compose.build(row, settings), compose.envelope_sender(settings), row.recipient)
    finally:
        await transport.close()
    [received] = sink.handler.received
    return received


def wire_text(part: Any) -> str:
    """A text part as the reader sees it (on the wire its lines end in CRLF)."""
    return str(part.get_content()).replace("\r\n", "\n")


def header_block(raw: bytes) -> bytes:
    return raw[: raw.index(b"\r\n\r\n")]


async def test_german_text_travels_intact_and_readable(mail_settings: Settings, smtp: SmtpSink) -> None:
    settings = mail_settings
    row = outbox_row(category="surveys")
    subject, text, html = compose.render_parts(row, settings)
    got = await send_to(smtp, settings, row)
    msg = got.message
    assert TITLE in subject and msg["Subject"] == subject
    assert msg["Reply-To"].addresses[0].display_name == "Wirtschaftsförderung"
    assert msg["Content-Language"] == "de"
    assert msg["Date"].datetime == row.created_at
    # Headers are 7-bit (RFC 2047 words) and no line is longer than SMTP allows.
    assert header_block(got.raw).isascii()
    assert max(len(line) for line in got.raw.split(b"\r\n")) <= 998
    # The unsubscribe address stays on one line, whole.
    unsubscribe = msg["List-Unsubscribe"].strip("<>")
    assert f"List-Unsubscribe: <{unsubscribe}>".encode() in got.raw
    assert unsubscribe.startswith("http://testserver/unsubscribe/")
    # Bodies go as 8bit UTF-8, so the text and the personal link can be read in the raw message too.
    assert "BODY=8BITMIME" in got.mail_options
    assert TITLE.encode() in got.raw and URL.encode() in got.raw
    assert wire_text(msg.get_body(("plain",))) == text
    assert wire_text(msg.get_body(("html",))) == html


async def test_a_relay_without_8bitmime_gets_seven_bit_bodies(mail_settings: Settings) -> None:
    sink = SmtpSink(decode_data=True).start()  # aiosmtpd does not offer 8BITMIME then
    try:
        row = outbox_row()
        _subject, text, _html = compose.render_parts(row, mail_settings)
        got = await send_to(sink, mail_settings, row)
    finally:
        sink.stop()
    assert got.raw.isascii()
    assert not any(option.upper().startswith("BODY=") for option in got.mail_options)
    assert wire_text(got.message.get_body(("plain",))) == text


async def test_a_line_longer_than_smtp_allows_is_quoted_printable(mail_settings: Settings, smtp: SmtpSink) -> None:
    note = "Sehr lange Stellungnahme ohne Zeilenumbruch: " + "Lärmschutz an der Hauptstraße. " * 60
    row = outbox_row(kind="test_message", context={"note": note})
    got = await send_to(smtp, mail_settings, row)
    assert max(len(line) for line in got.raw.split(b"\r\n")) <= 998
    plain = got.message.get_body(("plain",))
    assert plain["Content-Transfer-Encoding"] == "quoted-printable"
    assert note.strip() in plain.get_content()


async def test_lines_starting_with_from_are_left_alone(mail_settings: Settings, smtp: SmtpSink) -> None:
    row = outbox_row(kind="test_message", context={"note": "From now on the town hall opens at eight."})
    got = await send_to(smtp, mail_settings, row)
    body = got.message.get_body(("plain",)).get_content()
    assert "From now on the town hall opens at eight." in body and ">From" not in body


async def test_an_international_address_goes_out_under_smtputf8(mail_settings: Settings) -> None:
    sink = SmtpSink(enable_SMTPUTF8=True).start()  # aiosmtpd's default, spelled out
    try:
        got = await send_to(sink, mail_settings, outbox_row(recipient="jürgen@bäckerei.example"))
    finally:
        sink.stop()
    assert got.recipients == ["jürgen@bäckerei.example"]
    assert "SMTPUTF8" in got.mail_options
    assert got.message["To"] == "jürgen@bäckerei.example"


async def test_a_relay_without_smtputf8_refuses_an_international_address_for_good(mail_settings: Settings) -> None:
    sink = SmtpSink(enable_SMTPUTF8=False).start()
    try:
        with pytest.raises(aiosmtplib.SMTPNotSupported) as refused:
            await send_to(sink, mail_settings, outbox_row(recipient="jürgen@bäckerei.example"))
    finally:
        sink.stop()
    transient, suppress, _text = delivery.classify(refused.value)
    assert not transient and not suppress
    assert sink.handler.received == []


async def test_pictures_and_attachments_keep_their_places(mail_settings: Settings, smtp: SmtpSink) -> None:
    ics = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    attachments = [
        {
            "filename": "code.png",
            "content_type": "image/png",
            "content": base64.b64encode(PNG).decode(),
            "content_id": "qr@agora",
        },
        {
            "filename": "Tagesordnung März.ics",
            "content_type": "text/calendar; method=REQUEST",
            "content": base64.b64encode(ics).decode(),
        },
    ]
    got = await send_to(smtp, mail_settings, outbox_row(attachments=attachments))
    msg = got.message
    assert msg.get_content_type() == "multipart/mixed"
    alternative, calendar = msg.get_payload()
    plain, related = alternative.get_payload()
    assert plain.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html, picture = related.get_payload()
    assert html.get_content_type() == "text/html"
    assert picture["Content-ID"] == "<qr@agora>" and picture.get_content_disposition() == "inline"
    assert picture.get_payload(decode=True) == PNG
    assert calendar.get_content_type() == "text/calendar" and calendar.get_param("method") == "REQUEST"
    assert calendar.get_filename() == "Tagesordnung März.ics"
    assert calendar.get_payload(decode=True) == ics
    assert header_block(got.raw).isascii()
    # MIME-Version belongs to the message, once, not to its parts.
    assert got.raw.count(b"MIME-Version:") == 1
    assert all(part["MIME-Version"] is None for part in list(msg.walk())[1:])


async def test_the_same_row_gives_the_same_message(mail_settings: Settings) -> None:
    """A retry resends the very message: only the MIME boundaries, which no reader sees, differ."""
    import re

    row = outbox_row(category="surveys")
    first, again = (compose.as_bytes(compose.build(row, mail_settings)) for _ in range(2))
    boundary = re.compile(rb"=_[0-9a-f]{32}")
    assert boundary.sub(b"B", first) == boundary.sub(b"B", again)
    assert first != again
