"""iCalendar files (RFC 5545) and iTIP messages (RFC 5546) for sessions and registrations.

Events are built with `ics` for everything it knows (UID, SUMMARY, ORGANIZER, ATTENDEE, STATUS, ...). `ics` writes
aware times only in UTC, knows no VTIMEZONE and no SEQUENCE, puts METHOD after the events and does not fold long
lines. So each event it writes is read into `icalendar`, which adds DTSTART/DTEND with the TZID of the configured
zone, SEQUENCE and LAST-MODIFIED, and assembles the file: the calendar properties (METHOD among them) first, then a
VTIMEZONE generated from the zone database for the years of the events, then the events, every line folded at
75 octets.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import icalendar
from ics import Event
from ics.attendee import Attendee, Organizer

from events.models import (
    ATTENDED,
    CANCELLED,
    CONFIRMED,
    SEATED,
    Registration,
    Series,
    Session,
    receives_join_link,
)

PRODID = "-//Agora//Events//DE"
UID_DOMAIN = "agora.events"

REQUEST, CANCEL, PUBLISH = "REQUEST", "CANCEL", "PUBLISH"

Entry = tuple[Event, Session, int]


def session_uid(session_id: int) -> str:
    """The public feeds' UID of a session (personal invitations use the registration's own UID)."""
    return f"session-{session_id}@{UID_DOMAIN}"


def _location(session: Session) -> str:
    parts = [session.venue_name, session.venue_room, session.venue_address]
    return ", ".join(p for p in parts if p)


def _join_link(registration: Registration, session: Session) -> str:
    if receives_join_link(registration.attendance, registration.status):
        return session.online_url
    return ""


def _event(session: Session, *, uid: str, status: str, now: datetime, url: str = "", join: str = "") -> Event:
    """join: the online join link, given only for a confirmed online attendee; it is then the location."""
    event = Event(name=session.full_title, uid=uid, created=now)
    description = session.description
    if join:
        description = f"{description}\n\n{join}".strip()
    event.description = description or None
    event.location = join or _location(session) or None
    event.url = url or None
    event.status = status
    return event


def _vevent(event: Event, session: Session, *, zone: ZoneInfo, now: datetime, own: int = 0) -> icalendar.Event:
    """The event `ics` built, read into icalendar, with its times in the zone and the session's change counter."""
    vevent = icalendar.Event.from_ical(event.serialize())
    assert isinstance(vevent, icalendar.Event)
    vevent.add("dtstart", session.starts_at.astimezone(zone))
    vevent.add("dtend", session.ends_at.astimezone(zone))
    # own: the changes of one person's registration (cancelling, coming back) on top of the session's changes.
    vevent.add("sequence", session.ics_sequence + own)
    vevent.add("last-modified", (session.updated_at or now).astimezone(UTC))
    return vevent


def _calendar(
    method: str, entries: list[Entry], *, zone: ZoneInfo, now: datetime, name: str = "", publish_zone: bool = False
) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    if publish_zone:
        calendar.add("x-wr-timezone", zone.key)
    if entries:
        # The zone's transitions from the first to the last year an event touches, from the zone database.
        years = [moment.astimezone(zone).year for _event, s, _own in entries for moment in (s.starts_at, s.ends_at)]
        first, last = date(min(years), 1, 1), date(max(years) + 1, 1, 1)
        calendar.add_component(icalendar.Timezone.from_tzid(zone.key, first_date=first, last_date=last))
    for event, session, own in entries:
        calendar.add_component(_vevent(event, session, zone=zone, now=now, own=own))
    return calendar.to_ical()


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
    zone: ZoneInfo,
    manage_url: str = "",
    now: datetime | None = None,
) -> bytes:
    """The invitation (METHOD:REQUEST) for a seated registration, METHOD:CANCEL once it or the session is off.

    The UID belongs to the registration (stable across changes), SEQUENCE is the session's ics_sequence plus the
    registration's own changes (a cancellation, coming back), so that a CANCEL always outranks the REQUEST before it;
    so each change to the session replaces the earlier entry in the person's calendar.
    """
    now = now or datetime.now(UTC)
    status = _registration_status(registration, session)
    join = _join_link(registration, session)
    event = _event(session, uid=registration.ics_uid, status=status, now=now, url=manage_url, join=join)
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
    method = CANCEL if status == "CANCELLED" else REQUEST
    return _calendar(method, [(event, session, registration.ics_own_sequence)], zone=zone, now=now)


def feed_ics(
    sessions: Iterable[tuple[Session, Series | None]],
    *,
    name: str,
    organizer_email: str,
    zone: ZoneInfo,
    now: datetime | None = None,
) -> bytes:
    """A public feed (METHOD:PUBLISH): one VEVENT per session, cancelled ones kept with STATUS:CANCELLED."""
    now = now or datetime.now(UTC)
    entries: list[Entry] = []
    for session, series in sessions:
        status = "CANCELLED" if session.status == CANCELLED else "CONFIRMED"
        event = _event(session, uid=session_uid(session.id), status=status, now=now)
        event.organizer = _organizer(session, series, organizer_email)
        entries.append((event, session, 0))
    return _calendar(PUBLISH, entries, zone=zone, now=now, name=name, publish_zone=True)


def personal_feed_ics(
    entries: Iterable[tuple[Registration, Session, Series | None]],
    *,
    name: str,
    organizer_email: str,
    zone: ZoneInfo,
    now: datetime | None = None,
) -> bytes:
    """A person's registrations (METHOD:PUBLISH), with the same UIDs as their invitations."""
    now = now or datetime.now(UTC)
    built: list[Entry] = []
    for registration, session, series in entries:
        status = _registration_status(registration, session)
        join = _join_link(registration, session)
        event = _event(session, uid=registration.ics_uid, status=status, now=now, join=join)
        event.organizer = _organizer(session, series, organizer_email)
        built.append((event, session, registration.ics_own_sequence))
    return _calendar(PUBLISH, built, zone=zone, now=now, name=name)
