"""What the events services refuse: each refusal names the field, and nothing is written or mailed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from events import services
from events.errors import EventError, NotFound
from events.models import (
    CANCELLED,
    COMPLETED,
    CONFIRMED,
    DECLINED,
    DRAFT,
    PENDING_APPROVAL,
    PENDING_CONFIRMATION,
    PUBLISHED,
    REG_CANCELLED,
    WAITLISTED,
    AgendaItem,
    Question,
    Registration,
    Series,
    Session,
    Speaker,
    Track,
)
from events.services.common import manage_token
from tests.events.helpers import invariant, mails, published_session, register, soon


async def _snapshot(session_id: int) -> dict:
    [row] = await Session.filter(id=session_id).values()
    return dict(row)


# --- series ---------------------------------------------------------------------------------------------------


async def test_series_refusals_name_the_field_and_create_nothing(database) -> None:
    with pytest.raises(TypeError):
        await services.create_series(title="Stammtisch", colour="blau")
    with pytest.raises(EventError) as missing:
        await services.create_series(office="Wirtschaftsförderung")
    assert set(missing.value.errors) == {"title"}
    with pytest.raises(EventError) as bad:
        await services.create_series(
            title="   ", default_capacity=-1, default_duration_minutes="zwei", reminder_offset_hours=-3, rrule="JEDEN"
        )
    assert set(bad.value.errors) == {
        "title",
        "default_capacity",
        "default_duration_minutes",
        "reminder_offset_hours",
        "rrule",
    }
    assert all(message for message in bad.value.errors.values())
    assert await Series.all().count() == 0


async def test_series_update_refuses_unknown_series_and_bad_values_without_change(database) -> None:
    series = await services.create_series(title="Unternehmerfrühstück", default_capacity=20)
    with pytest.raises(NotFound) as missing:
        await services.update_series(series.id + 1000, title="Anders")
    assert "series" in missing.value.errors
    with pytest.raises(TypeError):
        await services.update_series(series.id, colour="rot")
    with pytest.raises(EventError) as bad:
        await services.update_series(series.id, title="", default_capacity=-5)
    assert set(bad.value.errors) == {"title", "default_capacity"}
    stored = await Series.get(id=series.id)
    assert (stored.title, stored.default_capacity) == ("Unternehmerfrühstück", 20)

    rule = "DTSTART:20260106T080000\nRRULE:FREQ=MONTHLY;BYDAY=1TU"
    updated = await services.update_series(series.id, title="Frühstück", rrule=rule)
    assert (updated.title, updated.rrule) == ("Frühstück", rule)


# --- sessions -------------------------------------------------------------------------------------------------


async def test_session_creation_refuses_each_broken_rule(database) -> None:
    starts = soon()
    with pytest.raises(TypeError):
        await services.create_session(title="X", starts_at=starts, ends_at=starts + timedelta(hours=1), colour="grün")
    with pytest.raises(EventError) as bad:
        await services.create_session(
            title=" ",
            kind="party",
            starts_at=starts,
            ends_at=starts - timedelta(minutes=1),
            capacity=-1,
            max_colleagues=-2,
            registration_opens_at=starts - timedelta(days=1),
            registration_closes_at=starts - timedelta(days=2),
            online_url="javascript:alert(1)",
        )
    assert set(bad.value.errors) == {
        "title",
        "kind",
        "ends_at",
        "capacity",
        "max_colleagues",
        "registration_closes_at",
        "online_url",
    }
    with pytest.raises(EventError) as naive:
        await services.create_session(title="Ohne Zeitzone", starts_at=starts.replace(tzinfo=None), ends_at=None)
    assert set(naive.value.errors) == {"starts_at", "ends_at"}
    with pytest.raises(EventError) as no_end:
        await services.create_session(title="Ohne Ende", starts_at=starts)
    assert set(no_end.value.errors) == {"ends_at"}
    assert await Session.all().count() == 0


async def test_a_session_of_a_series_takes_its_defaults_and_its_duration(database) -> None:
    series = await services.create_series(
        title="Sprechstunde",
        venue_name="Bürgerbüro",
        default_capacity=7,
        default_duration_minutes=45,
        contact_email="buero@example.org",
    )
    starts = soon()
    session = await services.create_session(series_id=series.id, starts_at=starts)
    assert session.status == DRAFT
    assert (session.title, session.venue_name, session.capacity, session.contact_email) == (
        "Sprechstunde",
        "Bürgerbüro",
        7,
        "buero@example.org",
    )
    assert session.ends_at == starts + timedelta(minutes=45)
    own_end = await services.create_session(series_id=series.id, starts_at=starts, ends_at=starts + timedelta(hours=3))
    assert own_end.ends_at == starts + timedelta(hours=3)


async def test_update_session_refusals_leave_the_row_and_the_outbox_alone(database) -> None:
    session = await published_session(capacity=2)
    await register(database, session.id, 1)
    await register(database, session.id, 2)
    before = await _snapshot(session.id)
    mails_before = len(await mails())

    with pytest.raises(NotFound):
        await services.update_session(database, session.id + 1000, title="Neu")
    with pytest.raises(TypeError):
        await services.update_session(database, session.id, status=CANCELLED)
    with pytest.raises(EventError) as bad:
        await services.update_session(database, session.id, ends_at=session.starts_at)
    assert set(bad.value.errors) == {"ends_at"}
    # A title change together with a capacity below the seats taken: the whole change is rolled back.
    with pytest.raises(EventError) as too_small:
        await services.update_session(database, session.id, title="Umbenannt", capacity=1)
    assert set(too_small.value.errors) == {"capacity"}

    assert await _snapshot(session.id) == before
    assert len(await mails()) == mails_before
    assert await invariant(session.id) == (2, 2, 2)


async def test_a_change_without_calendar_fields_mails_nobody_and_keeps_the_sequence(database) -> None:
    session = await published_session(capacity=3)
    await register(database, session.id, 1, by_staff=True)
    updated = await services.update_session(database, session.id, max_colleagues=2, contact_email="neu@example.org")
    assert updated.ics_sequence == session.ics_sequence
    assert updated.max_colleagues == 2
    assert await mails("session_changed") == []
    unchanged = await services.update_session(database, session.id, title=session.title)
    assert unchanged.ics_sequence == session.ics_sequence
    moved = await services.update_session(database, session.id, venue_room="Saal 2")
    assert moved.ics_sequence == session.ics_sequence + 1
    [mail] = await mails("session_changed")
    assert mail.context["changed"] == ["venue_room"]


async def test_changes_to_a_draft_are_not_mailed(database) -> None:
    starts = soon()
    draft = await services.create_session(title="Entwurf", starts_at=starts, ends_at=starts + timedelta(hours=1))
    await services.register(
        database, draft.id, name="Vorab", email="vorab@example.org", by_staff=True, consent_version="staff"
    )
    changed = await services.update_session(database, draft.id, title="Entwurf 2")
    assert changed.ics_sequence == draft.ics_sequence + 1
    assert await mails("session_changed") == []


async def test_publish_only_drafts(database) -> None:
    with pytest.raises(NotFound):
        await services.publish_session(999_999)
    session = await published_session()
    again = await services.publish_session(session.id)
    assert again.status == PUBLISHED  # publishing twice is harmless
    await services.cancel_session(database, session.id)
    with pytest.raises(EventError) as refused:
        await services.publish_session(session.id)
    assert set(refused.value.errors) == {"status"}
    assert (await Session.get(id=session.id)).status == CANCELLED


async def test_cancel_session_refusals_and_repeats(database) -> None:
    with pytest.raises(NotFound):
        await services.cancel_session(database, 999_999)
    session = await published_session(capacity=1)
    seated = await register(database, session.id, 1, by_staff=True)
    waiting = await register(database, session.id, 2)
    assert (seated.status, waiting.status) == (CONFIRMED, WAITLISTED)

    cancelled = await services.cancel_session(database, session.id, reason="Krankheit")
    assert cancelled.status == CANCELLED
    sent = await mails("session_cancelled")
    assert sorted(m.recipient for m in sent) == ["person1@example.com", "person2@example.com"]
    with_calendar = {m.recipient: bool(m.attachments) for m in sent}
    assert with_calendar == {"person1@example.com": True, "person2@example.com": False}
    assert all(m.context["reason"] == "Krankheit" for m in sent)

    repeat = await services.cancel_session(database, session.id)
    assert repeat.ics_sequence == cancelled.ics_sequence
    assert len(await mails("session_cancelled")) == 2  # cancelling twice mails once

    done = await published_session()
    completed = await services.complete_session(done.id)
    assert completed.status == COMPLETED
    with pytest.raises(EventError) as refused:
        await services.cancel_session(database, done.id)
    assert set(refused.value.errors) == {"status"}
    assert (await Session.get(id=done.id)).status == COMPLETED


async def test_complete_leaves_drafts_alone(database) -> None:
    starts = soon()
    draft = await services.create_session(title="Entwurf", starts_at=starts, ends_at=starts + timedelta(hours=1))
    assert (await services.complete_session(draft.id)).status == DRAFT


# --- tracks, agenda, questions --------------------------------------------------------------------------------


async def test_tracks_refuse_blank_titles_and_negative_capacity(database) -> None:
    session = await published_session()
    with pytest.raises(EventError) as blank:
        await services.add_track(session.id, title="  ", capacity=5)
    assert set(blank.value.errors) == {"title"}
    with pytest.raises(EventError) as negative:
        await services.add_track(session.id, title="Werkstatt", capacity=-1)
    assert set(negative.value.errors) == {"capacity"}
    assert await Track.all().count() == 0
    track = await services.add_track(session.id, title="  Werkstatt  ", capacity=4)
    assert track.title == "Werkstatt"


async def test_agenda_items_refuse_every_broken_rule_at_once(database) -> None:
    session = await published_session()
    other = await published_session(title="Andere")
    foreign_track = await services.add_track(other.id, title="Fremd", capacity=3)
    starts = session.starts_at
    with pytest.raises(EventError) as bad:
        await services.add_agenda_item(
            session.id,
            title="",
            kind="concert",
            starts_at=starts,
            ends_at=starts,
            track_id=foreign_track.id,
            speakers=[{"name": "Dr. Muster"}, {"name": "  ", "role": "Moderation"}],
        )
    assert set(bad.value.errors) == {"title", "kind", "ends_at", "track", "speaker_1_name"}
    assert await AgendaItem.all().count() == 0
    assert await Speaker.all().count() == 0

    first = await services.add_agenda_item(
        session.id,
        title=" Begrüßung ",
        starts_at=starts,
        ends_at=starts + timedelta(minutes=15),
        speakers=[{"name": " Dr. Muster ", "role": "Bürgermeisterin"}],
    )
    second = await services.add_agenda_item(
        session.id, title="Austausch", kind="break", starts_at=starts, ends_at=starts + timedelta(minutes=30)
    )
    assert (first.title, first.position, second.position) == ("Begrüßung", 0, 1)
    [agenda_first, agenda_second] = await services.agenda_of(session.id)
    assert agenda_first.id == first.id and agenda_second.id == second.id
    assert [s.name for s in agenda_first.speakers] == ["Dr. Muster"]


async def test_questions_refuse_bad_definitions(database) -> None:
    session = await published_session()
    series = await services.create_series(title="Reihe")
    with pytest.raises(TypeError):
        await services.add_question(label="Beides?", series_id=series.id, session_id=session.id)
    with pytest.raises(TypeError):
        await services.add_question(label="Keins?")
    with pytest.raises(EventError) as bad:
        await services.add_question(session_id=session.id, label=" ", kind="slider")
    assert set(bad.value.errors) == {"label", "kind"}
    with pytest.raises(EventError) as one_option:
        await services.add_question(session_id=session.id, label="Branche?", kind="choice", options=["Handel", "  "])
    assert set(one_option.value.errors) == {"options"}
    assert await Question.all().count() == 0
    question = await services.add_question(
        series_id=series.id, label=" Wie? ", kind="checkboxes", options=[" Bus ", "Rad", ""]
    )
    assert (question.label, question.options) == ("Wie?", ["Bus", "Rad"])


# --- staff decisions ------------------------------------------------------------------------------------------


async def test_decisions_on_a_missing_registration_are_not_found(database) -> None:
    for decision in (services.approve, services.decline, services.move_to_confirmed, services.move_to_waitlist):
        with pytest.raises(NotFound) as missing:
            await decision(database, 999_999)
        assert "registration" in missing.value.errors


async def test_approve_only_what_waits_for_approval(database) -> None:
    session = await published_session(capacity=1, requires_approval=True)
    pending = await register(database, session.id, 1, by_staff=True)
    waiting = await register(database, session.id, 2, by_staff=True)
    assert (pending.status, waiting.status) == (PENDING_APPROVAL, WAITLISTED)

    with pytest.raises(EventError) as refused:
        await services.approve(database, waiting.id)
    assert set(refused.value.errors) == {"status"}
    assert (await Registration.get(id=waiting.id)).status == WAITLISTED

    approved = await services.approve(database, pending.id)
    assert approved.status == CONFIRMED
    again = await services.approve(database, pending.id)
    assert again.status == CONFIRMED
    assert len(await mails("registration_confirmed", "person1@example.com")) == 1  # approving twice mails once
    assert await invariant(session.id) == (1, 1, 1)


async def test_decline_frees_the_seat_and_cannot_revive_a_cancelled_registration(database) -> None:
    session = await published_session(capacity=1, requires_approval=True)
    pending = await register(database, session.id, 1, by_staff=True)
    waiting = await register(database, session.id, 2, by_staff=True)
    declined = await services.decline(database, pending.id)
    assert declined.status == DECLINED
    assert len(await mails("registration_cancelled", "person1@example.com")) == 1
    # The freed seat goes to the waitlist, which again waits for approval.
    assert (await Registration.get(id=waiting.id)).status == PENDING_APPROVAL
    assert (await services.decline(database, pending.id)).status == DECLINED  # declining twice is harmless
    assert len(await mails("registration_cancelled", "person1@example.com")) == 1

    cancelled = await services.cancel_registration(database, waiting.id, by_staff=True)
    assert cancelled.status == REG_CANCELLED
    with pytest.raises(EventError) as refused:
        await services.decline(database, waiting.id)
    assert set(refused.value.errors) == {"status"}
    assert (await Registration.get(id=waiting.id)).status == REG_CANCELLED
    assert await invariant(session.id) == (0, 0, 1)


async def test_move_to_confirmed_refusals(database) -> None:
    session = await published_session(capacity=1)
    seated = await register(database, session.id, 1, by_staff=True)
    assert (await services.move_to_confirmed(database, seated.id)).status == CONFIRMED  # already there
    waiting = await register(database, session.id, 2, by_staff=True)
    with pytest.raises(EventError) as full:
        await services.move_to_confirmed(database, waiting.id)
    assert set(full.value.errors) == {"capacity"}
    assert (await Registration.get(id=waiting.id)).status == WAITLISTED
    assert await mails("registration_confirmed", "person2@example.com") == []

    await services.cancel_registration(database, waiting.id, by_staff=True)
    with pytest.raises(EventError) as cancelled:
        await services.move_to_confirmed(database, waiting.id)
    assert set(cancelled.value.errors) == {"status"}
    assert await invariant(session.id) == (1, 1, 1)


async def test_move_to_confirmed_takes_a_held_seat_without_claiming_again(database) -> None:
    session = await published_session(capacity=1)
    held = await register(database, session.id, 1)
    assert held.status == PENDING_CONFIRMATION
    moved = await services.move_to_confirmed(database, held.id)
    assert moved.status == CONFIRMED
    assert moved.email_confirmed_at is not None and moved.hold_expires_at is None
    assert await invariant(session.id) == (1, 1, 1)


async def test_move_to_waitlist_refusals_and_no_automatic_promotion(database) -> None:
    session = await published_session(capacity=1)
    seated = await register(database, session.id, 1, by_staff=True)
    waiting = await register(database, session.id, 2, by_staff=True)
    with pytest.raises(EventError) as refused:
        await services.move_to_waitlist(database, waiting.id)
    assert set(refused.value.errors) == {"status"}

    moved = await services.move_to_waitlist(database, seated.id)
    assert moved.status == WAITLISTED and moved.confirmed_at is None
    # Staff chose to free the seat for someone of their choice: nobody is promoted by itself.
    assert (await Registration.get(id=waiting.id)).status == WAITLISTED
    assert await invariant(session.id) == (0, 0, 1)
    [mail] = await mails("registration_waitlisted", "person1@example.com")
    assert mail.context["email_confirmed"] is True
    assert await services.waitlist_position(await Registration.get(id=seated.id)) == 2


# --- registration edge cases ----------------------------------------------------------------------------------


async def test_registration_not_yet_open_and_on_a_missing_session(database) -> None:
    session = await published_session(registration_opens_at=soon(3))
    with pytest.raises(EventError) as not_yet:
        await register(database, session.id, 1)
    assert set(not_yet.value.errors) == {"session"}
    assert await Registration.all().count() == 0


async def test_confirming_after_the_hold_expired_takes_a_free_seat_or_the_waitlist(database) -> None:
    session = await published_session(capacity=1)
    late = await register(database, session.id, 1)
    later = await register(database, session.id, 2)
    assert (late.status, later.status) == (PENDING_CONFIRMATION, WAITLISTED)
    expiry = late.hold_expires_at + timedelta(minutes=1)
    assert await services.expire_holds(database, now=expiry) == 1
    # The waitlisted person got the seat (and a new hold), the first one lost it.
    assert (await Registration.get(id=later.id)).status == PENDING_CONFIRMATION
    assert (await Registration.get(id=late.id)).status == REG_CANCELLED

    back = await services.confirm_registration(database, manage_token(database, late.ics_uid), now=expiry)
    assert back.status == WAITLISTED and back.email_confirmed_at is not None
    assert len(await mails("registration_waitlisted", "person1@example.com")) == 1
    assert await invariant(session.id) == (1, 1, 1)

    await services.cancel_registration(database, later.id, now=expiry)
    assert (await Registration.get(id=late.id)).status == CONFIRMED  # confirmed address: straight to a seat


async def test_confirming_an_expired_hold_with_a_free_seat_seats_again(database) -> None:
    session = await published_session(capacity=2)
    reg = await register(database, session.id, 1)
    expiry = reg.hold_expires_at + timedelta(minutes=1)
    assert await services.expire_holds(database, now=expiry) == 1
    assert await services.expire_holds(database, now=expiry) == 0
    assert await invariant(session.id) == (0, 0, 2)
    back = await services.confirm_registration(database, manage_token(database, reg.ics_uid), now=expiry)
    assert back.status == CONFIRMED and back.cancelled_at is None
    assert await invariant(session.id) == (1, 1, 2)


async def test_confirming_an_expired_hold_after_registration_closed_is_refused(database) -> None:
    session = await published_session(capacity=2, registration_closes_at=soon(1))
    reg = await register(database, session.id, 1)
    after_close = soon(2)
    await services.expire_holds(database, now=reg.hold_expires_at + timedelta(minutes=1))
    with pytest.raises(EventError):
        await services.confirm_registration(database, manage_token(database, reg.ics_uid), now=after_close)
    assert (await Registration.get(id=reg.id)).status == REG_CANCELLED
    assert await invariant(session.id) == (0, 0, 2)


async def test_manage_links_that_are_empty_or_too_long_are_not_found(database) -> None:
    for token in ("", "A" * 101):
        with pytest.raises(NotFound):
            await services.by_token(database, token)


async def test_waitlist_position_is_none_for_a_seat(database) -> None:
    session = await published_session()
    reg = await register(database, session.id, 1)
    assert await services.waitlist_position(reg) is None


async def test_promotion_stops_once_the_session_has_started(database) -> None:
    session = await published_session(capacity=1)
    seated = await register(database, session.id, 1, by_staff=True)
    waiting = await register(database, session.id, 2, by_staff=True)
    during = session.starts_at + timedelta(minutes=5)
    await services.cancel_registration(database, seated.id, by_staff=True, now=during)
    assert (await Registration.get(id=waiting.id)).status == WAITLISTED
    assert await services.promote_waitlist(database, session.id, now=during) == []
