"""Staff pages of events: series, sessions, agenda, registrations. Organizers plan, moderators may not."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from events import services
from events.models import (
    CANCELLED,
    COMPLETED,
    CONFIRMED,
    DECLINED,
    PUBLISHED,
    WAITLISTED,
    AgendaItem,
    Question,
    Registration,
    Series,
    Session,
    Speaker,
    Track,
)
from tests.conftest import form_post, login, make_user, new_client
from tests.events.helpers import mails, published_session, register

BERLIN = ZoneInfo("Europe/Berlin")
RULE = "DTSTART:20270105T080000\nRRULE:FREQ=MONTHLY;INTERVAL=3;BYDAY=1TU"


@pytest.fixture
async def moderator_client(app) -> AsyncIterator[httpx.AsyncClient]:  # noqa: ANN001
    await make_user("moderator@example.org", ["moderator"])
    async with new_client(app) as c:
        assert (await login(c, "moderator@example.org")).status_code == 303
        yield c


def local(value: datetime) -> str:
    return value.astimezone(BERLIN).strftime("%Y-%m-%dT%H:%M")


async def make_series(**overrides: object) -> Series:
    data: dict = {"title": "Wirtschaft trifft Verwaltung", "rrule": RULE, "default_capacity": 12}
    data.update(overrides)
    return await services.create_series(**data)


SERIES_FORM = {
    "title": "Wirtschaft trifft Verwaltung",
    "description": "Frühstück im Rathaus",
    "office": "Wirtschaftsförderung",
    "contact_email": "wifoe@example.org",
    "venue_name": "Rathaus",
    "default_duration_minutes": "120",
    "default_capacity": "40",
    "rrule": RULE.replace("\n", "\r\n"),
    "reminder_offset_hours": "48",
    "followup_survey_id": "",
}


async def test_every_page_renders_for_an_organizer(staff_client, database) -> None:
    series = await make_series()
    session = await published_session(series_id=series.id, max_colleagues=1)
    track = await services.add_track(session.id, title="Digitalisierung", capacity=5)
    await register(database, session.id, 1, by_staff=True, organisation="Bäckerei Müller", track_id=track.id)
    base = f"/staff/events/sessions/{session.id}"
    for url in (
        "/staff/events/series",
        "/staff/events/series/new",
        f"/staff/events/series/{series.id}",
        f"/staff/events/series/{series.id}/edit",
        "/staff/events/sessions",
        "/staff/events/sessions?when=past&status=draft",
        "/staff/events/sessions?when=all",
        "/staff/events/sessions/new",
        f"/staff/events/sessions/new?series={series.id}",
        base,
        base + "/edit",
        base + "/agenda",
        base + "/registrations",
        base + "/checkin",
        base + "/checkin?q=M%C3%BCller",
        base + "/attendees",
        "/staff",
    ):
        response = await staff_client.get(url)
        assert response.status_code == 200, (url, response.text[:2000])
    assert "Bäckerei Müller" in (await staff_client.get(base + "/attendees")).text
    dashboard = await staff_client.get("/staff")
    assert "/staff/events/sessions" in dashboard.text  # the navigation


async def test_moderators_and_visitors_are_kept_out(moderator_client, client, database) -> None:
    series = await make_series()
    session = await published_session()
    reg = await register(database, session.id, 1)
    for url in (
        "/staff/events/series",
        f"/staff/events/series/{series.id}",
        f"/staff/events/sessions/{session.id}",
        f"/staff/events/sessions/{session.id}/registrations",
        f"/staff/events/sessions/{session.id}/checkin",
        f"/staff/events/sessions/{session.id}/export/attendees.csv",
    ):
        assert (await moderator_client.get(url)).status_code == 403, url
        visitor = await client.get(url)
        assert visitor.status_code == 303 and visitor.headers["location"].startswith("/staff/login")
    # A moderator's write is refused before it reaches a service.
    token_page = await moderator_client.get("/staff/account")
    from tests.conftest import csrf_from

    token = csrf_from(token_page.text)
    response = await moderator_client.post(
        f"/staff/events/sessions/{session.id}/registrations/{reg.id}/cancel", data={"csrf_token": token}
    )
    assert response.status_code == 403
    assert (await Registration.get(id=reg.id)).status == reg.status
    # and the navigation does not offer what they cannot open
    assert "/staff/events/sessions" not in (await moderator_client.get("/staff")).text


async def test_series_create_edit_preview_and_bad_input(staff_client, database) -> None:
    new = "/staff/events/series/new"
    preview = await form_post(staff_client, new, new, {**SERIES_FORM, "preview": "1"})
    assert preview.status_code == 200
    assert await Series.all().count() == 0  # a preview saves nothing
    assert "Dienstag" in preview.text or "Tuesday" in preview.text
    assert "08:00" in preview.text  # Berlin wall time, also in summer dates

    bad = await form_post(
        staff_client,
        new,
        new,
        {**SERIES_FORM, "title": "", "rrule": "RRULE:FREQ=SOMETIMES", "default_capacity": "viele"},
    )
    assert bad.status_code == 400
    assert 'id="title-error"' in bad.text and 'id="rrule-error"' in bad.text
    assert 'id="default_capacity-error"' in bad.text
    assert await Series.all().count() == 0

    created = await form_post(staff_client, new, new, SERIES_FORM)
    assert created.status_code == 303
    series = await Series.get(title="Wirtschaft trifft Verwaltung")
    assert (series.default_capacity, series.reminder_offset_hours, series.rrule) == (40, 48, RULE)
    assert created.headers["location"] == f"/staff/events/series/{series.id}"

    edit = f"/staff/events/series/{series.id}/edit"
    saved = await form_post(staff_client, edit, edit, {**SERIES_FORM, "title": "WtV", "followup_survey_id": "999"})
    assert saved.status_code == 400 and 'id="followup_survey_id-error"' in saved.text
    assert (await Series.get(id=series.id)).title == "Wirtschaft trifft Verwaltung"
    saved = await form_post(staff_client, edit, edit, {**SERIES_FORM, "title": "WtV"})
    assert saved.status_code == 303 and (await Series.get(id=series.id)).title == "WtV"


async def test_series_generate_skip_and_questions(staff_client, database) -> None:
    series = await make_series()
    page = f"/staff/events/series/{series.id}"
    bad = await form_post(staff_client, page, page + "/generate", {"count": "0"})
    assert bad.status_code == 400 and 'id="count-error"' in bad.text
    assert await Session.filter(series_id=series.id).count() == 0

    done = await form_post(staff_client, page, page + "/generate", {"count": "3"})
    assert done.status_code == 303
    sessions = await Session.filter(series_id=series.id).order_by("starts_at")
    assert len(sessions) == 3 and all(s.status == "draft" for s in sessions)
    assert all(s.starts_at.astimezone(BERLIN).hour == 8 for s in sessions)
    assert all(s.capacity == 12 for s in sessions)

    first = sessions[0].occurrence_at
    assert first is not None
    html = (await staff_client.get(page)).text
    assert first.isoformat() in html
    skipped = await form_post(staff_client, page, page + "/skip", {"occurrence": first.isoformat()})
    assert skipped.status_code == 303
    assert not await Session.exists(id=sessions[0].id)
    assert len((await Series.get(id=series.id)).skipped) == 1
    nonsense = await form_post(staff_client, page, page + "/skip", {"occurrence": "gestern"})
    assert nonsense.status_code == 400
    await services.publish_session(sessions[1].id)
    published = await form_post(
        staff_client, page, page + "/skip", {"occurrence": sessions[1].occurrence_at.isoformat()}
    )
    assert published.status_code == 400 and 'id="occurrence"' in published.text
    assert await Session.exists(id=sessions[1].id)

    question = await form_post(
        staff_client,
        page,
        page + "/questions",
        {"q_label": "Branche", "q_kind": "choice", "q_options": "Handel"},
    )
    assert question.status_code == 400 and 'id="q_options-error"' in question.text
    assert await Question.filter(series_id=series.id).count() == 0
    question = await form_post(
        staff_client,
        page,
        page + "/questions",
        {"q_label": "Branche", "q_kind": "choice", "q_options": "Handel\r\nHandwerk\r\n", "q_required": "on"},
    )
    assert question.status_code == 303
    q = await Question.get(series_id=series.id)
    assert (q.label, q.options, q.required) == ("Branche", ["Handel", "Handwerk"], True)
    removed = await form_post(staff_client, page, f"{page}/questions/{q.id}/delete", {})
    assert removed.status_code == 303 and not await Question.exists(id=q.id)


async def test_session_create_with_berlin_times_and_bad_input(staff_client, database) -> None:
    new = "/staff/events/sessions/new"
    form = {
        "kind": "workshop",
        "title": "Workshop Fördermittel",
        "starts_at": "2027-07-06T08:00",
        "ends_at": "2027-07-06T10:00",
        "capacity": "20",
        "max_colleagues": "2",
        "online_url": "https://meet.example.org/x",
        "registration_closes_at": "2027-07-05T12:00",
        "requires_approval": "on",
    }
    for broken, field in (
        ({"ends_at": "2027-07-06T07:00"}, "ends_at"),
        ({"starts_at": "morgen"}, "starts_at"),
        ({"kind": "party"}, "kind"),
        ({"capacity": "-3"}, "capacity"),
        ({"online_url": "meet.example.org"}, "online_url"),
        ({"title": ""}, "title"),
        ({"series_id": "999999"}, "series_id"),
    ):
        response = await form_post(staff_client, new, new, {**form, **broken})
        assert response.status_code == 400, broken
        assert f'id="{field}-error"' in response.text, broken
    assert await Session.all().count() == 0

    created = await form_post(staff_client, new, new, form)
    assert created.status_code == 303
    session = await Session.get(title="Workshop Fördermittel")
    assert session.starts_at == datetime(2027, 7, 6, 6, 0, tzinfo=UTC)  # summer time: UTC+2
    assert session.registration_closes_at == datetime(2027, 7, 5, 10, 0, tzinfo=UTC)
    assert (session.kind, session.capacity, session.max_colleagues, session.requires_approval) == (
        "workshop",
        20,
        2,
        True,
    )
    edit_page = (await staff_client.get(f"/staff/events/sessions/{session.id}/edit")).text
    assert 'value="2027-07-06T08:00"' in edit_page  # shown back in Berlin time

    series = await make_series(venue_name="Rathaus")
    created = await form_post(
        staff_client,
        new,
        new,
        {
            **form,
            "title": "",
            "series_id": str(series.id),
            "starts_at": "2027-01-05T08:00",
            "ends_at": "2027-01-05T10:00",
        },
    )
    assert created.status_code == 303
    from_series = await Session.get(series_id=series.id)
    assert (from_series.title, from_series.venue_name) == ("Wirtschaft trifft Verwaltung", "Rathaus")
    assert from_series.starts_at == datetime(2027, 1, 5, 7, 0, tzinfo=UTC)  # winter time: UTC+1


async def test_publish_reschedule_cancel_and_complete(staff_client, database) -> None:
    starts = datetime(2027, 3, 2, 7, 0, tzinfo=UTC)
    draft = await services.create_session(title="Frühstück", starts_at=starts, ends_at=starts + timedelta(hours=2))
    page = f"/staff/events/sessions/{draft.id}"
    assert (await form_post(staff_client, page, page + "/publish", {})).status_code == 303
    assert (await Session.get(id=draft.id)).status == PUBLISHED
    again = await form_post(staff_client, page, page + "/complete", {})
    assert again.status_code == 303 and (await Session.get(id=draft.id)).status == COMPLETED
    assert (await form_post(staff_client, page, page + "/publish", {})).status_code == 400

    session = await published_session(capacity=5, starts_at=datetime(2027, 6, 1, 6, 0, tzinfo=UTC))
    reg = await register(database, session.id, 1, by_staff=True)
    page = f"/staff/events/sessions/{session.id}"
    edit = page + "/edit"
    fields = {
        "kind": "dialogue",
        "title": session.title,
        "starts_at": local(session.starts_at + timedelta(hours=1)),
        "ends_at": local(session.ends_at + timedelta(hours=1)),
        "capacity": "5",
        "venue_name": "Rathaus, Saal 2",
    }
    bad = await form_post(staff_client, edit, edit, {**fields, "capacity": "0"})
    assert bad.status_code == 400 and 'id="capacity-error"' in bad.text  # below the seats taken
    assert (await Session.get(id=session.id)).ics_sequence == 0
    saved = await form_post(staff_client, edit, edit, fields)
    assert saved.status_code == 303
    changed = await Session.get(id=session.id)
    assert changed.starts_at == session.starts_at + timedelta(hours=1) and changed.ics_sequence == 1
    assert [m.recipient for m in await mails("session_changed")] == [reg.email]

    moved = await form_post(staff_client, page, page + "/move", {"move_starts_at": "kaputt"})
    assert moved.status_code == 400 and 'id="move_starts_at-error"' in moved.text
    target = datetime(2027, 9, 7, 6, 0, tzinfo=UTC)
    moved = await form_post(staff_client, page, page + "/move", {"move_starts_at": local(target)})
    assert moved.status_code == 303
    moved_session = await Session.get(id=session.id)
    assert moved_session.starts_at == target and moved_session.ends_at == target + timedelta(hours=2)

    no_reason = await form_post(staff_client, page, page + "/cancel", {"reason": ""})
    assert no_reason.status_code == 400 and 'id="reason-error"' in no_reason.text
    assert (await Session.get(id=session.id)).status == PUBLISHED
    cancelled = await form_post(staff_client, page, page + "/cancel", {"reason": "Der Saal ist gesperrt."})
    assert cancelled.status_code == 303
    assert (await Session.get(id=session.id)).status == CANCELLED
    sent = await mails("session_cancelled")
    assert [m.recipient for m in sent] == [reg.email]


async def test_agenda_tracks_and_session_questions(staff_client, database) -> None:
    session = await published_session(starts_at=datetime(2027, 6, 1, 6, 0, tzinfo=UTC))
    page = f"/staff/events/sessions/{session.id}/agenda"
    start = local(session.starts_at)
    end = local(session.starts_at + timedelta(minutes=30))
    bad = await form_post(staff_client, page, page, {"starts_at": end, "ends_at": start, "title": "", "kind": "talk"})
    assert bad.status_code == 400 and 'id="title-error"' in bad.text
    bad = await form_post(
        staff_client,
        page,
        page,
        {
            "starts_at": end,
            "ends_at": start,
            "title": "Begrüßung",
            "kind": "talk",
            "speaker_0_role": "Bürgermeisterin",
        },
    )
    assert bad.status_code == 400 and 'id="ends_at-error"' in bad.text and 'id="speaker_0_name-error"' in bad.text
    assert await AgendaItem.filter(session_id=session.id).count() == 0

    track_bad = await form_post(
        staff_client,
        page,
        f"/staff/events/sessions/{session.id}/tracks",
        {"track_title": "", "track_capacity": "x"},
    )
    assert track_bad.status_code == 400 and 'id="track_title-error"' in track_bad.text
    ok = await form_post(
        staff_client,
        page,
        f"/staff/events/sessions/{session.id}/tracks",
        {"track_title": "KI im Handwerk", "track_capacity": "8"},
    )
    assert ok.status_code == 303
    track = await Track.get(session_id=session.id)
    assert track.capacity == 8

    added = await form_post(
        staff_client,
        page,
        page,
        {
            "starts_at": start,
            "ends_at": end,
            "title": "Begrüßung",
            "kind": "talk",
            "room": "Saal 1",
            "track_id": str(track.id),
            "speaker_0_name": "Anna Beispiel",
            "speaker_0_role": "Bürgermeisterin",
            "speaker_0_organisation": "Stadt",
        },
    )
    assert added.status_code == 303
    item = await AgendaItem.get(session_id=session.id)
    assert (item.title, item.room, item.track_id, item.starts_at) == (
        "Begrüßung",
        "Saal 1",
        track.id,
        session.starts_at,
    )
    speaker = await Speaker.get(agenda_item_id=item.id)
    assert (speaker.name, speaker.role, speaker.organisation) == ("Anna Beispiel", "Bürgermeisterin", "Stadt")
    assert "Anna Beispiel" in (await staff_client.get(page)).text

    await register(database, session.id, 1, by_staff=True, track_id=track.id)
    busy = await form_post(staff_client, page, f"/staff/events/sessions/{session.id}/tracks/{track.id}/delete", {})
    assert busy.status_code == 400 and await Track.exists(id=track.id)

    q = await form_post(
        staff_client,
        page,
        f"/staff/events/sessions/{session.id}/questions",
        {"q_label": "Mitarbeitende", "q_kind": "number"},
    )
    assert q.status_code == 303
    question = await Question.get(session_id=session.id)
    assert question.kind == "number"
    gone = await form_post(
        staff_client, page, f"/staff/events/sessions/{session.id}/questions/{question.id}/delete", {}
    )
    assert gone.status_code == 303 and not await Question.exists(id=question.id)
    removed = await form_post(staff_client, page, f"/staff/events/sessions/{session.id}/agenda/{item.id}/delete", {})
    assert removed.status_code == 303 and not await AgendaItem.exists(id=item.id)
    other = await published_session()
    foreign = await form_post(staff_client, page, f"/staff/events/sessions/{other.id}/tracks/{track.id}/delete", {})
    assert foreign.status_code == 404


async def test_copy_agenda_from_the_previous_session(staff_client, database) -> None:
    series = await make_series()
    first = await published_session(series_id=series.id)
    await services.add_agenda_item(
        first.id,
        starts_at=first.starts_at,
        ends_at=first.starts_at + timedelta(minutes=20),
        title="Begrüßung",
    )
    second = await published_session(series_id=series.id, starts_at=first.starts_at + timedelta(days=90))
    page = f"/staff/events/sessions/{second.id}"
    assert "/copy-agenda" in (await staff_client.get(page)).text
    copied = await form_post(staff_client, page, page + "/copy-agenda", {})
    assert copied.status_code == 303
    item = await AgendaItem.get(session_id=second.id)
    assert item.title == "Begrüßung" and item.starts_at == second.starts_at
    lonely = f"/staff/events/sessions/{first.id}"
    assert (await form_post(staff_client, lonely, lonely + "/copy-agenda", {})).status_code == 400


async def test_registrations_decisions_and_adding_by_hand(staff_client, database) -> None:
    session = await published_session(capacity=2, requires_approval=True)
    question = await services.add_question(
        label="Branche", kind="choice", options=["Handel", "Handwerk"], session_id=session.id
    )
    page = f"/staff/events/sessions/{session.id}/registrations"

    bad = await form_post(staff_client, page, page, {"name": "", "email": "kein-at"})
    assert bad.status_code == 400 and 'id="name-error"' in bad.text and 'id="email-error"' in bad.text
    bad = await form_post(
        staff_client,
        page,
        page,
        {"name": "Eva", "email": "eva@example.com", f"question_{question.id}": "Bank"},
    )
    assert bad.status_code == 400 and f'id="question_{question.id}-error"' in bad.text
    assert await Registration.all().count() == 0

    added = await form_post(
        staff_client,
        page,
        page,
        {
            "name": "Eva Händler",
            "email": "eva@example.com",
            "organisation": "Laden",
            f"question_{question.id}": "Handel",
        },
    )
    assert added.status_code == 303
    eva = await Registration.get(email="eva@example.com")
    assert eva.status == "pending_approval" and eva.answers == {str(question.id): "Handel"}
    duplicate = await form_post(staff_client, page, page, {"name": "Eva", "email": "eva@example.com"})
    assert duplicate.status_code == 400 and 'id="email-error"' in duplicate.text

    approve = await form_post(staff_client, page, f"{page}/{eva.id}/approve", {})
    assert approve.status_code == 303 and (await Registration.get(id=eva.id)).status == CONFIRMED
    assert await mails("registration_confirmed", to="eva@example.com")

    bob = await register(database, session.id, 2, by_staff=True)
    carl = await register(database, session.id, 3, by_staff=True)
    assert carl.status == WAITLISTED
    full = await form_post(staff_client, page, f"{page}/{carl.id}/confirm", {})
    assert full.status_code == 400 and 'id="decision"' in full.text
    html = (await staff_client.get(page)).text
    assert "Person 3" in html

    to_waitlist = await form_post(staff_client, page, f"{page}/{bob.id}/waitlist", {})
    assert to_waitlist.status_code == 303 and (await Registration.get(id=bob.id)).status == WAITLISTED
    confirm = await form_post(staff_client, page, f"{page}/{carl.id}/confirm", {})
    assert confirm.status_code == 303 and (await Registration.get(id=carl.id)).status == CONFIRMED
    declined = await form_post(staff_client, page, f"{page}/{bob.id}/decline", {})
    assert declined.status_code == 303 and (await Registration.get(id=bob.id)).status == DECLINED
    # Cancelling asks first, naming the person; the list's buttons name their person too.
    assert (
        f'href="{page}/{carl.id}/cancel">Stornieren<span class="visually-hidden">: Person 3</span>'
        in (await staff_client.get(page)).text
    )
    asked = await staff_client.get(f"{page}/{carl.id}/cancel")
    assert asked.status_code == 200 and "Person 3" in asked.text
    assert (await Registration.get(id=carl.id)).status == CONFIRMED  # asking changes nothing
    assert (
        await staff_client.get(f"/staff/events/sessions/{session.id}/registrations/999999/cancel")
    ).status_code == 404
    cancel = await form_post(staff_client, f"{page}/{carl.id}/cancel", f"{page}/{carl.id}/cancel", {})
    assert cancel.status_code == 303 and (await Registration.get(id=carl.id)).status == "cancelled"
    assert (await Session.get(id=session.id)).seats_taken == 1

    other = await published_session()
    wrong = await form_post(staff_client, page, f"/staff/events/sessions/{other.id}/registrations/{eva.id}/cancel", {})
    assert wrong.status_code == 404 and (await Registration.get(id=eva.id)).status == CONFIRMED
    unknown = await form_post(staff_client, page, f"{page}/{eva.id}/explode", {})
    assert unknown.status_code == 404


async def test_unknown_ids_give_404(staff_client, database) -> None:
    for url in (
        "/staff/events/series/999999",
        "/staff/events/series/abc",
        "/staff/events/sessions/999999",
        "/staff/events/sessions/999999/agenda",
        "/staff/events/sessions/999999/checkin",
        "/staff/events/sessions/99999999999999/registrations",
    ):
        assert (await staff_client.get(url)).status_code == 404, url


async def test_dashboard_widget_counts(database) -> None:
    from types import SimpleNamespace

    from starlette.requests import Request

    from events.staff import dashboard_widget

    session = await published_session(requires_approval=True)
    await register(database, session.id, 1, by_staff=True)
    await register(database, session.id, 2, by_staff=True)
    await services.create_session(title="Entwurf", starts_at=session.starts_at, ends_at=session.ends_at)

    def request_for(user: object) -> Request:
        return Request({"type": "http", "state": {"session": SimpleNamespace(user=user)}})

    organizer = await make_user("org@example.org", ["organizer"])
    widget = await dashboard_widget(request_for(organizer))
    assert widget is not None and widget["url"] == "/staff/events/sessions"
    assert "1" in widget["text"] and "2" in widget["text"]  # one published session, two awaiting approval
    moderator = await make_user("mod@example.org", ["moderator"])
    assert await dashboard_widget(request_for(moderator)) is None


async def test_edit_an_agenda_item_and_its_speakers(staff_client, database) -> None:
    session = await published_session(starts_at=datetime(2027, 6, 1, 6, 0, tzinfo=UTC))
    item = await services.add_agenda_item(
        session.id,
        starts_at=session.starts_at,
        ends_at=session.starts_at + timedelta(minutes=30),
        title="Begrüßung",
        speakers=[{"name": "Anna Beispiel"}, {"name": "Bernd Muster"}],
    )
    page = f"/staff/events/sessions/{session.id}/agenda/{item.id}"
    html = (await staff_client.get(page)).text
    assert 'value="Anna Beispiel"' in html and 'value="2027-06-01T08:00"' in html
    form = {
        "starts_at": "2027-06-01T08:15",
        "ends_at": "2027-06-01T08:00",
        "title": "Grußwort",
        "kind": "talk",
        "speaker_0_name": "Anna Beispiel",
        "speaker_0_role": "Bürgermeisterin",
    }
    bad = await form_post(staff_client, page, page, form)
    assert bad.status_code == 400 and 'id="ends_at-error"' in bad.text
    assert (await AgendaItem.get(id=item.id)).title == "Begrüßung"
    saved = await form_post(staff_client, page, page, {**form, "ends_at": "2027-06-01T08:45"})
    assert saved.status_code == 303
    changed = await AgendaItem.get(id=item.id)
    assert changed.title == "Grußwort" and changed.starts_at == datetime(2027, 6, 1, 6, 15, tzinfo=UTC)
    speakers = await Speaker.filter(agenda_item_id=item.id).values_list("name", "role")
    assert speakers == [("Anna Beispiel", "Bürgermeisterin")]
    other = await published_session()
    foreign = f"/staff/events/sessions/{other.id}/agenda/{item.id}"
    assert (await staff_client.get(foreign)).status_code == 404


async def test_track_capacity_change_promotes_the_waitlist(staff_client, database) -> None:
    session = await published_session(capacity=10)
    track = await services.add_track(session.id, title="KI im Handwerk", capacity=1)
    first = await register(database, session.id, 1, by_staff=True, track_id=track.id)
    waiting = await register(database, session.id, 2, by_staff=True, track_id=track.id)
    assert (first.status, waiting.status) == (CONFIRMED, WAITLISTED)
    page = f"/staff/events/sessions/{session.id}/agenda"
    action = f"/staff/events/sessions/{session.id}/tracks/{track.id}"

    too_small = await form_post(
        staff_client, page, action, {f"track_{track.id}_title": "KI", f"track_{track.id}_capacity": "0"}
    )
    assert too_small.status_code == 400 and f'id="track_{track.id}_capacity-error"' in too_small.text
    assert (await Track.get(id=track.id)).capacity == 1
    empty = await form_post(
        staff_client, page, action, {f"track_{track.id}_title": "", f"track_{track.id}_capacity": "2"}
    )
    assert empty.status_code == 400 and f'id="track_{track.id}_title-error"' in empty.text

    saved = await form_post(
        staff_client, page, action, {f"track_{track.id}_title": "KI", f"track_{track.id}_capacity": "2"}
    )
    assert saved.status_code == 303
    changed = await Track.get(id=track.id)
    assert (changed.title, changed.capacity, changed.seats_taken) == ("KI", 2, 2)
    assert (await Registration.get(id=waiting.id)).status == CONFIRMED
    assert await mails("registration_promoted", to=waiting.email)


async def test_series_list_counts_sessions_in_one_query(staff_client, database, caplog) -> None:
    counts = {"Ohne Termine": 0, "Ein Termin": 1, "Drei Termine": 3}
    for title, number in counts.items():
        series = await make_series(title=title)
        for n in range(number):
            await published_session(series_id=series.id, starts_at=datetime(2027, 6, 1 + n, 6, 0, tzinfo=UTC))
    await published_session(title="Ohne Reihe")

    from events.services import planning

    with caplog.at_level("DEBUG", logger="tortoise.db_client"):
        overview = await planning.series_overview()
    queries = [r for r in caplog.records if r.name == "tortoise.db_client" and "SELECT" in r.getMessage().upper()]
    assert len(queries) == 1, [r.getMessage() for r in queries]
    assert {series.title: number for series, number in overview} == counts
    assert [series.title for series, _number in overview] == sorted(counts)

    page = (await staff_client.get("/staff/events/series")).text
    for title, number in counts.items():
        assert re.search(rf">{title}</a></td><td>[^<]*</td><td>{number}</td>", page), title


async def test_session_form_leaves_optional_times_empty(staff_client, database) -> None:
    new = "/staff/events/sessions/new"
    form = {
        "kind": "dialogue",
        "title": "Frühstück ohne Fristen",
        "starts_at": "2027-07-06T08:00",
        "ends_at": "2027-07-06T10:00",
        "capacity": "20",
        "registration_opens_at": "",
        "registration_closes_at": "",
        "cancel_deadline": "",
    }
    created = await form_post(staff_client, new, new, form)
    assert created.status_code == 303, created.text
    session = await Session.get(title="Frühstück ohne Fristen")
    assert session.registration_opens_at is None and session.registration_closes_at is None
    assert session.cancel_deadline is None
