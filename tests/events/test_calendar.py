"""Every calendar file is parsed with the independent icalendar package and its fields checked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from events import services
from events.calendar import session_uid
from events.models import Registration
from events.services import feeds
from events.services.common import manage_token
from tests.events.helpers import mails, published_session, register

BERLIN = ZoneInfo("Europe/Berlin")


def parse(data: bytes) -> icalendar.Calendar:
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    return icalendar.Calendar.from_ical(data)


def only_event(cal: icalendar.Calendar) -> icalendar.Event:
    [event] = cal.walk("VEVENT")
    return event


def check_timezone(cal: icalendar.Calendar, event: icalendar.Event) -> None:
    [tz] = cal.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "Europe/Berlin"
    assert {c.name for c in tz.subcomponents} == {"STANDARD", "DAYLIGHT"}
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert event["DTEND"].params["TZID"] == "Europe/Berlin"


async def test_invitation_update_and_cancellation_follow_itip(database) -> None:
    starts = datetime(2030, 7, 2, 6, 0, tzinfo=UTC)  # 08:00 summer time in Berlin
    session = await published_session(starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=5)
    reg = await register(database, session.id, 1, name="Erika Muster")
    token = manage_token(database, reg.ics_uid)
    await services.confirm_registration(database, token)

    [confirmed_mail] = await mails("registration_confirmed")
    from base64 import b64decode

    request = parse(b64decode(confirmed_mail.attachments[0]["content"]))
    assert str(request["METHOD"]) == "REQUEST"
    event = only_event(request)
    check_timezone(request, event)
    uid = str(event["UID"])
    assert uid == reg.ics_uid
    assert int(event["SEQUENCE"]) == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTART") == datetime(2030, 7, 2, 8, 0, tzinfo=BERLIN)
    assert event.decoded("DTSTART").astimezone(UTC) == starts
    assert str(event["ORGANIZER"]).lower() == "mailto:wifoe@example.org"
    attendee = event["ATTENDEE"]
    assert str(attendee).lower() == "mailto:person1@example.com"
    assert attendee.params["CN"] == "Erika Muster"
    assert attendee.params["PARTSTAT"] == "ACCEPTED"
    assert "DTSTAMP" in event

    # A move raises SEQUENCE, keeps the UID, and is mailed to everyone seated with a new REQUEST.
    moved_start = starts + timedelta(days=120)  # in winter: 08:00 is now 07:00 UTC
    await services.update_session(database, session.id, starts_at=moved_start, ends_at=moved_start + timedelta(hours=2))
    [changed] = await mails("session_changed")
    update = parse(b64decode(changed.attachments[0]["content"]))
    event = only_event(update)
    assert str(update["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == uid
    assert int(event["SEQUENCE"]) == 1
    check_timezone(update, event)
    assert event.decoded("DTSTART").astimezone(UTC) == moved_start

    from_page = parse(await feeds.registration_calendar(database, token))
    assert str(only_event(from_page)["UID"]) == uid
    assert int(only_event(from_page)["SEQUENCE"]) == 1

    await services.cancel_registration(database, reg.id)
    [cancel_mail] = await mails("registration_cancelled")
    assert cancel_mail.attachments[0]["content_type"].startswith("text/calendar; method=CANCEL")
    cancel = parse(b64decode(cancel_mail.attachments[0]["content"]))
    event = only_event(cancel)
    assert str(cancel["METHOD"]) == "CANCEL"
    assert str(event["UID"]) == uid
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 2  # higher than the REQUEST before it, or calendars ignore the CANCEL
    check_timezone(cancel, event)

    # Coming back: the new REQUEST outranks the CANCEL in turn, with the same UID.
    back = await register(database, session.id, 1, name="Erika Muster", by_staff=True)
    assert back.id == reg.id and back.ics_uid == uid
    [_first, again] = await mails("registration_confirmed")
    event = only_event(parse(b64decode(again.attachments[0]["content"])))
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == 3


async def test_cancelling_the_session_sends_cancel_with_a_higher_sequence(database) -> None:
    session = await published_session(capacity=1)
    seated = await register(database, session.id, 1)
    waiting = await register(database, session.id, 2)
    cancelled = await services.cancel_session(database, session.id, reason="Krankheit")
    assert cancelled.ics_sequence == 1
    sent = await mails("session_cancelled")
    assert {m.recipient for m in sent} == {seated.email, waiting.email}
    from base64 import b64decode

    [with_file] = [m for m in sent if m.attachments]
    assert with_file.recipient == seated.email
    cal = parse(b64decode(with_file.attachments[0]["content"]))
    event = only_event(cal)
    assert str(cal["METHOD"]) == "CANCEL"
    assert str(event["UID"]) == seated.ics_uid
    assert int(event["SEQUENCE"]) == 1
    assert str(event["STATUS"]) == "CANCELLED"


async def test_public_feeds_publish_every_published_session(database) -> None:
    series = await services.create_series(
        title="Wirtschaft trifft Verwaltung", contact_email="wifoe@example.org", office="Wirtschaftsförderung"
    )
    winter = datetime(2031, 1, 7, 7, 0, tzinfo=UTC)
    summer = datetime(2031, 7, 1, 6, 0, tzinfo=UTC)
    a = await published_session(series_id=series.id, starts_at=winter, ends_at=winter + timedelta(hours=2))
    b = await published_session(series_id=series.id, starts_at=summer, ends_at=summer + timedelta(hours=2))
    await services.create_session(series_id=series.id, starts_at=summer + timedelta(days=90))  # a draft: not shown
    other = await published_session(title="Workshop Digitalisierung", kind="workshop")

    cal = parse(await feeds.series_feed(database, series.id))
    assert str(cal["METHOD"]) == "PUBLISH"
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {session_uid(a.id), session_uid(b.id)}
    for event in events.values():
        check_timezone(cal, event)
        assert event.decoded("DTSTART").astimezone(BERLIN).hour == 8  # 08:00 local in winter and in summer
        assert str(event["ORGANIZER"]).lower() == "mailto:wifoe@example.org"
        assert event["ORGANIZER"].params["CN"] == "Wirtschaftsförderung"

    everything = parse(await feeds.sessions_feed(database))
    assert {str(e["UID"]) for e in everything.walk("VEVENT")} == {session_uid(s.id) for s in (a, b, other)}
    await services.cancel_session(database, b.id)
    again = parse(await feeds.series_feed(database, series.id))
    statuses = {str(e["UID"]): (str(e["STATUS"]), int(e["SEQUENCE"])) for e in again.walk("VEVENT")}
    assert statuses[session_uid(b.id)] == ("CANCELLED", 1)
    assert statuses[session_uid(a.id)] == ("CONFIRMED", 0)


async def test_personal_feed_lists_a_persons_registrations(database) -> None:
    first = await published_session(title="Frühstück")
    second = await published_session(title="Workshop")
    unrelated = await published_session(title="Andere")
    r1 = await register(database, first.id, 1)
    r2 = await register(database, second.id, 1)
    await register(database, unrelated.id, 2)
    await services.cancel_registration(database, r2.id)
    cal = parse(await feeds.personal_feed(database, manage_token(database, r1.ics_uid)))
    assert str(cal["METHOD"]) == "PUBLISH"
    events = {str(e["UID"]): str(e["STATUS"]) for e in cal.walk("VEVENT")}
    assert events == {r1.ics_uid: "TENTATIVE", r2.ics_uid: "CANCELLED"}  # r1 has not confirmed yet
    assert (await Registration.get(id=r2.id)).ics_uid == r2.ics_uid


def _unfolded_names(data: bytes) -> list[str]:
    """The property and component lines in order, with folded continuation lines joined again."""
    lines: list[str] = []
    for raw in data.decode("utf-8").split("\r\n"):
        if raw.startswith((" ", "\t")):
            lines[-1] += raw[1:]
        elif raw:
            lines.append(raw)
    return lines


def _transitions(cal: icalendar.Calendar, year: int) -> dict[str, datetime]:
    [tz] = cal.walk("VTIMEZONE")
    found: dict[str, datetime] = {}
    for part in tz.subcomponents:
        moments = [part.decoded("DTSTART")]
        for rdate in part.get("RDATE", []) if isinstance(part.get("RDATE"), list) else [part.get("RDATE")]:
            if rdate is not None:
                moments += [d.dt for d in rdate.dts]
        for moment in moments:
            offsets = (part["TZOFFSETFROM"].td, part["TZOFFSETTO"].td)
            if moment.year == year and offsets[0] != offsets[1]:
                found[part.name] = moment
    return found


async def test_the_file_is_ordered_folded_and_carries_the_zone_database_rules(database) -> None:
    starts = datetime(2029, 3, 6, 7, 0, tzinfo=UTC)
    session = await published_session(
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        title="Wirtschaft trifft Verwaltung: Frühstück im Rathaus für Unternehmen aus Musterstadt und Umgebung",
        description="Kurze Impulse aus der Verwaltung, Ihre Fragen und Zeit für Gespräche. " * 6,
    )
    reg = await register(database, session.id, 1, name="Erika Muster mit einem recht langen Namen, GmbH & Co. KG")
    files = {
        "invitation": await feeds.registration_calendar(database, manage_token(database, reg.ics_uid)),
        "feed": await feeds.sessions_feed(database),
        "personal": await feeds.personal_feed(database, manage_token(database, reg.ics_uid)),
    }
    for label, data in files.items():
        raw_lines = data.split(b"\r\n")
        assert raw_lines[-1] == b"", label
        assert all(len(line) <= 75 for line in raw_lines), (label, max(raw_lines, key=len))
        assert any(line.startswith(b" ") for line in raw_lines), label  # the long description was folded
        lines = _unfolded_names(data)
        names = [line.split(":", 1)[0].split(";", 1)[0] for line in lines]
        timezone_at, event_at = lines.index("BEGIN:VTIMEZONE"), lines.index("BEGIN:VEVENT")
        assert names[0] == "BEGIN" and lines[0] == "BEGIN:VCALENDAR", label
        assert "METHOD" in names[1:timezone_at] and "PRODID" in names[1:timezone_at], label
        assert "METHOD" not in names[timezone_at:], label
        assert lines.index("END:VTIMEZONE") < event_at, label
        cal = parse(data)
        event = only_event(cal)
        check_timezone(cal, event)
        assert event.decoded("DTSTART") == datetime(2029, 3, 6, 8, 0, tzinfo=BERLIN)
        # The change of time in 2029 as the zone database has it: 25 March and 28 October.
        changes = _transitions(cal, 2029)
        assert changes["DAYLIGHT"].replace(tzinfo=None).date() == datetime(2029, 3, 25).date(), label
        assert changes["STANDARD"].replace(tzinfo=None).date() == datetime(2029, 10, 28).date(), label
    assert "Gespräche. Kurze" in str(only_event(parse(files["feed"]))["DESCRIPTION"])


async def test_calendar_files_follow_the_configured_zone(database) -> None:
    from tests.conftest import replace_settings

    zoned = replace_settings(database, time_zone="America/New_York")
    starts = datetime(2029, 7, 3, 12, 0, tzinfo=UTC)
    await published_session(starts_at=starts, ends_at=starts + timedelta(hours=1))
    cal = parse(await feeds.sessions_feed(zoned))
    event = only_event(cal)
    [tz] = cal.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "America/New_York" == str(cal["X-WR-TIMEZONE"])
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event.decoded("DTSTART") == datetime(2029, 7, 3, 8, 0, tzinfo=ZoneInfo("America/New_York"))
    changes = _transitions(cal, 2029)
    assert changes["DAYLIGHT"].date().isoformat() == "2029-03-11"
    assert changes["STANDARD"].date().isoformat() == "2029-11-04"
