"""Hybrid sessions: two pools of places with their own waitlists, a join link only for confirmed online attendees."""

from __future__ import annotations

from base64 import b64decode

import pytest

from agora.forms import FieldErrors
from events import checkin, exports, services
from events.errors import EventError, NotFound
from events.models import ATTENDED, CONFIRMED, PENDING_CONFIRMATION, WAITLISTED, Registration, Session
from events.services import signup
from events.services.common import manage_token
from notifications.models import OutboxMessage
from tests.conftest import csrf_from, form_post
from tests.events.helpers import CONSENT, mails, published_session, register
from tests.events.test_api import _bearer, person

LINK = "https://meet.example.org/hybrid-1"


async def _hybrid(**overrides: object) -> Session:
    data: dict[str, object] = {"mode": "hybrid", "capacity": 1, "online_capacity": 1, "online_url": LINK}
    data.update(overrides)
    return await published_session(**data)


async def _confirmed(settings, session: Session, n: int, attendance: str) -> Registration:
    reg = await register(settings, session.id, n, attendance=attendance)
    return await services.confirm_registration(settings, manage_token(settings, reg.ics_uid))


def _ics(mail: OutboxMessage) -> str:
    [calendar] = [a for a in mail.attachments if a["filename"] == "invite.ics"]
    return b64decode(calendar["content"]).decode()


async def test_each_way_of_taking_part_has_its_own_places_and_waitlist(database) -> None:
    session = await _hybrid()
    room = await _confirmed(database, session, 1, "in_person")
    online = await _confirmed(database, session, 2, "online")
    assert (room.status, online.status) == (CONFIRMED, CONFIRMED)
    fresh = await Session.get(id=session.id)
    assert (fresh.seats_taken, fresh.online_seats_taken) == (1, 1)
    assert fresh.offered_left() == 0

    room_waiting = await register(database, session.id, 3, attendance="in_person")
    online_waiting = await register(database, session.id, 4, attendance="online")
    assert (room_waiting.status, online_waiting.status) == (WAITLISTED, WAITLISTED)
    assert await services.waitlist_position(room_waiting) == 1
    assert await services.waitlist_position(online_waiting) == 1  # each pool counts its own waitlist

    # A free online place goes to the online waitlist, never to the room's.
    await services.cancel_registration(database, online.id)
    assert (await Registration.get(id=online_waiting.id)).status == PENDING_CONFIRMATION
    assert (await Registration.get(id=room_waiting.id)).status == WAITLISTED
    fresh = await Session.get(id=session.id)
    assert (fresh.seats_taken, fresh.online_seats_taken) == (1, 1)

    # A larger room promotes the room's waitlist.
    await services.update_session(database, session.id, capacity=2)
    assert (await Registration.get(id=room_waiting.id)).status == PENDING_CONFIRMATION


async def test_the_way_of_taking_part_is_chosen_and_checked(database) -> None:
    session = await _hybrid()
    with pytest.raises(FieldErrors) as refused:
        await register(database, session.id, 1)
    assert "attendance" in refused.value.errors
    with pytest.raises(FieldErrors):
        await register(database, session.id, 1, attendance="balcony")
    # The service refuses a way the session does not offer, whoever calls it.
    in_person = await published_session()
    with pytest.raises(EventError) as closed:
        await services.register(database, in_person.id, name="A", email="a@example.com", attendance="online", **CONSENT)
    assert "attendance" in closed.value.errors
    # A session with one way of taking part needs no choice.
    online_only = await published_session(mode="online", capacity=0, online_capacity=5, online_url=LINK)
    reg = await register(database, online_only.id, 2)
    assert reg.attendance == "online"
    assert (await Session.get(id=online_only.id)).online_seats_taken == 1


