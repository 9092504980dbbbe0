"""Registration rules: holds, double opt-in, waitlist, promotion, approval, cancelling, validation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agora import i18n
from agora.forms import FieldErrors, validate
from events import forms, services
from events.errors import DuplicateRegistration, EventError, NotFound, RegistrationClosed
from events.models import (
    CONFIRMED,
    DECLINED,
    PENDING_APPROVAL,
    PENDING_CONFIRMATION,
    REG_CANCELLED,
    WAITLISTED,
    Registration,
    Session,
)
from events.services.common import manage_token, questions_for
from tests.events.helpers import invariant, mails, published_session, register


async def test_seat_is_held_until_the_address_is_confirmed(database) -> None:
    session = await published_session(capacity=2)
    reg = await register(database, session.id, 1)
    assert reg.status == PENDING_CONFIRMATION
    assert reg.hold_expires_at is not None
    assert await invariant(session.id) == (1, 1, 2)
    [mail] = await mails("registration_confirm_request", "person1@example.com")
    assert mail.context["confirm_url"].endswith("/confirm")
    assert mail.context["session_title"] == "Wirtschaft trifft Verwaltung"

    confirmed = await services.confirm_registration(database, manage_token(database, reg.ics_uid))
    assert confirmed.status == CONFIRMED
    assert confirmed.hold_expires_at is None
    again = await services.confirm_registration(database, manage_token(database, reg.ics_uid))
    assert again.status == CONFIRMED
    assert len(await mails("registration_confirmed")) == 1  # confirming twice mails once
    [confirmation] = await mails("registration_confirmed")
    assert confirmation.attachments[0]["content_type"].startswith("text/calendar; method=REQUEST")
    assert await invariant(session.id) == (1, 1, 2)


async def test_the_eleventh_is_waitlisted_and_promoted_when_someone_cancels(database) -> None:
    session = await published_session(capacity=10)
    regs = [await register(database, session.id, n) for n in range(11)]
    assert [r.status for r in regs[:10]] == [PENDING_CONFIRMATION] * 10
    assert regs[10].status == WAITLISTED
    assert await services.waitlist_position(regs[10]) == 1
    assert len(await mails("registration_waitlisted", "person10@example.com")) == 1

    await services.confirm_registration(database, manage_token(database, regs[10].ics_uid))
    assert (await Registration.get(id=regs[10].id)).status == WAITLISTED  # address confirmed, still waiting

    await services.cancel_registration(database, regs[3].id)
    promoted = await Registration.get(id=regs[10].id)
    assert promoted.status == CONFIRMED  # address was confirmed before: straight to confirmed
    assert len(await mails("registration_promoted", "person10@example.com")) == 1
    assert len(await mails("registration_cancelled", "person3@example.com")) == 1
    assert await invariant(session.id) == (10, 10, 10)


async def test_colleagues_take_seats_and_a_party_that_does_not_fit_is_skipped(database) -> None:
    session = await published_session(capacity=4, max_colleagues=3)
    big = await register(database, session.id, 1, colleagues=[{"name": "A"}, {"name": "B"}])
    assert big.seats == 3
    trio = await register(database, session.id, 2, colleagues=[{"name": "C"}, {"name": "D"}])
    assert trio.status == WAITLISTED
    single = await register(database, session.id, 3)
    assert single.status == PENDING_CONFIRMATION  # the fourth seat is still free
    solo = await register(database, session.id, 4)
    assert solo.status == WAITLISTED
    await services.cancel_registration(database, single.id)
    # The trio waits first but does not fit into one free seat; the next single person does.
    assert (await Registration.get(id=trio.id)).status == WAITLISTED
    assert (await Registration.get(id=solo.id)).status == PENDING_CONFIRMATION
    assert await invariant(session.id) == (4, 4, 4)

    with pytest.raises(FieldErrors) as excinfo:
        await register(database, session.id, 5, colleagues=[{"name": n} for n in "WXYZ"])
    assert "colleagues" in excinfo.value.errors


async def test_duplicate_address_is_refused_but_coming_back_after_cancelling_works(database) -> None:
    session = await published_session()
    first = await register(database, session.id, 1)
    with pytest.raises(DuplicateRegistration) as excinfo:
        await register(database, session.id, 1, email="PERSON1@example.com ")
    assert "email" in excinfo.value.errors
    await services.cancel_registration(database, first.id)
    back = await register(database, session.id, 1)
    assert back.id == first.id and back.ics_uid == first.ics_uid
    assert back.status == PENDING_CONFIRMATION
    assert await invariant(session.id) == (1, 1, 10)


async def test_expired_holds_release_seats_and_promote_the_waitlist(database) -> None:
    session = await published_session(capacity=1)
    held = await register(database, session.id, 1)
    waiting = await register(database, session.id, 2)
    assert waiting.status == WAITLISTED
    assert await services.expire_holds(database, now=held.hold_expires_at - timedelta(seconds=1)) == 0
    assert await services.expire_holds(database, now=held.hold_expires_at + timedelta(seconds=1)) == 1
    assert (await Registration.get(id=held.id)).status == REG_CANCELLED
    promoted = await Registration.get(id=waiting.id)
    # Never confirmed the address: the promotion is a fresh hold that needs the link.
    assert promoted.status == PENDING_CONFIRMATION and promoted.hold_expires_at is not None
    assert await invariant(session.id) == (1, 1, 1)

    # The late link of the expired hold: no seat left, so it joins the waitlist.
    late = await services.confirm_registration(database, manage_token(database, held.ics_uid))
    assert late.status == WAITLISTED
    assert await invariant(session.id) == (1, 1, 1)


async def test_approval_holds_the_seat_until_staff_decide(database) -> None:
    session = await published_session(capacity=1, requires_approval=True)
    reg = await register(database, session.id, 1)
    reg = await services.confirm_registration(database, manage_token(database, reg.ics_uid))
    assert reg.status == PENDING_APPROVAL
    other = await register(database, session.id, 2)
    assert other.status == WAITLISTED  # the pending approval holds the only seat
    await services.confirm_registration(database, manage_token(database, other.ics_uid))
    declined = await services.decline(database, reg.id)
    assert declined.status == DECLINED
    assert (await Registration.get(id=other.id)).status == PENDING_APPROVAL
    approved = await services.approve(database, other.id)
    assert approved.status == CONFIRMED
    assert await invariant(session.id) == (1, 1, 1)


async def test_staff_add_and_move_between_waitlist_and_confirmed(database) -> None:
    session = await published_session(capacity=1)
    added = await register(database, session.id, 1, by_staff=True, consent=False, consent_version="")
    assert added.status == CONFIRMED
    extra = await register(database, session.id, 2, by_staff=True)
    assert extra.status == WAITLISTED
    with pytest.raises(EventError) as excinfo:
        await services.move_to_confirmed(database, extra.id)
    assert "capacity" in excinfo.value.errors
    await services.move_to_waitlist(database, added.id)
    assert await invariant(session.id) == (0, 0, 1)
    moved = await services.move_to_confirmed(database, extra.id)
    assert moved.status == CONFIRMED
    assert await invariant(session.id) == (1, 1, 1)
    await services.update_session(database, session.id, capacity=2)
    assert (await Registration.get(id=added.id)).status == CONFIRMED  # a larger capacity promotes at once
    with pytest.raises(EventError) as excinfo:
        await services.update_session(database, session.id, capacity=1)
    assert "capacity" in excinfo.value.errors
    assert await invariant(session.id) == (2, 2, 2)


async def test_bad_input_is_refused_with_field_messages_and_changes_nothing(database) -> None:
    session = await published_session()
    question = await services.add_question(
        session_id=session.id, label="Branche?", kind="choice", options=["Handel", "Handwerk"], required=True
    )
    number = await services.add_question(session_id=session.id, label="Mitarbeitende", kind="number")
    bad = {"name": "", "email": "not-an-address", "answers": {str(number.id): "viele"}, "consent": False}
    for language, word in (("de", "E-Mail"), ("en", "email")):
        token = i18n.current_locale.set(language)
        try:
            with pytest.raises(FieldErrors) as excinfo:
                await register(database, session.id, 1, **bad)
        finally:
            i18n.current_locale.reset(token)
        assert set(excinfo.value.errors) == {
            "name",
            "email",
            "consent",
            f"answers.{question.id}",
            f"answers.{number.id}",
        }
        assert word in excinfo.value.errors["email"]
    with pytest.raises(FieldErrors) as excinfo:
        await register(database, session.id, 1, answers={str(question.id): "Landwirtschaft"})
    assert f"answers.{question.id}" in excinfo.value.errors
    for infinite in ("NaN", "inf", "1e309", "-Infinity", "١٢"):
        with pytest.raises(FieldErrors) as excinfo:
            await register(database, session.id, 1, answers={str(question.id): "Handel", str(number.id): infinite})
        assert f"answers.{number.id}" in excinfo.value.errors, infinite
    assert await Registration.all().count() == 0
    assert await mails() == []
    ok = await register(database, session.id, 1, answers={str(question.id): "Handel", str(number.id): "12"})
    assert ok.answers == {str(question.id): "Handel", str(number.id): 12}


async def test_closed_sessions_and_deadlines(database) -> None:
    draft = await services.create_session(title="Entwurf", starts_at=published_soon(), ends_at=published_soon(3))
    with pytest.raises(RegistrationClosed):
        await register(database, draft.id, 1)
    session = await published_session(
        registration_opens_at=published_soon(-20), registration_closes_at=published_soon(-10)
    )
    with pytest.raises(RegistrationClosed):
        await register(database, session.id, 1)
    with pytest.raises(NotFound):
        await register(database, 999_999, 1)
    open_session = await published_session(cancel_deadline=published_soon(-1))
    reg = await register(database, open_session.id, 2)
    with pytest.raises(EventError) as excinfo:
        await services.cancel_registration(database, reg.id)
    assert "status" in excinfo.value.errors
    staff_cancel = await services.cancel_registration(database, reg.id, by_staff=True)
    assert staff_cancel.status == REG_CANCELLED
    with pytest.raises(NotFound):
        await services.by_token(database, "forged-token")


def published_soon(days: int = 2):  # noqa: ANN201
    from tests.events.helpers import soon

    return soon(days)


async def test_tracks_have_their_own_capacity(database) -> None:
    session = await published_session(capacity=10, kind="workshop", max_colleagues=1)
    small = await services.add_track(session.id, title="Digitalisierung", capacity=2)
    large = await services.add_track(session.id, title="Fachkräfte", capacity=8)
    with pytest.raises(FieldErrors) as excinfo:
        await register(database, session.id, 0)
    assert "track_id" in excinfo.value.errors
    a = await register(database, session.id, 1, track_id=small.id, colleagues=[{"name": "Kollegin"}])
    b = await register(database, session.id, 2, track_id=small.id)
    c = await register(database, session.id, 3, track_id=large.id)
    assert (a.status, b.status, c.status) == (PENDING_CONFIRMATION, WAITLISTED, PENDING_CONFIRMATION)
    assert await invariant(session.id) == (3, 3, 10)
    await services.cancel_registration(database, a.id)
    assert (await Registration.get(id=b.id)).status == PENDING_CONFIRMATION
    assert await invariant(session.id) == (2, 2, 10)


async def test_manage_link_edits_details_and_cancels(database) -> None:
    session = await published_session()
    question = await services.add_question(session_id=session.id, label="Thema?", required=True)
    reg = await register(database, session.id, 1, answers={str(question.id): "Fachkräfte"})
    token = manage_token(database, reg.ics_uid)
    details = forms.with_questions(forms.DetailsInput, await questions_for(session))
    with pytest.raises(FieldErrors) as excinfo:
        validate(details, {"name": "", "answers": {}})
    assert set(excinfo.value.errors) == {"name", f"answers.{question.id}"}
    edited = await services.update_details(
        database,
        token,
        name="Erika Muster",
        organisation="Muster GmbH",
        role="Inhaberin",
        answers={str(question.id): "Flächen"},
    )
    assert (edited.name, edited.organisation, edited.answers) == (
        "Erika Muster",
        "Muster GmbH",
        {str(question.id): "Flächen"},
    )
    assert edited.email == reg.email
    cancelled = await services.cancel_by_token(database, token)
    assert cancelled.status == REG_CANCELLED
    assert await invariant(session.id) == (0, 0, 10)
    with pytest.raises(EventError):
        await services.update_details(
            database, token, name="X", organisation="", role="", answers={str(question.id): "a"}
        )


async def test_a_failure_after_the_seat_claim_rolls_everything_back(database, monkeypatch) -> None:
    # Fault injection at the outbox write, the last step of the transaction: seat and row must both vanish.
    from events.services import common

    session = await published_session(capacity=3)

    async def broken(*args, **kwargs) -> None:  # noqa: ANN002, ANN003
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(common, "notify", broken)
    with pytest.raises(RuntimeError):
        await register(database, session.id, 1)
    assert await invariant(session.id) == (0, 0, 3)
    assert await Registration.all().count() == 0
    monkeypatch.undo()
    assert (await register(database, session.id, 1)).status == PENDING_CONFIRMATION
    assert await invariant(session.id) == (1, 1, 3)


@pytest.mark.parametrize("coming_back", [False, True])
async def test_a_retried_registration_that_ends_on_the_waitlist_keeps_no_hold(
    database, monkeypatch, coming_back
) -> None:
    # The first attempt holds the last seat and is then rolled back for contention; before the retry
    # someone else takes the seat. The retry must start from clean values, not from the first attempt's.
    from tortoise.exceptions import OperationalError

    from events.services import capacity, common

    session = await published_session(capacity=1)
    if coming_back:
        earlier = await register(database, session.id, 1)
        await services.cancel_registration(database, earlier.id)
    real_claim, real_notify = capacity.claim, common.notify
    claims: list[bool] = []

    async def racing_claim(*args, **kwargs) -> bool:  # noqa: ANN002, ANN003
        claims.append(await real_claim(*args, **kwargs) if not claims else False)
        return claims[-1]

    async def contended_notify(*args, **kwargs) -> None:  # noqa: ANN002, ANN003
        if len(claims) == 1:
            raise OperationalError("database is locked")
        await real_notify(*args, **kwargs)

    monkeypatch.setattr(capacity, "claim", racing_claim)
    monkeypatch.setattr(common, "notify", contended_notify)
    registration = await register(database, session.id, 1)
    assert claims == [True, False]
    stored = await Registration.get(id=registration.id)
    for row in (registration, stored):
        assert row.status == WAITLISTED
        assert row.hold_expires_at is None
        assert row.confirmed_at is None
        assert row.waitlisted_at is not None
    assert await invariant(session.id) == (0, 0, 1)


async def test_a_seat_that_looked_free_but_was_taken_puts_the_person_on_the_waitlist(database) -> None:
    # The caller read the session while a seat was left; by the time of the claim it is gone. The claim decides:
    # the row written as a held seat becomes a waitlist entry in the same transaction, with the waitlist mail.
    session = await published_session(capacity=1)
    seen_free = await Session.get(id=session.id)
    await register(database, session.id, 1)
    late = await services.register(
        database,
        session.id,
        name="Person 2",
        email="person2@example.com",
        consent=True,
        consent_version=forms.CONSENT_VERSION,
        loaded=seen_free,
    )
    stored = await Registration.get(id=late.id)
    for row in (late, stored):
        assert row.status == WAITLISTED
        assert row.hold_expires_at is None
        assert row.waitlisted_at is not None
        assert row.ics_own_sequence == 0  # it never held a seat
    assert await services.waitlist_position(stored) == 1
    assert len(await mails("registration_waitlisted", "person2@example.com")) == 1
    assert await mails("registration_confirm_request", "person2@example.com") == []
    assert await invariant(session.id) == (1, 1, 1)


async def test_a_suppressed_address_registers_without_a_mail(database) -> None:
    from notifications.models import Suppression

    session = await published_session(capacity=1)
    await Suppression.create(address="person1@example.com", reason="bounced")
    reg = await register(database, session.id, 1)
    assert reg.status == PENDING_CONFIRMATION
    assert await mails(to="person1@example.com") == []
    assert await invariant(session.id) == (1, 1, 1)
