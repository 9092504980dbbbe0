"""Turning an outbox row into a MIME message: templates per kind, fixed Message-ID, the headers mail needs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import secrets
from email.charset import QP, Charset
from email.generator import BytesGenerator
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.policy import Compat32
from email.utils import format_datetime, formataddr, parseaddr
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import jinja2

from agora import i18n
from agora.settings import Settings
from agora.web import templates

if TYPE_CHECKING:
    from notifications.models import OutboxMessage

MAIL_TEMPLATES = "notifications/mail"
# Plain-text parts and subjects must not be HTML-escaped; same loader, filters and gettext as the pages.
_text_env: jinja2.Environment = templates.overlay(autoescape=False)


class _WirePolicy(Compat32):
    """compat32, because it stores headers as given instead of parsing each one into objects (that parsing was
    most of a mail's CPU); every header here is set ready for the wire, so it is written as it stands. No
    folding below 998 octets: a folded List-Unsubscribe URL would no longer work."""

    def fold_binary(self, name: str, value: Any) -> bytes:
        unfolded = value.replace("\r\n ", "") if isinstance(value, str) else ""
        if unfolded and "\r" not in unfolded and "\n" not in unfolded:
            return f"{name}: {value}{self.linesep}".encode()
        return super().fold_binary(name, value)


_POLICY = _WirePolicy(linesep="\r\n", max_line_length=998, mangle_from_=False)
_POLICY_7BIT = _POLICY.clone(cte_type="7bit")
_UTF8_8BIT = Charset("utf-8")
_UTF8_8BIT.body_encoding = None  # type: ignore[assignment]  # None: 8bit UTF-8, readable as it stands
_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP


def message_id(row_id: int, settings: Settings) -> str:
    """Fixed by the row: a retry sends the same Message-ID, so receivers can recognise a duplicate."""
    digest = hmac.new(settings.secret_key.encode(), f"outbox-{row_id}".encode(), hashlib.sha256).hexdigest()[:12]
    host = urlsplit(settings.base_url).hostname or "agora.invalid"
    return f"<outbox-{row_id}.{digest}@{host}>"


def envelope_sender(settings: Settings) -> str:
    return parseaddr(settings.mail_from)[1] or "noreply@agora.invalid"


def render_parts(row: OutboxMessage, settings: Settings) -> tuple[str, str, str]:
    """(subject, plain text, HTML) in the row's language."""
    from notifications import api

    folder = f"{MAIL_TEMPLATES}/{row.template or row.kind}"
    unsubscribe = api.unsubscribe_url(row.recipient, row.category) if row.category else ""
    ctx: dict[str, Any] = {
        **(row.context or {}),
        "lang": row.locale,
        "recipient": row.recipient,
        "base_url": settings.base_url,
        "unsubscribe_url": unsubscribe,
        "preferences_url": api.preferences_url(row.recipient) if row.category else "",
    }
    locale_token = i18n.current_locale.set(row.locale if row.locale in i18n.LANGUAGE_NAMES else "de")
    zone_token = i18n.current_zone.set(settings.time_zone)
    try:
        subject = " ".join(_text_env.get_template(f"{folder}/subject.txt").render(ctx).split())
        text = _text_env.get_template(f"{folder}/body.txt").render(ctx).strip() + "\n"
        if unsubscribe:
            text += "\n-- \n" + i18n.gettext("Unsubscribe from these mails: %(url)s", url=unsubscribe) + "\n"
        html = templates.get_template(f"{folder}/body.html").render({**ctx, "subject": subject})
    finally:
        i18n.current_locale.reset(locale_token)
        i18n.current_zone.reset(zone_token)
    return subject, text, html


def build(row: OutboxMessage, settings: Settings) -> Message:
    """The row as a MIME message: multipart/alternative (text, HTML), the HTML's pictures inside it as
    multipart/related, attachments around it as multipart/mixed; bodies 8bit UTF-8 (see as_bytes)."""
    subject, text, html = render_parts(row, settings)
    html_part: Message = _text_part(html, "html")
    attachments: list[Message] = []
    related: list[Message] = []
    for item in row.attachments or []:
        part = _binary_part(item)
        if item.get("content_id"):
            # A picture the HTML shows, referenced by its Content-ID.
            part["Content-ID"] = f"<{item['content_id']}>"
            _disposition(part, "inline", item.get("filename") or "image")
            related.append(part)
        else:
            _disposition(part, "attachment", item.get("filename") or "attachment")
            attachments.append(part)
    if related:
        html_part = _multipart("related", [html_part, *related])
    msg = _multipart("alternative", [_text_part(text, "plain"), html_part])
    if attachments:
        msg = _multipart("mixed", [msg, *attachments])
    msg["MIME-Version"] = "1.0"
    msg["Subject"] = _encoded(subject)
    msg["From"] = _address(settings.mail_from)
    msg["To"] = row.recipient
    # A domain may name who answers (a session's contact); else the organising office of the settings.
    reply_to = str((row.context or {}).get("reply_to") or settings.mail_reply_to)
    if reply_to:
        msg["Reply-To"] = _address(reply_to)
    # The row's creation time, so that a retry produces the very same message.
    msg["Date"] = format_datetime(row.created_at)
    msg["Message-ID"] = message_id(row.id, settings)
    msg["Auto-Submitted"] = "auto-generated"
    msg["Content-Language"] = row.locale
    if row.category:
        from notifications import api

        msg["List-Unsubscribe"] = f"<{api.unsubscribe_url(row.recipient, row.category)}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return msg


def as_bytes(msg: Message, *, eight_bit: bool = True) -> bytes:
    """The message as sent. Without 8BITMIME on the other side the 8bit bodies go out base64-encoded."""
    out = io.BytesIO()
    BytesGenerator(out, policy=_POLICY if eight_bit else _POLICY_7BIT).flatten(msg)
    return out.getvalue()


def _text_part(body: str, subtype: str) -> Message:
    # SMTP allows lines of at most 998 octets; a longer one (pasted text, a long table row) needs QP.
    longest = max((len(line) for line in body.encode().splitlines()), default=0)
    part = MIMENonMultipart("text", subtype, policy=_POLICY)
    part.set_payload(body, _UTF8_8BIT if longest <= 998 else _UTF8_QP)
    del part["MIME-Version"]  # set by the class and by set_payload; it belongs to the message, not its parts
    return part


def _binary_part(item: dict[str, Any]) -> Message:
    # The type comes from the domain's Attachment as one header value ("text/calendar; method=REQUEST"): set as
    # given, and read by the email package like any other Content-Type.
    part = Message(policy=_POLICY)
    default = "image/png" if item.get("content_id") else "application/octet-stream"
    part["Content-Type"] = item.get("content_type") or default
    part["Content-Transfer-Encoding"] = "base64"
    # Stored as base64 already; re-wrapped into the 76-character lines MIME asks for.
    part.set_payload(base64.encodebytes(base64.b64decode(item["content"])).decode("ascii"))
    return part


def _disposition(part: Message, kind: str, filename: str) -> None:
    part.add_header("Content-Disposition", kind, filename=filename if filename.isascii() else ("utf-8", "", filename))


def _multipart(subtype: str, parts: list[Message]) -> Message:
    # A random boundary set here spares the generator its search of every body for a collision.
    msg = MIMEMultipart(subtype, boundary=f"=_{secrets.token_hex(16)}", _subparts=parts, policy=_POLICY)
    del msg["MIME-Version"]
    return msg


def _encoded(text: str) -> str:
    """Header text as RFC 2047 encoded words when it is not ASCII, already folded for the wire."""
    return text if text.isascii() else Header(text, "utf-8").encode(linesep="\r\n")


def _address(value: str) -> str:
    name, address = parseaddr(value)
    if not address:
        return _encoded(value)
    if address.isascii():
        return formataddr((name, address), charset="utf-8")
    # An internationalised address is written as UTF-8 and needs SMTPUTF8 (see transport).
    return f"{_encoded(name)} <{address}>" if name else address