async def test_the_join_link_reaches_only_confirmed_online_attendees(database) -> None:
    session = await _hybrid(capacity=5, online_capacity=5)
    room = await _confirmed(database, session, 1, "in_person")
    online = await _confirmed(database, session, 2, "online")
    pending = await register(database, session.id, 3, attendance="online")
    assert pending.status == PENDING_CONFIRMATION

    [request] = await mails("registration_confirm_request", pending.email)
    assert request.context["online_url"] == ""
    [online_mail] = await mails("registration_confirmed", online.email)
    assert online_mail.context["online_url"] == LINK
    ics = _ics(online_mail)
    assert "LOCATION:" + LINK in ics.replace("\r\n ", "")
    [room_mail] = await mails("registration_confirmed", room.email)
    assert room_mail.context["online_url"] == ""
    assert "meet.example.org" not in _ics(room_mail)

    # A new link is mailed to confirmed online attendees only.
    new_link = "https://meet.example.org/hybrid-2"
    await services.update_session(database, session.id, online_url=new_link)
    [changed] = await mails("session_changed")
    assert changed.recipient == online.email
    assert changed.context["online_url"] == new_link and changed.context["changed"] == ["online_url"]
    assert new_link in _ics(changed).replace("\r\n ", "")

    # A change of time reaches everyone seated, with the link only for the online attendee.
    await services.update_session(database, session.id, venue_room="Ratssaal")
    changed = {m.recipient: m for m in await mails("session_changed")}
    assert changed[room.email].context["online_url"] == ""
    assert changed[pending.email].context["online_url"] == ""

    assert changed[online.email].context["online_url"] == new_link


async def test_online_places_cannot_drop_below_those_taken(database) -> None:
    session = await _hybrid(online_capacity=2)
    await register(database, session.id, 1, attendance="online")
    await register(database, session.id, 2, attendance="online")
    with pytest.raises(EventError) as refused:
        await services.update_session(database, session.id, online_capacity=1)
    assert "online_capacity" in refused.value.errors
    with pytest.raises(EventError) as bad:
        await services.update_session(database, session.id, mode="everywhere")
    assert "mode" in bad.value.errors
    with pytest.raises(EventError):
        await services.update_session(database, session.id, online_capacity=-1)


async def test_online_attendance_is_marked_from_the_list_and_the_door_counts_the_room(database) -> None:
    session = await _hybrid(capacity=3, online_capacity=3)
    room = await _confirmed(database, session, 1, "in_person")
    online = await _confirmed(database, session, 2, "online")
    with pytest.raises(EventError):
        await checkin.mark_attended_online(database, room.id)
    with pytest.raises(NotFound):
        await checkin.mark_attended_online(database, 999_999)
    marked = await checkin.mark_attended_online(database, online.id)
    assert marked.status == ATTENDED and marked.checked_in_at is not None
    assert (await checkin.mark_attended_online(database, online.id)).status == ATTENDED  # twice is fine
    cancelled = await _confirmed(database, session, 3, "online")
    await services.cancel_registration(database, cancelled.id, by_staff=True)
    with pytest.raises(EventError):
        await checkin.mark_attended_online(database, cancelled.id)

    counts = await checkin.live_counts(session.id)
    assert (counts.expected, counts.attended) == (1, 0)  # the room only
    await checkin.check_in(session.id, room.checkin_code)
    assert (await checkin.live_counts(session.id)).attended == 1

    header, rows = await exports.table(session, "attendees")
    column = header.index("Nimmt teil")
    assert sorted(row[column] for row in rows) == ["Im Raum", "Online"]


async def test_a_registered_address_is_answered_by_its_own_pool(database) -> None:
    session = await _hybrid(capacity=1, online_capacity=2)
    await _confirmed(database, session, 1, "in_person")
    details = {"organisation": "", "role": "", "answers": {}, **CONSENT}
    again = await signup.register_publicly(
        database, session.id, name="Person 1", email="person1@example.com", attendance="in_person", **details
    )
    assert again.status == WAITLISTED  # the room is full
    online = await signup.register_publicly(
        database, session.id, name="Person 1", email="person1@example.com", attendance="online", **details
    )
    assert online.status == PENDING_CONFIRMATION  # online places are left


