"""What the events services share: the clock, personal tokens and links, the mail kinds and their context."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from datetime import UTC, datetime

from agora.settings import Settings
from events import calendar, checkin
from events.models import CONFIRMED, Question, Registration, Series, Session, receives_join_link
from notifications import api

CONFIRM_REQUEST = "registration_confirm_request"
CONFIRMED_KIND = "registration_confirmed"
WAITLISTED_KIND = "registration_waitlisted"
PROMOTED_KIND = "registration_promoted"
CANCELLED_KIND = "registration_cancelled"
SESSION_CHANGED = "session_changed"
SESSION_CANCELLED = "session_cancelled"
KINDS = (
    CONFIRM_REQUEST,
    CONFIRMED_KIND,
    WAITLISTED_KIND,
    PROMOTED_KIND,
    CANCELLED_KIND,
    SESSION_CHANGED,
    SESSION_CANCELLED,
)
# Mails that tell someone they have a seat carry the check-in code as a QR picture.
QR_KINDS = (CONFIRMED_KIND, PROMOTED_KIND)
for _kind in KINDS:
    api.register_kind(_kind)

QR_CONTENT_ID = "checkin-qr@agora"

# Unambiguous on a badge and when read aloud: no 0/O, 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def now_utc() -> datetime:
    return datetime.now(UTC)


def new_ics_uid() -> str:
    return f"{uuid.uuid4()}@{calendar.UID_DOMAIN}"


def new_checkin_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def manage_token(settings: Settings, ics_uid: str) -> str:
    """The secret of a registration's manage link, derived from its UID with the secret key.

    Derived rather than random, so that every later mail (promotion, change, reminder) can carry the link
    again; only its hash is stored, so a copy of the database does not hand out working links.
    """
    mac = hmac.new(settings.secret_key.encode(), b"agora.events.manage:" + ics_uid.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:24]).rstrip(b"=").decode("ascii")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def manage_url(settings: Settings, registration: Registration) -> str:
    return f"{settings.base_url}/events/registrations/{manage_token(settings, registration.ics_uid)}"


def confirm_url(settings: Settings, registration: Registration) -> str:
    # A page with a button, never a state change on GET (mail scanners open links).
    return manage_url(settings, registration) + "/confirm"


def organizer_email(settings: Settings) -> str:
    address = settings.mail_from
    if "<" in address:
        address = address.split("<", 1)[1].rstrip(">")
    return address.strip()


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def context(settings: Settings, registration: Registration, session: Session) -> dict:
    """Plain data for the mail templates."""
    return {
        "registration_id": registration.id,
        "session_id": session.id,
        "series_id": session.series_id,
        "name": registration.name,
        "status": registration.status,
        "seats": registration.seats,
        "session_title": session.full_title,
        # Replies to a session's mails reach its contact (notifications set Reply-To from this).
        "reply_to": session.contact_email,
        "starts_at": _iso(session.starts_at),
        "ends_at": _iso(session.ends_at),
        "venue_name": session.venue_name,
        "venue_address": session.venue_address,
        "venue_room": session.venue_room,
        "mode": session.mode,
        # Text, not a number: the outbox row is JSON and an amount must stay exact ("25.00"); None: free.
        "cost": None if session.free else str(session.cost),
        "cost_note": session.cost_note,
        "attendance": registration.attendance,
        # Only confirmed online attendees get the join link (the calendar file follows the same rule).
        "online_url": session.online_url if receives_join_link(registration.attendance, registration.status) else "",
        "hold_expires_at": _iso(registration.hold_expires_at),
        "checkin_code": registration.checkin_code,
        "manage_url": manage_url(settings, registration),
        "confirm_url": confirm_url(settings, registration),
    }


async def notify(
    settings: Settings,
    kind: str,
    registration: Registration,
    session: Session,
    *,
    with_calendar: bool = False,
    extra: dict | None = None,
    dedup_key: str | None = None,
    checked: bool = False,
) -> None:
    """Write the outbox row (inside the caller's transaction), with the invitation or cancellation.
    checked: the caller asked notifications.api.accepts for the address beforehand."""
    attachments: list[api.Attachment] = []
    if with_calendar:
        series = await Series.get_or_none(id=session.series_id) if session.series_id else None
        data = calendar.registration_ics(
            registration,
            session,
            series,
            organizer_email=organizer_email(settings),
            zone=settings.zone,
            manage_url=manage_url(settings, registration),
        )
        method = data.split(b"METHOD:", 1)[1].split(b"\r\n", 1)[0].decode()
        attachments.append(api.Attachment("invite.ics", f"text/calendar; method={method}; charset=utf-8", data))
    if kind in QR_KINDS and registration.status == CONFIRMED:
        # The code travels as a picture too, so the person can show the mail at the entrance.
        svg = checkin.qr_svg(registration.checkin_code)
        attachments.append(api.Attachment("check-in-code.svg", "image/svg+xml", svg.encode("utf-8")))
        # Shown in the HTML part as well: common mail clients show no SVG, so the picture there is a PNG.
        png = checkin.qr_png(registration.checkin_code)
        attachments.append(api.Attachment("check-in-code.png", "image/png", png, content_id=QR_CONTENT_ID))
        extra = {**(extra or {}), "qr_cid": QR_CONTENT_ID}
    await api.enqueue(
        kind,
        to=registration.email,
        locale=registration.language,
        context={**context(settings, registration, session), **(extra or {})},
        dedup_key=dedup_key,
        attachments=attachments,
        checked=checked,
    )


async def questions_for(session: Session) -> list[Question]:
    """The session's own questions after those of its series, in their order."""
    series_questions = (
        await Question.filter(series_id=session.series_id).order_by("position", "id") if session.series_id else []
    )
    own = await Question.filter(session_id=session.id).order_by("position", "id")
    return [*series_questions, *own]
