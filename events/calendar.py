"""iCalendar files (RFC 5545) and iTIP messages (RFC 5546) for sessions and registrations, built with `ics`.

The `ics` package writes aware times in UTC and knows no VTIMEZONE, and it has no SEQUENCE property.
So events are built with `ics` for everything it does know (UID, SUMMARY, ORGANIZER, ATTENDEE, STATUS, ...),
and DTSTART/DTEND with TZID=Europe/Berlin, SEQUENCE and the VTIMEZONE component (the rules of the German
zone since 1996: last Sunday of March and of October) are added as raw content lines through the
`extra` containers that `ics` serialises verbatim. The VTIMEZONE is then moved right after the calendar
properties, where clients expect it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ics import Calendar, Event
from ics.attendee import Attendee, Organizer
from ics.grammar.parse import Container, ContentLine

from events.models import ATTENDED, CANCELLED, CONFIRMED, SEATED, Registration, Series, Session

TZID = "Europe/Berlin"
ZONE = ZoneInfo(TZID)
PRODID = "-//Agora//Events//DE"
UID_DOMAIN = "agora.events"

REQUEST, CANCEL, PUBLISH = "REQUEST", "CANCEL", "PUBLISH"


def _local(value: datetime) -> str:
    return value.astimezone(ZONE).strftime("%Y%m%dT%H%M%S")


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _vtimezone() -> Container:
    def part(name: str, start: str, offset_from: str, offset_to: str, abbrev: str, month: int) -> Container:
        return Container(
            name,
            ContentLine("DTSTART", value=start),
            ContentLine("TZOFFSETFROM", value=offset_from),
            ContentLine("TZOFFSETTO", value=offset_to),
            ContentLine("TZNAME", value=abbrev),
            ContentLine("RRULE", value=f"FREQ=YEARLY;BYMONTH={month};BYDAY=-1SU"),
        )

    return Container(
        "VTIMEZONE",
        ContentLine("TZID", value=TZID),
        part("DAYLIGHT", "19810329T020000", "+0100", "+0200", "CEST", 3),
        part("STANDARD", "19961027T030000", "+0200", "+0100", "CET", 10),
    )


def session_uid(session_id: int) -> str:
    """The public feeds' UID of a session (personal invitations use the registration's own UID)."""
    return f"session-{session_id}@{UID_DOMAIN}"


def _location(session: Session) -> str:
    parts = [session.venue_name, session.venue_room, session.venue_address]
    text = ", ".join(p for p in parts if p)
    return text or session.online_url


def _event(session: Session, *, uid: str, status: str, sequence: int, now: datetime, url: str = "") -> Event:
    event = Event(name=session.title, uid=uid, created=now)
    description = session.description
    if session.online_url:
        description = f"{description}\n\n{session.online_url}".strip()
    event.description = description or None
    event.location = _location(session) or None
    event.url = url or session.online_url or None
    event.status = status
    event.extra.append(ContentLine("DTSTART", params={"TZID": [TZID]}, value=_local(session.starts_at)))
    event.extra.append(ContentLine("DTEND", params={"TZID": [TZID]}, value=_local(session.ends_at)))
    event.extra.append(ContentLine("SEQUENCE", value=str(sequence)))
    event.extra.append(ContentLine("LAST-MODIFIED", value=_utc(session.updated_at or now)))
    return event


def _serialise(calendar: Calendar) -> bytes:
    calendar.creator = PRODID
    lines = calendar.serialize().splitlines()
    timezone = str(_vtimezone()).splitlines()
    # After BEGIN:VCALENDAR and the calendar properties, before the first component.
    first_component = next((i for i, line in enumerate(lines) if line.startswith("BEGIN:") and i > 0), len(lines) - 1)
    lines[first_component:first_component] = timezone
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _registration_status(registration: Registration, session: Session) -> str:
    """CANCELLED when off, TENTATIVE while the address or staff approval is pending, else CONFIRMED."""
    if session.status == CANCELLED or registration.status not in SEATED:
        return "CANCELLED"
    return "CONFIRMED" if registration.status in (CONFIRMED, ATTENDED) else "TENTATIVE"


def _organizer(session: Session, series: Series | None, fallback_email: str, office: str = "") -> Organizer:
    email = session.contact_email or (series.contact_email if series else "") or fallback_email
    name = (series.office if series and series.office else "") or office or email
    return Organizer(email=email, common_name=name)


def registration_ics(
    registration: Registration,
    session: Session,
    series: Series | None,
    *,
    organizer_email: str,
    manage_url: str = "",
    now: datetime | None = None,
) -> bytes:
    """The invitation (METHOD:REQUEST) for a seated registration, METHOD:CANCEL once it or the session is off.

    The UID belongs to the registration (stable across changes), SEQUENCE is the session's ics_sequence,
    so each change to the session replaces the earlier entry in the person's calendar.
    """
    now = now or datetime.now(UTC)
    status = _registration_status(registration, session)
    cancelled = status == "CANCELLED"
    calendar = Calendar()
    calendar.method = CANCEL if cancelled else REQUEST
    event = _event(
        session,
        uid=registration.ics_uid,
        status=status,
        sequence=session.ics_sequence,
        now=now,
        url=manage_url,
    )
    event.organizer = _organizer(session, series, organizer_email)
    attendee = Attendee(
        email=registration.email,
        common_name=registration.name or registration.email,
        role="REQ-PARTICIPANT",
        partstat={"CANCELLED": "DECLINED", "TENTATIVE": "TENTATIVE"}.get(status, "ACCEPTED"),
    )
    # ics 0.7 cannot write a boolean RSVP parameter; the raw parameter is passed through as is.
    attendee.extra["RSVP"] = ["FALSE"]
    event.attendees.add(attendee)
    calendar.events.add(event)
    return _serialise(calendar)


def feed_ics(
    sessions: Iterable[tuple[Session, Series | None]],
    *,
    name: str,
    organizer_email: str,
    now: datetime | None = None,
) -> bytes:
    """A public feed (METHOD:PUBLISH): one VEVENT per session, cancelled ones kept with STATUS:CANCELLED."""
    now = now or datetime.now(UTC)
    calendar = Calendar()
    calendar.method = PUBLISH
    calendar.extra.append(ContentLine("X-WR-CALNAME", value=name))
    calendar.extra.append(ContentLine("X-WR-TIMEZONE", value=TZID))
    for session, series in sessions:
        event = _event(
            session,
            uid=session_uid(session.id),
            status="CANCELLED" if session.status == CANCELLED else "CONFIRMED",
            sequence=session.ics_sequence,
            now=now,
        )
        event.organizer = _organizer(session, series, organizer_email)
        calendar.events.add(event)
    return _serialise(calendar)


def personal_feed_ics(
    entries: Iterable[tuple[Registration, Session, Series | None]],
    *,
    name: str,
    organizer_email: str,
    now: datetime | None = None,
) -> bytes:
    """A person's registrations (METHOD:PUBLISH), with the same UIDs as their invitations."""
    now = now or datetime.now(UTC)
    calendar = Calendar()
    calendar.method = PUBLISH
    calendar.extra.append(ContentLine("X-WR-CALNAME", value=name))
    for registration, session, series in entries:
        event = _event(
            session,
            uid=registration.ics_uid,
            status=_registration_status(registration, session),
            sequence=session.ics_sequence,
            now=now,
        )
        event.organizer = _organizer(session, series, organizer_email)
        calendar.events.add(event)
    return _serialise(calendar)