async def test_pages_show_the_mode_and_never_the_link(database, client, staff_client) -> None:
    session = await _hybrid(capacity=4, online_capacity=6)
    page = await client.get(f"/termine/{session.id}")
    assert "Hybrid: im Raum oder online" in page.text
    assert 'name="attendance"' in page.text
    assert LINK not in page.text
    listing = await client.get("/termine")
    assert "Hybrid: im Raum oder online" in listing.text and "10 Plätze frei" in listing.text
    feed = await client.get(f"/termine/{session.id}/kalender.ics")
    assert "meet.example.org" not in feed.text

    refused = await client.post(
        f"/termine/{session.id}/anmeldung",
        data={"name": "Erika", "email": "erika@example.com", "consent": "on", "csrf_token": "x"},
    )
    assert refused.status_code in (400, 403)

    page = await client.get(f"/termine/{session.id}")
    missing = await client.post(
        f"/termine/{session.id}/anmeldung",
        data={"name": "Erika", "email": "erika@example.com", "consent": "on", "csrf_token": csrf_from(page.text)},
    )
    assert missing.status_code == 400 and 'id="attendance-error"' in missing.text
    chosen = await client.post(
        f"/termine/{session.id}/anmeldung",
        data={
            "name": "Erika",
            "email": "erika@example.com",
            "consent": "on",
            "attendance": "online",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert chosen.status_code == 200
    reg = await Registration.get(email="erika@example.com")
    assert reg.attendance == "online"

    staff_page = f"/staff/events/sessions/{session.id}/registrations"
    listed = await staff_client.get(staff_page)
    assert "Online" in listed.text and "Nimmt teil" in listed.text
    added = await form_post(
        staff_client, staff_page, staff_page, {"name": "Max", "email": "max@example.com", "attendance": "online"}
    )
    assert added.status_code == 303
    max_reg = await Registration.get(email="max@example.com")
    assert max_reg.attendance == "online" and max_reg.status == CONFIRMED
    marked = await form_post(staff_client, staff_page, f"{staff_page}/{max_reg.id}/attended-online", {})
    assert marked.status_code == 303
    assert (await Registration.get(id=max_reg.id)).status == ATTENDED
    detail = await staff_client.get(f"/staff/events/sessions/{session.id}")
    assert "Plätze online" in detail.text and LINK in detail.text


async def test_staff_create_a_hybrid_session(staff_client, database) -> None:
    new = "/staff/events/sessions/new"
    form = {
        "kind": "dialogue",
        "title": "Hybrider Dialog",
        "starts_at": "2027-07-06T08:00",
        "ends_at": "2027-07-06T10:00",
        "mode": "hybrid",
        "capacity": "20",
        "online_capacity": "50",
        "online_url": LINK,
    }
    refused = await form_post(staff_client, new, new, {**form, "mode": "somewhere"})
    assert refused.status_code == 400 and 'id="mode-error"' in refused.text
    created = await form_post(staff_client, new, new, form)
    assert created.status_code == 303
    session = await Session.get(title="Hybrider Dialog")
    assert (session.mode, session.capacity, session.online_capacity) == ("hybrid", 20, 50)
    edit = await staff_client.get(f"/staff/events/sessions/{session.id}/edit")
    assert 'value="50"' in edit.text


async def test_the_api_takes_and_shows_the_way_of_taking_part(client, database) -> None:
    session = await _hybrid(capacity=2, online_capacity=3)
    url = f"/api/v1/sessions/{session.id}/registrations"
    missing = await client.post(url, json=person(1))
    assert missing.status_code == 422 and "attendance" in missing.json()["errors"]
    made = await client.post(url, json={**person(1), "attendance": "online"})
    assert made.status_code == 201
    assert (await Registration.get(email="p1@example.com")).attendance == "online"
    shown = (await client.get(f"/api/v1/sessions/{session.id}")).json()
    assert (shown["mode"], shown["online_places_left"], shown["seats_left"]) == ("hybrid", 2, 2)
    assert LINK not in str(shown)

    write, read = await _bearer("sessions:write"), await _bearer("registrations:read")
    changed = await client.patch(
        f"/api/v1/staff/sessions/{session.id}", headers=write, json={"mode": "online", "online_capacity": 4}
    )
    assert changed.status_code == 200 and changed.json()["mode"] == "online"
    assert changed.json()["online_seats_taken"] == 1
    listing = await client.get(f"/api/v1/staff/sessions/{session.id}/registrations", headers=read)
    assert [r["attendance"] for r in listing.json()["items"]] == ["online"]
