"""Turning an outbox row into a MIME message: templates per kind, fixed Message-ID, the headers mail needs."""

from __future__ import annotations

import base64
import hashlib
import hmac
from email.message import EmailMessage
from email.policy import SMTPUTF8
from email.utils import format_datetime, parseaddr
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
_POLICY = SMTPUTF8.clone(max_line_length=998, linesep="\r\n")


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


def build(row: OutboxMessage, settings: Settings) -> EmailMessage:
    subject, text, html = render_parts(row, settings)
    # No folding below 998 characters: a folded List-Unsubscribe URL gets RFC 2047-encoded and unusable.
    msg = EmailMessage(policy=_POLICY)
    msg["Subject"] = subject
    msg["From"] = settings.mail_from
    msg["To"] = row.recipient
    # A domain may name who answers (a session's contact); else the organising office of the settings.
    reply_to = str((row.context or {}).get("reply_to") or settings.mail_reply_to)
    if reply_to:
        msg["Reply-To"] = reply_to
    # The row's creation time, so that a retry produces the very same message.
    msg["Date"] = format_datetime(row.created_at)
    msg["Message-ID"] = message_id(row.id, settings)
    msg["Auto-Submitted"] = "auto-generated"
    msg["Content-Language"] = row.locale
    if row.category:
        from notifications import api

        msg["List-Unsubscribe"] = f"<{api.unsubscribe_url(row.recipient, row.category)}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    html_part = msg.get_body(("html",))
    assert isinstance(html_part, EmailMessage)
    for item in row.attachments or []:
        content_type = item.get("content_type") or "application/octet-stream"
        main, _, rest = content_type.partition(";")
        maintype, _, subtype = main.strip().partition("/")
        params = {}
        for param in rest.split(";"):
            key, sep, value = param.strip().partition("=")
            if sep:
                params[key.strip()] = value.strip().strip('"')
        if item.get("content_id"):
            # A picture the HTML shows: multipart/related inside the alternative, referenced by its Content-ID.
            html_part.add_related(
                base64.b64decode(item["content"]),
                maintype=maintype or "image",
                subtype=subtype or "png",
                cid=f"<{item['content_id']}>",
                filename=item.get("filename") or "image",
            )
            continue
        msg.add_attachment(
            base64.b64decode(item["content"]),
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=item.get("filename") or "attachment",
            params=params,
        )
    return msg
