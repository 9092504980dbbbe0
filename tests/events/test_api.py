"""The JSON API under /api/v1: public reads, registering, the staff endpoints and the OpenAPI document."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
from openapi_spec_validator import validate

from agora import ratelimit
from agora.accounts import tokens
from agora.app import create_app
from agora.settings import Settings
from events import services
from events.api import public as api_public
from events.models import CONFIRMED, PENDING_CONFIRMATION, WAITLISTED, Registration, Session
from events.services import limits
from events.services.common import manage_token
from notifications.compose import build
from notifications.models import OutboxMessage
from tests.agora.test_access import walk
from tests.conftest import make_user, new_client
from tests.events.helpers import invariant, published_session, register, soon

EN = {"Accept-Language": "en"}


def person(n: int, **extra: object) -> dict:
    return {
        "name": f"Person {n}",
        "email": f"p{n}@example.com",
        "organisation": "Firma",
        "consent": True,
        **extra,
    }


async def _bearer(*scopes: str) -> dict[str, str]:
    user = await make_user(f"{'-'.join(s.replace(':', '') for s in scopes)}@example.org", ["organizer"])
    _, plain = await tokens.create_token(name="Test", scopes=list(scopes), created_by_id=user.id, expires_in_days=1)
    return {"Authorization": f"Bearer {plain}"}


# Public reads


async def test_series_and_sessions_list_only_what_is_public(client):
    series = await services.create_series(title="Wirtschaft trifft Verwaltung", office="Wirtschaftsförderung")
    other = await services.create_series(title="Gründerfrühstück")
    first = await published_session(series_id=series.id, starts_at=soon(3))
    second = await published_session(series_id=other.id, starts_at=soon(9))
    await services.create_session(title="Entwurf", starts_at=soon(5), ends_at=soon(5) + timedelta(hours=1))
    past = await published_session(title="Vorbei", starts_at=soon(2))
    await Session.filter(id=past.id).update(starts_at=soon(-10), ends_at=soon(-10) + timedelta(hours=2))

    listed = await client.get("/api/v1/series")
    assert listed.status_code == 200
    assert [s["title"] for s in listed.json()["items"]] == [
        "Gründerfrühstück",
        "Wirtschaft trifft Verwaltung",
    ]
    assert listed.json()["items"][1]["url"] == f"http://testserver/reihen/{series.id}"

    everything = (await client.get("/api/v1/sessions")).json()
    assert [s["id"] for s in everything["items"]] == [past.id, first.id, second.id]  # no draft
    upcoming = (await client.get("/api/v1/sessions?upcoming=true")).json()
    assert [s["id"] for s in upcoming["items"]] == [first.id, second.id]
    over = (await client.get("/api/v1/sessions?upcoming=false")).json()
    assert [s["id"] for s in over["items"]] == [past.id]
    of_series = (await client.get(f"/api/v1/sessions?series={other.id}")).json()
    assert [s["id"] for s in of_series["items"]] == [second.id]

    page = (await client.get("/api/v1/sessions?per_page=2&page=2")).json()
    assert page["total"] == 3 and page["pages"] == 2 and [s["id"] for s in page["items"]] == [second.id]

    bad = await client.get("/api/v1/sessions?upcoming=maybe&per_page=1000&series=x", headers=EN)
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"upcoming", "per_page", "series"}


async def test_session_detail_with_agenda_tracks_questions_and_seats(client, database):
    session = await published_session(capacity=5, max_colleagues=2, online_url="https://meet.example.org/x")
    track = await services.add_track(session.id, title="Digitalisierung", capacity=3)
    await services.add_agenda_item(
        session.id,
        starts_at=session.starts_at,
        ends_at=session.starts_at + timedelta(minutes=30),
        title="Begrüßung",
        kind="talk",
        room="Ratssaal",
        speakers=[{"name": "Dr. Eva Muster", "role": "Bürgermeisterin", "organisation": "Stadt"}],
    )
    question = await services.add_question(
        label="Branche?", kind="choice", options=["Handel", "Handwerk"], session_id=session.id
    )
    await register(database, session.id, 1, track_id=track.id, colleagues=[{"name": "Kollegin", "email": ""}])

    response = await client.get(f"/api/v1/sessions/{session.id}")
    assert response.status_code == 200
    data = response.json()
    assert data["capacity"] == 5 and data["seats_left"] == 3
    assert data["online"] is True and "meet.example.org" not in response.text  # the link is for registrants only
    assert data["registration"]["state"] == "open" and data["registration"]["max_colleagues"] == 2
    assert data["tracks"] == [{"id": track.id, "title": "Digitalisierung", "capacity": 3, "seats_left": 1}]
    assert data["questions"][0] == {
        "id": question.id,
        "label": "Branche?",
        "kind": "choice",
        "options": ["Handel", "Handwerk"],
        "required": False,
    }
    assert data["agenda"][0]["title"] == "Begrüßung"
    assert data["agenda"][0]["speakers"] == [
        {"name": "Dr. Eva Muster", "role": "Bürgermeisterin", "organisation": "Stadt"}
    ]
    assert data["starts_at"].endswith("Z")

    draft = await services.create_session(title="Entwurf", starts_at=soon(), ends_at=soon() + timedelta(hours=1))
    for missing in (f"/api/v1/sessions/{draft.id}", "/api/v1/sessions/999999", "/api/v1/sessions/abc"):
        answer = await client.get(missing)
        assert answer.status_code == 404 and "error" in answer.json()


# Registering


async def test_register_holds_a_seat_and_mails_the_confirmation(client, database):
    session = await published_session(capacity=2)
    response = await client.post(f"/api/v1/sessions/{session.id}/registrations", json=person(1))
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"status", "waitlist_position"}
    registration = await Registration.get(email="p1@example.com")
    assert body["status"] == PENDING_CONFIRMATION == registration.status
    assert registration.consent_version and registration.consent_text
    assert await OutboxMessage.filter(kind="registration_confirm_request", recipient="p1@example.com").exists()
    assert await invariant(session.id) == (1, 1, 2)


async def test_full_session_puts_people_on_the_waitlist(client):
    session = await published_session(capacity=1)
    assert (await client.post(f"/api/v1/sessions/{session.id}/registrations", json=person(1))).status_code == 201
    second = await client.post(f"/api/v1/sessions/{session.id}/registrations", json=person(2))
    assert second.status_code == 201
    assert second.json()["status"] == WAITLISTED and second.json()["waitlist_position"] == 1
    assert (await client.get(f"/api/v1/sessions/{session.id}")).json()["registration"]["state"] == "waitlist"


async def test_validation_errors_are_422_by_field_in_the_readers_language(client):
    session = await published_session()
    url = f"/api/v1/sessions/{session.id}/registrations"
    german = await client.post(url, json={"name": "", "email": "not-an-address", "consent": False})
    assert german.status_code == 422
    errors = german.json()["errors"]
    assert set(errors) == {"name", "email", "consent"}
    assert errors["name"] == "Bitte geben Sie Ihren Namen ein."  # German is the default
    english = await client.post(url, json={"name": "", "email": "x@example.com", "consent": True}, headers=EN)
    assert english.json()["errors"] == {"name": "Please enter your name."}
    preferred = await client.post(url, json={"name": ""}, headers={"Accept-Language": "fr, en;q=0.8, de;q=0.5"})
    assert preferred.json()["errors"]["name"] == "Please enter your name."

    typed = await client.post(url, json={**person(1), "track_id": True, "answers": [], "extra": 1}, headers=EN)
    assert typed.status_code == 422
    assert set(typed.json()["errors"]) == {"track_id", "answers", "extra"}
    assert await Registration.all().count() == 0


async def test_a_registered_address_gets_the_answer_of_a_new_one_and_a_mail(client, database):
    session = await published_session(capacity=1)
    url = f"/api/v1/sessions/{session.id}/registrations"
    first = await client.post(url, json=person(1))
    registered = await Registration.get(email="p1@example.com")
    token = manage_token(database, registered.ics_uid)
    await services.confirm_registration(database, token)
    before = await Registration.get(id=registered.id)
    # The session is full now: a new address goes on the waitlist, and so does the answer for a known one.
    new = await client.post(url, json=person(2))
    again = await client.post(url, json=person(1, email="P1@Example.com", name="Someone Else", organisation="X"))
    assert first.status_code == new.status_code == again.status_code == 201
    assert again.json() == {"status": WAITLISTED, "waitlist_position": 2} and set(new.json()) == set(again.json())
    after = await Registration.get(id=registered.id)
    assert (after.status, after.name, after.organisation, after.seats) == (
        before.status,
        before.name,
        before.organisation,
        before.seats,
    )
    assert await Registration.filter(session_id=session.id).count() == 2
    assert await invariant(session.id) == (1, 1, 1)
    [mail] = await OutboxMessage.filter(kind="registration_exists")
    assert mail.recipient == "p1@example.com" and mail.locale == "de"
    assert mail.context["manage_url"].endswith(f"/events/registrations/{token}")
    message = build(mail, database)
    text = message.get_body(("plain",)).get_content()
    assert "bereits angemeldet" in str(message["Subject"]) and mail.context["manage_url"] in text
    assert f'href="{mail.context["manage_url"]}"' in message.get_body(("html",)).get_content()
    # Sending the form again the same day mails nobody twice.
    assert (await client.post(url, json=person(1))).status_code == 201
    assert await OutboxMessage.filter(kind="registration_exists").count() == 1


async def test_closed_sessions_are_409(client, database):
    session = await published_session()
    url = f"/api/v1/sessions/{session.id}/registrations"
    await services.cancel_session(database, session.id)
    closed = await client.post(url, json=person(2))
    assert closed.status_code == 409 and "session" in closed.json()["errors"]
    assert await Registration.filter(session_id=session.id).count() == 0


async def test_unknown_session_bad_media_type_and_malformed_json(client):
    session = await published_session()
    url = f"/api/v1/sessions/{session.id}/registrations"
    assert (await client.post("/api/v1/sessions/999999/registrations", json=person(1))).status_code == 404
    draft = await services.create_session(title="Entwurf", starts_at=soon(), ends_at=soon() + timedelta(hours=1))
    assert (await client.post(f"/api/v1/sessions/{draft.id}/registrations", json=person(1))).status_code == 404
    form = await client.post(url, data={"name": "Person", "email": "p@example.com"})
    assert form.status_code == 415 and "error" in form.json()
    broken = await client.post(url, content=b'{"name": ', headers={"content-type": "application/json"})
    assert broken.status_code == 400
    not_object = await client.post(url, content=b"[1, 2]", headers={"content-type": "application/json"})
    assert not_object.status_code == 400
    latin = await client.post(url, content=b'{"name": "\xe4"}', headers={"content-type": "application/json"})
    assert latin.status_code == 400
    assert await Registration.all().count() == 0


async def test_registrations_are_rate_limited_per_address(app, monkeypatch):
    monkeypatch.setattr(
        limits, "REGISTRATIONS_PER_ADDRESS", ratelimit.limit("events.registration", 3, timedelta(minutes=10))
    )
    session = await published_session(capacity=50)
    url = f"/api/v1/sessions/{session.id}/registrations"
    async with new_client(app, ip="203.0.113.7") as flooding, new_client(app, ip="198.51.100.2") as other:
        statuses = [(await flooding.post(url, json=person(n))).status_code for n in range(5)]
        assert statuses == [201, 201, 201, 429, 429]
        refused = await flooding.post(url, json=person(9), headers=EN)
        assert refused.headers["retry-after"] == "600" and "Too many" in refused.json()["error"]
        assert (await other.post(url, json=person(10))).status_code == 201
    assert await Registration.filter(session_id=session.id).count() == 4


async def test_the_api_ignores_the_session_cookie(staff_client):
    """No session row is read or written for the API, and no cookie is ever set by it."""
    session = await published_session()
    for response in (
        await staff_client.get("/api/v1/sessions"),
        await staff_client.post(f"/api/v1/sessions/{session.id}/registrations", json=person(1)),
        await staff_client.get("/api/v1/nothing-here"),
    ):
        assert "set-cookie" not in response.headers
        assert response.headers["content-type"] == "application/json"
    # An unknown cookie is not even looked up: elsewhere it would be cleared with a Set-Cookie.
    stale = await staff_client.get("/api/v1/sessions", headers={"cookie": "agora_session=no-such-session"})
    assert "set-cookie" not in stale.headers
    assert "set-cookie" in (await staff_client.get("/", headers={"cookie": "agora_session=no-such-session"})).headers
    # Even with a cross-site origin the registration goes through: there is no sign-in to abuse.
    crossed = await staff_client.post(
        f"/api/v1/sessions/{session.id}/registrations",
        json=person(2),
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert crossed.status_code == 201


async def test_unknown_paths_and_methods_answer_in_json(client):
    missing = await client.get("/api/v1/nothing-here", headers=EN)
    assert missing.status_code == 404 and missing.json() == {"error": "Not found."}
    wrong = await client.delete("/api/v1/sessions", headers=EN)
    assert wrong.status_code == 405 and "GET" in wrong.headers["allow"]
    assert "error" in wrong.json()


# Staff endpoints


async def test_staff_create_update_and_read_registrations(client, database):
    write = await _bearer("sessions:write")
    read = await _bearer("registrations:read")
    series = await services.create_series(title="Wirtschaft trifft Verwaltung", default_capacity=12)
    starts = soon(20)
    created = await client.post(
        "/api/v1/staff/sessions",
        headers=write,
        json={
            "series_id": series.id,
            "title": "Frühstück im Rathaus",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat().replace("+00:00", "+01:00"),
            "capacity": 2,
            "publish": True,
        },
    )
    assert created.status_code == 201, created.text
    data = created.json()
    assert data["status"] == "published" and data["capacity"] == 2 and data["series_id"] == series.id
    session_id = data["id"]
    assert created.headers["cache-control"] == "no-store"

    await register(database, session_id, 1)
    await register(database, session_id, 2)
    changed = await client.patch(f"/api/v1/staff/sessions/{session_id}", headers=write, json={"venue_room": "Ratssaal"})
    assert changed.status_code == 200
    assert changed.json()["venue"]["room"] == "Ratssaal" and changed.json()["sequence"] == 1
    # Everyone holding a seat hears about the change (update_session mails them).
    assert await OutboxMessage.filter(kind="session_changed").count() == 2

    too_small = await client.patch(f"/api/v1/staff/sessions/{session_id}", headers=write, json={"capacity": 1})
    assert too_small.status_code == 422 and "capacity" in too_small.json()["errors"]
    assert (await Session.get(id=session_id)).capacity == 2

    listing = await client.get(f"/api/v1/staff/sessions/{session_id}/registrations", headers=read)
    assert listing.status_code == 200
    assert [r["email"] for r in listing.json()["items"]] == ["person1@example.com", "person2@example.com"]
    assert listing.json()["session"]["seats_taken"] == 2
    only = await client.get(f"/api/v1/staff/sessions/{session_id}/registrations?status={CONFIRMED}", headers=read)
    assert only.json()["items"] == []
    # The reading token may not write, the writing token may not read.
    assert (await client.patch(f"/api/v1/staff/sessions/{session_id}", headers=read, json={})).status_code == 403
    assert (await client.get(f"/api/v1/staff/sessions/{session_id}/registrations", headers=write)).status_code == 403


async def test_staff_input_errors(client):
    write = await _bearer("sessions:write")
    missing = await client.post("/api/v1/staff/sessions", headers={**write, **EN}, json={"capacity": -1, "status": "x"})
    assert missing.status_code == 422
    assert set(missing.json()["errors"]) == {"title", "starts_at", "ends_at", "capacity", "status"}
    naive = await client.post(
        "/api/v1/staff/sessions",
        headers=write,
        json={
            "title": "X",
            "starts_at": "2030-01-01T10:00:00",
            "ends_at": "2030-01-01T09:00:00+01:00",
            "series_id": 999,
        },
    )
    assert set(naive.json()["errors"]) == {"starts_at", "series_id"}
    backwards = await client.post(
        "/api/v1/staff/sessions",
        headers=write,
        json={"title": "X", "starts_at": "2030-01-01T10:00:00+01:00", "ends_at": "2030-01-01T09:00:00+01:00"},
    )
    assert backwards.status_code == 422 and "ends_at" in backwards.json()["errors"]
    assert (await client.patch("/api/v1/staff/sessions/999999", headers=write, json={"title": "Y"})).status_code == 404
    assert (await client.post("/api/v1/staff/sessions", headers=write, content=b"title=x")).status_code == 415
    assert await Session.all().count() == 0


# The OpenAPI document


def _api_routes() -> set[tuple[str, str]]:
    settings = Settings(
        data_dir=__import__("pathlib").Path("/nonexistent"),
        database_url="sqlite://:memory:",
        secret_key="k" * 40,
    )
    found = set()
    for path, method, _access in walk(create_app(settings, manage_db=False).routes):
        if path.startswith("/api/v1/") and method != "HEAD":
            found.add((path.removeprefix("/api/v1"), method.lower()))
    return found


async def test_openapi_document_is_valid_and_complete(client):
    response = await client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)  # raises on any structural fault of an OpenAPI 3.1 document
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": "http://testserver/api/v1"}]
    described = {(path, method) for path, item in document["paths"].items() for method in item}
    routes = _api_routes()
    assert len(routes) >= 8
    assert routes == described, f"routes without description: {routes - described}, stale: {described - routes}"
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        **document["components"]["securitySchemes"]["bearerAuth"],
        "type": "http",
        "scheme": "bearer",
    }
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if path.startswith("/staff/"):
                assert operation["security"], f"{method} {path} must name its scope"
                assert {"401", "403"} <= set(operation["responses"])
            for parameter in operation.get("parameters", []):
                if "name" in parameter and parameter["in"] == "path":
                    assert "{" + parameter["name"] + "}" in path


@pytest.mark.parametrize("kind", ["RegistrationRequest", "SessionCreate"])
def test_request_schemas_name_the_fields_the_endpoints_accept(kind):
    from events.api import openapi, staff

    properties = set(openapi.SCHEMAS[kind]["properties"])
    if kind == "RegistrationRequest":
        assert properties == set(api_public.REGISTRATION_FIELDS)
    else:
        accepted = {*staff.TEXT_FIELDS, *staff.REQUIRED_TIMES, *staff.OPTIONAL_TIMES, *staff.NUMBERS}
        assert properties == accepted | {"requires_approval", "series_id", "publish"}
    json.dumps(openapi.SCHEMAS)  # the document is plain JSON data


async def test_parallel_registrations_through_the_api_never_overbook(app):
    session = await published_session(capacity=5)
    url = f"/api/v1/sessions/{session.id}/registrations"

    async def one(n: int) -> int:
        async with new_client(app, ip=f"192.0.2.{n + 1}") as c:
            return (await c.post(url, json=person(n))).status_code

    statuses = await asyncio.gather(*(one(n) for n in range(30)))
    assert statuses == [201] * 30
    assert await invariant(session.id) == (5, 5, 5)
    assert await Registration.filter(session_id=session.id, status=WAITLISTED).count() == 25
