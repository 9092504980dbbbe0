"""Series recurrence in Europe/Berlin: DST-correct dates, idempotent generation, skip, move, agenda copy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from events import recurrence, services
from events.errors import EventError
from events.models import DRAFT, AgendaItem, Series, Session, Speaker, Track

BERLIN = ZoneInfo("Europe/Berlin")
QUARTERLY = "DTSTART:20270105T080000\nRRULE:FREQ=MONTHLY;INTERVAL=3;BYDAY=1TU"
BEFORE = datetime(2026, 12, 1, tzinfo=UTC)


async def quarterly() -> Series:
    return await services.create_series(
        title="Wirtschaft trifft Verwaltung",
        rrule=QUARTERLY,
        default_duration_minutes=120,
        default_capacity=40,
        venue_name="Rathaus, Ratssaal",
        contact_email="wifoe@example.org",
    )


async def test_first_tuesday_of_each_quarter_stays_at_eight_local(database) -> None:
    series = await quarterly()
    dates = recurrence.occurrences(series, after=BEFORE, count=4)
    local = [d.astimezone(BERLIN) for d in dates]
    assert [d.date().isoformat() for d in local] == ["2027-01-05", "2027-04-06", "2027-07-06", "2027-10-05"]
    assert {(d.hour, d.minute) for d in local} == {(8, 0)}
    assert [d.hour for d in dates] == [
        7,
        6,
        6,
        6,
    ]  # UTC: winter, then summer time (October 5 is still summer)
    assert all(d.weekday() == 1 and d.day <= 7 for d in local)


async def test_generation_creates_drafts_once(database) -> None:
    series = await quarterly()
    created = await recurrence.generate_sessions(series.id, count=4, now=BEFORE)
    assert len(created) == 4
    assert {s.status for s in created} == {DRAFT}
    first = created[0]
    assert first.capacity == 40 and first.venue_name == "Rathaus, Ratssaal"
    assert first.ends_at - first.starts_at == timedelta(minutes=120)
    assert await recurrence.generate_sessions(series.id, count=4, now=BEFORE) == []
    assert await Session.filter(series_id=series.id).count() == 4
    more = await recurrence.generate_sessions(series.id, count=5, now=BEFORE)
    assert len(more) == 1 and more[0].starts_at.astimezone(BERLIN).date().isoformat() == "2028-01-04"


async def test_skip_and_move_single_dates(database) -> None:
    series = await quarterly()
    january, april = await recurrence.generate_sessions(series.id, count=2, now=BEFORE)
    await recurrence.skip_occurrence(series.id, april.occurrence_at)
    assert not await Session.exists(id=april.id)
    regenerated = await recurrence.generate_sessions(series.id, count=2, now=BEFORE)
    assert [s.starts_at.astimezone(BERLIN).date().isoformat() for s in regenerated] == ["2027-07-06"]

    new_start = datetime(2027, 1, 12, 8, 0, tzinfo=BERLIN)
    moved = await recurrence.move_session(database, january.id, new_start.astimezone(UTC))
    assert moved.starts_at == new_start and moved.ends_at == new_start + timedelta(hours=2)
    assert moved.occurrence_at == january.occurrence_at
    assert await recurrence.generate_sessions(series.id, count=2, now=BEFORE) == []

    await services.publish_session(moved.id)
    with pytest.raises(EventError) as excinfo:
        await recurrence.skip_occurrence(series.id, moved.occurrence_at)
    assert "status" in excinfo.value.errors


async def test_new_dates_copy_the_previous_agenda(database) -> None:
    series = await quarterly()
    [january] = await recurrence.generate_sessions(series.id, count=1, now=BEFORE)
    track = await services.add_track(january.id, title="Fachkräfte", capacity=12)
    start = january.starts_at
    await services.add_agenda_item(
        january.id,
        starts_at=start + timedelta(minutes=30),
        ends_at=start + timedelta(minutes=60),
        title="Grußwort",
        kind="talk",
        speakers=[{"name": "Dr. Beispiel", "role": "Bürgermeisterin"}],
    )
    await services.add_agenda_item(
        january.id,
        starts_at=start + timedelta(minutes=60),
        ends_at=start + timedelta(minutes=90),
        title="Austausch",
        kind="discussion",
        track_id=track.id,
    )
    [april] = await recurrence.generate_sessions(series.id, count=2, now=BEFORE)
    items = await services.agenda_of(april.id)
    assert [i.title for i in items] == ["Grußwort", "Austausch"]
    assert items[0].starts_at.astimezone(BERLIN).time().isoformat() == "08:30:00"  # local, across the DST change
    assert [s.name for s in items[0].speakers] == ["Dr. Beispiel"]
    [copied_track] = await Track.filter(session_id=april.id)
    assert items[1].track_id == copied_track.id and copied_track.capacity == 12 and copied_track.seats_taken == 0
    assert await AgendaItem.filter(session_id=january.id).count() == 2
    assert await Speaker.all().count() == 2


async def test_invalid_rules_are_refused(database) -> None:
    for bad in ("RRULE:FREQ=MONTHLY", "DTSTART:20270105T080000\nRRULE:FREQ=SOMETIMES", "nonsense"):
        with pytest.raises(EventError) as excinfo:
            await services.create_series(title="X", rrule=bad)
        assert "rrule" in excinfo.value.errors
    plain = await services.create_series(title="Ohne Regel")
    with pytest.raises(EventError):
        await recurrence.generate_sessions(plain.id, count=2, now=BEFORE)
