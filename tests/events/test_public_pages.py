"""The public events pages: listing, series, session page with JSON-LD, registration through the form,
the confirmation and manage pages behind the mailed links, calendar files."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import httpx
from icalendar import Calendar

from events import services
from events.models import (
    CONFIRMED,
    PENDING_CONFIRMATION,
    REG_CANCELLED,
    WAITLISTED,
    Registration,
    Session,
)
from tests.conftest import csrf_from, new_client
from tests.events.helpers import invariant, mails, published_session, register, soon

JSON_LD_RE = re.compile(r'<script type="application/ld\+json" nonce="[^"]*">(.*?)</script>', re.S)


def _form(**overrides: object) -> dict:
    data = {
        "name": "Erika Muster",
        "email": "erika@example.com",
        "organisation": "Muster GmbH",
        "consent": "on",
    }
    data.update(overrides)  # type: ignore[arg-type]
    return {k: v for k, v in data.items() if v is not None}


async def _post(client: httpx.AsyncClient, session_id: int, data: dict) -> httpx.Response:
    page = await client.get(f"/termine/{session_id}")
    assert page.status_code == 200
    return await client.post(f"/termine/{session_id}/anmeldung", data={**data, "csrf_token": csrf_from(page.text)})


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


async def test_published_pages_render_and_drafts_are_hidden(database, client) -> None:
    series = await services.create_series(title="Wirtschaft trifft Verwaltung", office="Wirtschaftsförderung")
    shown = await published_session(series_id=series.id, description="Ein **Frühstück** im Rathaus.")
    draft = await services.create_session(
        title="Entwurf", starts_at=soon(20), ends_at=soon(20) + timedelta(hours=1), series_id=series.id
    )
    overview = await client.get("/termine")
    assert overview.status_code == 200
    assert f'href="/termine/{shown.id}"' in overview.text
    assert "Entwurf" not in overview.text
    page = await client.get(f"/termine/{shown.id}")
    assert page.status_code == 200
    assert "<strong>Frühstück</strong>" in page.text
    assert "10" in page.text and 'id="seats"' in page.text
    assert (await client.get(f"/termine/{draft.id}")).status_code == 404
    assert (await client.get(f"/termine/{draft.id}/kalender.ics")).status_code == 404
    assert (await client.get("/termine/999999")).status_code == 404
    assert (await client.get("/termine/abc")).status_code == 404
    series_page = await client.get(f"/reihen/{series.id}")
    assert series_page.status_code == 200
    assert f'href="/termine/{shown.id}"' in series_page.text and "Entwurf" not in series_page.text
    home = await client.get("/")
    assert f'href="/termine/{shown.id}"' in home.text


async def test_json_ld_is_valid_json_with_the_event_fields(database, client) -> None:
    session = await published_session(
        online_url="https://meet.example.org/wtv", venue_room="Ratssaal", mode="hybrid", online_capacity=10
    )
    page = await client.get(f"/termine/{session.id}")
    assert "meet.example.org" not in page.text  # the join link is never public
    [raw] = JSON_LD_RE.findall(page.text)
    data = json.loads(raw)
    assert data["@type"] == "Event"
    assert data["name"] == "Wirtschaft trifft Verwaltung"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    kinds = {loc["@type"] for loc in data["location"]}
    assert kinds == {"Place", "VirtualLocation"}
    assert data["offers"]["availability"] == "https://schema.org/InStock"
    assert data["startDate"].endswith(("+01:00", "+02:00"))
    await services.cancel_session(database, session.id)
    data = json.loads(JSON_LD_RE.findall((await client.get(f"/termine/{session.id}")).text)[0])
    assert data["eventStatus"] == "https://schema.org/EventCancelled"


async def test_register_confirm_by_mail_link_manage_and_cancel(database, client) -> None:
    session = await published_session(capacity=1, max_colleagues=1)
    response = await _post(client, session.id, _form())
    assert response.status_code == 200, response.text
    assert "erika@example.com" in response.text
    reg = await Registration.get(email="erika@example.com")
    assert reg.status == PENDING_CONFIRMATION and reg.consent_version
    # The status page must not hand out the manage link: only the mail does.
    assert "/events/registrations/" not in response.text
    [mail] = await mails("registration_confirm_request", "erika@example.com")
    confirm = _path(mail.context["confirm_url"])
    page = await client.get(confirm)
    assert page.status_code == 200
    assert (await Registration.get(id=reg.id)).status == PENDING_CONFIRMATION  # GET changes nothing
    done = await client.post(confirm, data={"csrf_token": csrf_from(page.text)})
    assert done.status_code == 303
    assert (await Registration.get(id=reg.id)).status == CONFIRMED
    manage = await client.get(done.headers["location"])
    assert manage.status_code == 200
    assert reg.checkin_code in manage.text and "<svg" in manage.text
    ics = await client.get(_path(mail.context["manage_url"]) + "/calendar.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    cal = Calendar.from_ical(ics.content)
    assert cal["METHOD"] == "REQUEST"
    feed = await client.get(_path(mail.context["manage_url"]) + "/feed.ics")
    assert Calendar.from_ical(feed.content).walk("VEVENT")

    # The second person finds the session full and joins the waitlist.
    async with new_client(client._transport.app) as other:  # type: ignore[attr-defined]
        waiting = await _post(other, session.id, _form(name="Max", email="max@example.com"))
    assert waiting.status_code == 200
    assert (await Registration.get(email="max@example.com")).status == WAITLISTED

    cancel = await client.post(
        _path(mail.context["manage_url"]) + "/cancel", data={"csrf_token": csrf_from(manage.text)}
    )
    assert cancel.status_code == 303
    assert (await Registration.get(id=reg.id)).status == REG_CANCELLED
    promoted = await Registration.get(email="max@example.com")
    assert promoted.status == PENDING_CONFIRMATION  # promoted, the address still to be confirmed
    assert await mails("registration_promoted", "max@example.com")
    assert await invariant(session.id) == (1, 1, 1)


async def test_bad_input_gives_field_errors_and_changes_nothing(database, client) -> None:
    session = await published_session(capacity=5, max_colleagues=1)
    track = await services.add_track(session.id, title="Digitalisierung", capacity=1)
    other = await services.add_track(session.id, title="Fachkräfte", capacity=5)
    question = await services.add_question(session_id=session.id, label="Branche", kind="text", required=True)
    cases = [
        (_form(consent=None, track=str(other.id), **{f"question_{question.id}": "Handel"}), "consent"),
        (_form(email="kein-at", track=str(other.id), **{f"question_{question.id}": "Handel"}), "email"),
        (_form(track=str(other.id)), f"question_{question.id}"),
        (
            _form(
                track=str(other.id),
                colleague_0_name="A",
                colleague_0_email="a@example.com",
                colleague_1_name="B",
                colleague_1_email="b@example.com",
                **{f"question_{question.id}": "Handel"},
            ),
            "colleagues",
        ),
        (_form(**{f"question_{question.id}": "Handel"}), "track"),
    ]
    for data, field in cases:
        response = await _post(client, session.id, data)
        assert response.status_code == 400, (field, response.status_code)
        assert f'id="{field}-error"' in response.text, field
        assert 'aria-invalid="true"' in response.text or "aria-describedby" in response.text
    assert await Registration.all().count() == 0
    assert await mails() == []
    # A full track: the person goes on the waitlist for it, never over its capacity.
    await register(database, session.id, 1, track_id=track.id, answers={str(question.id): "IT"})
    response = await _post(client, session.id, _form(track=str(track.id), **{f"question_{question.id}": "Handel"}))
    assert response.status_code == 200
    assert (await Registration.get(email="erika@example.com")).status == WAITLISTED


async def test_a_registered_address_gets_the_page_of_a_new_one_and_a_mail(database, client) -> None:
    from notifications.compose import build
    from notifications.models import OutboxMessage
    from tests.notifications.smtp_sink import read_back

    session = await published_session(capacity=5)
    existing = await register(database, session.id, 1, email="erika@example.com", name="Erika Muster")
    await client.get("/language/en")
    new = await _post(client, session.id, _form(email="new@example.com"))
    again = await _post(client, session.id, _form(name="Mallory", organisation="Probe AG"))
    assert new.status_code == again.status_code == 200

    def status_of(page: str) -> str:
        return re.search(r'<p class="notice" role="status" id="status">(.*?)</p>', page, re.S).group(1)  # type: ignore[union-attr]

    assert status_of(again.text) == status_of(new.text).replace("new@example.com", "erika@example.com")
    assert "already" not in again.text
    stored = await Registration.get(id=existing.id)
    assert (stored.name, stored.organisation, stored.status) == ("Erika Muster", existing.organisation, existing.status)
    assert await Registration.filter(email="erika@example.com").count() == 1
    [mail] = await OutboxMessage.filter(kind="registration_exists")
    assert (mail.recipient, mail.locale) == ("erika@example.com", "en")
    message = read_back(build(mail, database))
    text = message.get_body(("plain",)).get_content()
    assert str(message["Subject"]).startswith("You are already registered")
    assert mail.context["manage_url"] in text and "Hello Erika Muster," in text
    manage = await client.get(_path(mail.context["manage_url"]))
    assert manage.status_code == 200 and "Erika Muster" in manage.text


async def test_english_errors_and_closed_registration(database, client) -> None:
    session = await published_session()
    await client.get("/language/en")
    response = await _post(client, session.id, _form(consent=None))
    assert response.status_code == 400
    assert "Please agree to the processing of your data to register." in response.text
    await Session.filter(id=session.id).update(registration_closes_at=soon(-1))
    page = await client.get(f"/termine/{session.id}")
    assert "Registration for this session is closed." in page.text
    assert 'action="/termine/' not in page.text


async def test_public_feeds(database, client) -> None:
    series = await services.create_series(title="Reihe")
    session = await published_session(series_id=series.id)
    for url in (f"/termine/{session.id}/kalender.ics", f"/reihen/{series.id}/kalender.ics", "/termine.ics"):
        response = await client.get(url)
        assert response.status_code == 200, url
        assert response.headers["content-type"].startswith("text/calendar")
        cal = Calendar.from_ical(response.content)
        assert cal["METHOD"] == "PUBLISH"
        [event] = cal.walk("VEVENT")
        assert str(event["UID"]) == f"session-{session.id}@agora.events"
    assert (await client.get("/reihen/999/kalender.ics")).status_code == 404
    assert (await client.get("/events/registrations/nope/feed.ics")).status_code == 404
    assert (await client.get("/events/registrations/nope")).status_code == 404


async def test_invitation_link_prefills_and_marks_the_invitation_registered(database, client) -> None:
    from datetime import UTC, datetime

    from events.invitations import _hash
    from events.models import Contact, Invitation

    session = await published_session()
    contact = await Contact.create(company="Bäckerei Korn", contact_person="Karl Korn", email="karl@korn.example")
    invitation = await Invitation.create(
        session_id=session.id,
        contact_id=contact.id,
        email=contact.email,
        token_hash=_hash("personal-token-123"),
        invited_at=datetime.now(UTC),
    )
    page = await client.get(f"/termine/{session.id}?invitation=personal-token-123")
    assert 'value="Karl Korn"' in page.text and 'value="karl@korn.example"' in page.text
    assert 'value="Bäckerei Korn"' in page.text
    assert 'name="invitation" value="personal-token-123"' in page.text
    forged = await client.get(f"/termine/{session.id}?invitation=forged")
    assert "karl@korn.example" not in forged.text
    response = await client.post(
        f"/termine/{session.id}/anmeldung",
        data={
            "name": "Karl Korn",
            "email": "karl@korn.example",
            "consent": "on",
            "invitation": "personal-token-123",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert response.status_code == 200
    marked = await Invitation.get(id=invitation.id)
    assert marked.status == "registered"
    assert marked.registration_id == (await Registration.get(email="karl@korn.example")).id


async def test_manage_page_edits_answers_and_refuses_bad_input(database, client) -> None:
    session = await published_session()
    question = await services.add_question(
        session_id=session.id, label="Branche", kind="choice", options=["Handel", "Handwerk"], required=True
    )
    reg = await register(database, session.id, 1, answers={str(question.id): "Handel"})
    from events.services.common import manage_token

    url = f"/events/registrations/{manage_token(database, reg.ics_uid)}"
    page = await client.get(url)
    assert page.status_code == 200 and "Handwerk" in page.text
    bad = await client.post(
        url, data={"name": "", "csrf_token": csrf_from(page.text), f"question_{question.id}": "Bergbau"}
    )
    assert bad.status_code == 400
    assert 'id="name-error"' in bad.text and f'id="question_{question.id}-error"' in bad.text
    unchanged = await Registration.get(id=reg.id)
    assert unchanged.name == "Person 1" and unchanged.answers == {str(question.id): "Handel"}
    good = await client.post(
        url,
        data={
            "name": "Petra Neu",
            "role": "Inhaberin",
            f"question_{question.id}": "Handwerk",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert good.status_code == 303
    changed = await Registration.get(id=reg.id)
    assert changed.name == "Petra Neu" and changed.answers == {str(question.id): "Handwerk"}
    # After the cancel deadline the page says so and a forged cancel is refused without a change.
    await Session.filter(id=session.id).update(cancel_deadline=soon(-1))
    page = await client.get(url)
    assert f'action="{url}/cancel"' not in page.text
    refused = await client.post(url + "/cancel", data={"csrf_token": csrf_from(page.text)})
    assert refused.status_code == 400
    assert (await Registration.get(id=reg.id)).status == PENDING_CONFIRMATION
    # Without the CSRF token nothing is accepted at all.
    assert (await client.post(url + "/confirm", data={})).status_code == 403


async def test_signed_in_participant_finds_the_form_prefilled(database, client) -> None:
    from tests.participants.helpers import sign_in

    session = await published_session()
    await sign_in(client, "teilnehmerin@example.org")
    page = await client.get(f"/termine/{session.id}")
    assert 'value="teilnehmerin@example.org"' in page.text
    async with new_client(client._transport.app) as other:  # type: ignore[attr-defined]
        anonymous = await other.get(f"/termine/{session.id}")
    assert "teilnehmerin@example.org" not in anonymous.text


async def test_a_tampered_form_reports_every_problem_at_once(database, client) -> None:
    session = await published_session(max_colleagues=0)
    response = await _post(
        client,
        session.id,
        _form(email="kein-at", consent=None, colleague_0_name="A", colleague_0_email="a@x.de"),
    )
    assert response.status_code == 400
    for field in ("colleagues", "email", "consent"):
        assert f'id="{field}-error"' in response.text, field
    assert await Registration.all().count() == 0


async def test_nul_and_control_characters_are_field_errors_in_the_readers_language(database, client) -> None:
    """On PostgreSQL a NUL in a name or address used to reach the database and answer 500."""
    session = await published_session()
    expected = {
        "de": "Bitte entfernen Sie die unsichtbaren Steuerzeichen aus diesem Text.",
        "en": "Please remove the invisible control characters from this text.",
    }
    for language, message in expected.items():
        client.cookies.set("agora_lang", language)
        response = await _post(client, session.id, _form(name="Erika\x00 Muster", email="erika\x00@example.com"))
        assert response.status_code == 400
        assert 'id="name-error"' in response.text and 'id="email-error"' in response.text
        assert message in response.text
        overlong = await _post(client, session.id, _form(name="x" * 201, role="\u2028"))
        assert overlong.status_code == 400 and 'id="name-error"' in overlong.text
    assert await Registration.all().count() == 0
    assert await mails() == []
