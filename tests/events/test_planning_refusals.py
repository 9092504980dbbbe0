"""Staff planning tools and the seat counters: what they refuse, and that a refusal changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tortoise.exceptions import OperationalError

from events import services
from events.errors import EventError, NotFound
from events.models import (
    CONFIRMED,
    PENDING_CONFIRMATION,
    WAITLISTED,
    AgendaItem,
    Question,
    Registration,
    Speaker,
    Track,
)
from events.services import capacity, planning
from tests.events.helpers import invariant, published_session, register, track_invariant


async def test_agenda_items_of_another_session_are_not_found_and_stay(database) -> None:
    session = await published_session()
    other = await published_session(title="Andere")
    starts = session.starts_at
    item = await services.add_agenda_item(
        session.id, title="Begrüßung", starts_at=starts, ends_at=starts + timedelta(minutes=10)
    )
    with pytest.raises(NotFound):
        await planning.delete_agenda_item(other.id, item.id)
    with pytest.raises(NotFound):
        await planning.update_agenda_item(
            other.id, item.id, title="Gekapert", starts_at=starts, ends_at=starts + timedelta(minutes=10)
        )
    with pytest.raises(EventError) as bad:
        await planning.update_agenda_item(
            session.id, item.id, title="", starts_at=starts, ends_at=starts - timedelta(minutes=1)
        )
    assert set(bad.value.errors) == {"title", "ends_at"}
    assert (await AgendaItem.get(id=item.id)).title == "Begrüßung"

    changed = await planning.update_agenda_item(
        session.id,
        item.id,
        title=" Grußwort ",
        kind="talk",
        starts_at=starts,
        ends_at=starts + timedelta(minutes=20),
        speakers=[{"name": " Frau Rat ", "organisation": "Stadt"}],
    )
    assert (changed.title, changed.ends_at) == ("Grußwort", starts + timedelta(minutes=20))
    assert [s.name for s in await Speaker.filter(agenda_item_id=item.id)] == ["Frau Rat"]
    await planning.delete_agenda_item(session.id, item.id)
    assert not await AgendaItem.exists(id=item.id)
    with pytest.raises(NotFound):
        await planning.delete_agenda_item(session.id, item.id)


async def test_track_changes_never_drop_below_the_seats_taken(database) -> None:
    session = await published_session(capacity=10, kind="workshop")
    track = await services.add_track(session.id, title="Digital", capacity=1)
    first = await register(database, session.id, 1, track_id=track.id)
    second = await register(database, session.id, 2, track_id=track.id)
    assert (first.status, second.status) == (PENDING_CONFIRMATION, WAITLISTED)

    with pytest.raises(EventError) as bad:
        await planning.update_track(database, session.id, track.id, title=" ", capacity=-1)
    assert set(bad.value.errors) == {"title", "capacity"}
    with pytest.raises(NotFound):
        await planning.update_track(database, session.id + 1000, track.id, title="Digital", capacity=5)
    with pytest.raises(EventError) as too_small:
        await planning.update_track(database, session.id, track.id, title="Umbenannt", capacity=0)
    assert set(too_small.value.errors) == {"capacity"}
    stored = await Track.get(id=track.id)
    assert (stored.title, stored.capacity) == ("Digital", 1)

    larger = await planning.update_track(database, session.id, track.id, title="Digitales", capacity=2)
    assert (larger.title, larger.capacity) == ("Digitales", 2)
    assert (await Registration.get(id=second.id)).status == PENDING_CONFIRMATION  # promoted at once
    assert await track_invariant(track.id) == (2, 2, 2)


async def test_a_track_with_people_in_it_cannot_be_removed(database) -> None:
    session = await published_session(kind="workshop")
    used = await services.add_track(session.id, title="Belegt", capacity=3)
    empty = await services.add_track(session.id, title="Leer", capacity=3)
    await register(database, session.id, 1, track_id=used.id)
    with pytest.raises(EventError) as refused:
        await planning.delete_track(session.id, used.id)
    assert set(refused.value.errors) == {"track"}
    assert await Track.exists(id=used.id)
    with pytest.raises(NotFound):
        await planning.delete_track(session.id + 1000, empty.id)
    await planning.delete_track(session.id, empty.id)
    assert not await Track.exists(id=empty.id)


async def test_questions_are_removed_only_from_their_own_series_or_session(database) -> None:
    session = await published_session()
    series = await services.create_series(title="Reihe")
    own = await services.add_question(session_id=session.id, label="Thema?")
    of_series = await services.add_question(series_id=series.id, label="Branche?")
    with pytest.raises(TypeError):
        await planning.delete_question(own.id)
    with pytest.raises(NotFound):
        await planning.delete_question(own.id, series_id=series.id)
    with pytest.raises(NotFound):
        await planning.delete_question(of_series.id, session_id=session.id)
    assert await Question.all().count() == 2
    await planning.delete_question(own.id, session_id=session.id)
    await planning.delete_question(of_series.id, series_id=series.id)
    assert await Question.all().count() == 0


async def test_search_finds_active_registrations_by_name_and_code_only(database) -> None:
    session = await published_session(capacity=1)
    seated = await register(database, session.id, 1, name="Erika Muster", organisation="Bäckerei Korn")
    waiting = await register(database, session.id, 2, name="Max Mustermann")
    gone = await register(database, session.id, 3, name="Muster Weg")
    await services.cancel_registration(database, gone.id, by_staff=True)

    assert await planning.search_registrations(session.id, "   ") == []
    found = await planning.search_registrations(session.id, "muster")
    assert [r.id for r in found] == [seated.id, waiting.id]
    assert [r.id for r in await planning.search_registrations(session.id, "Korn")] == [seated.id]
    code = seated.checkin_code
    spaced = f"{code[:4].lower()}-{code[4:].lower()}"
    assert [r.id for r in await planning.search_registrations(session.id, spaced)] == [seated.id]
    assert await planning.search_registrations(session.id, "---") == []

    counts = await planning.status_counts(session.id)
    assert (counts.held, counts.waitlisted, counts.cancelled, counts.seats) == (1, 1, 1, 1)
    assert [r.id for r in await planning.waitlist_of(session.id)] == [waiting.id]


# --- seat counters --------------------------------------------------------------------------------------------


async def test_releasing_more_seats_than_taken_is_refused(database) -> None:
    session = await published_session(capacity=2, kind="workshop")
    track = await services.add_track(session.id, title="A", capacity=2)
    with pytest.raises(RuntimeError):
        await capacity.release_session(session.id, 1)
    with pytest.raises(RuntimeError):
        await capacity.release_track(track.id, 1)
    assert await invariant(session.id) == (0, 0, 2)


async def test_a_full_track_gives_the_session_seat_back(database) -> None:
    session = await published_session(capacity=5, kind="workshop")
    track = await services.add_track(session.id, title="Klein", capacity=1)
    assert await capacity.claim(session.id, track.id, 1)
    assert not await capacity.claim(session.id, track.id, 1)
    # Both or neither: the session's seat claimed before the track refused went back.
    assert (await invariant(session.id))[0] == 1
    assert (await track_invariant(track.id))[0] == 1
    await capacity.release(session.id, track.id, 1)
    assert (await invariant(session.id))[0] == 0 and (await track_invariant(track.id))[0] == 0


async def test_retrying_repeats_only_contention(monkeypatch) -> None:
    monkeypatch.setattr(capacity.asyncio, "sleep", _no_sleep)
    calls = []

    async def locked_twice() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("database is locked")
        return "done"

    assert await capacity.retrying(locked_twice) == "done"
    assert len(calls) == 3

    async def broken() -> None:
        calls.append(1)
        raise OperationalError("no such column: colour")

    calls.clear()
    with pytest.raises(OperationalError, match="no such column"):
        await capacity.retrying(broken)
    assert len(calls) == 1  # a real error is not repeated

    async def always_locked() -> None:
        calls.append(1)
        raise OperationalError("deadlock detected")

    calls.clear()
    with pytest.raises(OperationalError, match="deadlock"):
        await capacity.retrying(always_locked)
    assert len(calls) == capacity.RETRIES


async def _no_sleep(_seconds: float) -> None:
    return None


async def test_staff_confirm_from_the_waitlist_claims_the_track_seat_too(database) -> None:
    session = await published_session(capacity=5, kind="workshop")
    track = await services.add_track(session.id, title="Eng", capacity=1)
    seated = await register(database, session.id, 1, track_id=track.id, by_staff=True)
    waiting = await register(database, session.id, 2, track_id=track.id, by_staff=True)
    assert (seated.status, waiting.status) == (CONFIRMED, WAITLISTED)
    with pytest.raises(EventError) as full:
        await services.move_to_confirmed(database, waiting.id)
    assert set(full.value.errors) == {"capacity"}
    assert await track_invariant(track.id) == (1, 1, 1)
    assert await invariant(session.id) == (1, 1, 5)
