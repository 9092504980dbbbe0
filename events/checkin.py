"""Check-in at the door: the code on the badge or phone, its QR code, and live counts."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime

import segno

from agora.db import transaction
from agora.i18n import gettext as _
from events.errors import EventError, NotFound
from events.models import (
    ATTENDED,
    CONFIRMED,
    IN_PERSON,
    ONLINE,
    PENDING_APPROVAL,
    PENDING_CONFIRMATION,
    SEATED,
    WAITLISTED,
    Registration,
)


def qr_svg(code: str) -> str:
    """An SVG of the QR code (with a title, so a screen reader names it)."""
    buffer = io.BytesIO()
    segno.make(code, error="m").save(
        buffer, kind="svg", scale=6, border=2, xmldecl=False, title=_("Check-in code %(code)s", code=code)
    )
    return buffer.getvalue().decode("utf-8")


def qr_png(code: str) -> bytes:
    """A PNG of the QR code, for mail clients that do not show SVG."""
    buffer = io.BytesIO()
    segno.make(code, error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())[:16]


async def check_in(session_id: int, code: str, *, now: datetime | None = None) -> Registration:
    """Mark the registration attended. Scanning twice is fine; cancelled or waitlisted ones are refused."""
    now = now or datetime.now(UTC)
    registration = await Registration.get_or_none(session_id=session_id, checkin_code=normalise_code(code))
    if registration is None:
        raise NotFound({"code": _("No registration for this session has this code.")})
    if registration.status == ATTENDED:
        return registration
    if registration.status not in (CONFIRMED, PENDING_APPROVAL, PENDING_CONFIRMATION):
        if registration.status == WAITLISTED:
            raise EventError({"code": _("This person is on the waitlist and has no seat.")})
        raise EventError({"code": _("This registration is not valid (cancelled or declined).")})
    async with transaction():
        # Attended keeps the seat (ATTENDED is in SEATED), so the counter does not change.
        await Registration.filter(id=registration.id, status__in=SEATED).update(status=ATTENDED, checked_in_at=now)
    return await Registration.get(id=registration.id)


async def mark_attended_online(settings: object, registration_id: int, *, now: datetime | None = None) -> Registration:
    """Staff mark from the list that an online attendee took part (there is no door to scan online)."""
    now = now or datetime.now(UTC)
    registration = await Registration.get_or_none(id=registration_id)
    if registration is None:
        raise NotFound({"registration": _("This registration does not exist.")})
    if registration.attendance != ONLINE:
        raise EventError({"status": _("This person takes part in the room: check them in at the door.")})
    if registration.status == ATTENDED:
        return registration
    if registration.status not in (CONFIRMED, PENDING_APPROVAL, PENDING_CONFIRMATION):
        raise EventError({"status": _("This registration is not valid (cancelled or declined).")})
    async with transaction():
        await Registration.filter(id=registration.id, status__in=SEATED).update(status=ATTENDED, checked_in_at=now)
    return await Registration.get(id=registration.id)


@dataclass(frozen=True)
class Counts:
    expected: int  # people (with colleagues) holding seats, including those already in
    attended: int
    waitlisted: int
    registrations: int


async def live_counts(session_id: int) -> Counts:
    """The door's counts: the room only (online attendees are marked from the staff list)."""
    rows = await Registration.filter(session_id=session_id, attendance=IN_PERSON).values_list("status", "seats")
    expected = sum(seats for status, seats in rows if status in SEATED)
    attended = sum(seats for status, seats in rows if status == ATTENDED)
    waitlisted = sum(seats for status, seats in rows if status == WAITLISTED)
    return Counts(
        expected=expected,
        attended=attended,
        waitlisted=waitlisted,
        registrations=sum(1 for status, _seats in rows if status in SEATED),
    )
