"""The JSON API under /api/v1: public reads, registering, the staff endpoints and the OpenAPI document."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from openapi_spec_validator import validate

from agora import api, ratelimit
from agora.accounts import tokens
from agora.app import create_app
from agora.settings import Settings
from agora.web import MAX_PER_PAGE
from events import api as events_api
from events import services
from events.models import CONFIRMED, PENDING_CONFIRMATION, WAITLISTED, Registration, Session
from events.services import limits
from events.services.common import manage_token
from notifications.compose import build
from notifications.models import OutboxMessage
from tests.agora.test_access import walk
from tests.conftest import make_user, new_client
from tests.events.helpers import invariant, published_session, register, soon
from tests.notifications.smtp_sink import read_back

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

    bad = await client.get("/api/v1/sessions?upcoming=maybe&per_page=1000&series=%C2%B2&page=%D9%A3", headers=EN)
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"upcoming", "per_page", "series", "page"}


async def test_session_detail_with_agenda_tracks_questions_and_seats(client, database):
    session = await published_session(
        capacity=5, max_colleagues=2, online_url="https://meet.example.org/x", mode="hybrid", online_capacity=4
    )
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
    await register(
        database,
        session.id,
        1,
        track_id=track.id,
        attendance="in_person",
        colleagues=[{"name": "Kollegin", "email": ""}],
    )

    response = await client.get(f"/api/v1/sessions/{session.id}")
    assert response.status_code == 200
    data = response.json()
    assert data["capacity"] == 5 and data["seats_left"] == 3
    assert data["online"] is True and "meet.example.org" not in response.text  # the link is for registrants only
    assert data["mode"] == "hybrid" and data["online_capacity"] == 4 and data["online_places_left"] == 4
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
    assert errors["name"] == "Bitte füllen Sie dieses Feld aus."  # German is the default
    english = await client.post(url, json={"name": "", "email": "x@example.com", "consent": True}, headers=EN)
    assert english.json()["errors"] == {"name": "Please fill in this field."}
    preferred = await client.post(url, json={"name": ""}, headers={"Accept-Language": "fr, en;q=0.8, de;q=0.5"})
    assert preferred.json()["errors"]["name"] == "Please fill in this field."

    typed = await client.post(url, json={**person(1), "track_id": True, "answers": [], "extra": 1}, headers=EN)
    assert typed.status_code == 422
    assert set(typed.json()["errors"]) == {"track_id", "answers"}
    for name in ("Nul\x00l", "Tab\x0bx", "\ud800"):
        raw = json.dumps({"name": name, "email": "n@example.com", "consent": True}).encode()
        answer = await client.post(url, content=raw, headers={"content-type": "application/json", **EN})
        assert answer.status_code == 422 and set(answer.json()["errors"]) == {"name"}, name
    nul_email = await client.post(url, json={**person(1), "email": "a\x00@example.com"}, headers=EN)
    assert nul_email.status_code == 422 and "email" in nul_email.json()["errors"]
    assert await Registration.all().count() == 0


async def test_answers_follow_the_sessions_questions_with_field_paths(client, database):
    session = await published_session(max_colleagues=1)
    number = await services.add_question(session_id=session.id, label="Mitarbeitende", kind="number", required=True)
    choice = await services.add_question(
        session_id=session.id, label="Branche", kind="checkboxes", options=["Handel", "Handwerk"]
    )
    url = f"/api/v1/sessions/{session.id}/registrations"
    refused = await client.post(
        url,
        json={
            **person(1),
            "answers": {str(number.id): "1e309", str(choice.id): ["Bergbau"]},
            "colleagues": [{"name": "B"}],
        },
        headers=EN,
    )
    assert refused.status_code == 422
    assert set(refused.json()["errors"]) == {f"answers.{number.id}", f"answers.{choice.id}.0"}
    nameless = await client.post(url, json={**person(1), "colleagues": [{"name": "", "email": "k@example.com"}]})
    assert nameless.status_code == 422 and set(nameless.json()["errors"]) == {"colleagues.0.name"}
    too_many = await client.post(
        url, json={**person(1), "answers": {str(number.id): 3}, "colleagues": [{"name": "A"}, {"name": "B"}]}
    )
    assert too_many.status_code == 422 and set(too_many.json()["errors"]) == {"colleagues"}
    assert await Registration.all().count() == 0
    accepted = await client.post(
        url, json={**person(1), "answers": {str(number.id): "2,5", str(choice.id): ["Handel"]}}
    )
    assert accepted.status_code == 201
    stored = await Registration.get(email=person(1)["email"])
    assert stored.answers == {str(number.id): 2.5, str(choice.id): ["Handel"]}


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
    message = read_back(build(mail, database))
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
    # The cancelled session is still answered, with its status, as its page shows it.
    shown = await client.get(f"/api/v1/sessions/{session.id}")
    assert shown.status_code == 200
    assert shown.json()["status"] == "cancelled" and shown.json()["registration"]["state"] == "cancelled"
    draft = await services.create_session(title="Entwurf", starts_at=soon(), ends_at=soon() + timedelta(hours=1))
    assert (await client.get(f"/api/v1/sessions/{draft.id}")).status_code == 404


async def test_a_change_after_a_registration_applies_to_the_next_one(client, database):
    # The endpoint keeps the session's form between requests: a new question, a full room and a cancelled
    # session must count from the very next registration on.
    session = await published_session(capacity=2)
    url = f"/api/v1/sessions/{session.id}/registrations"
    assert (await client.post(url, json=person(1))).json()["status"] == PENDING_CONFIRMATION
    question = await services.add_question(session_id=session.id, label="Mitarbeitende", kind="number", required=True)
    refused = await client.post(url, json=person(2))
    assert refused.status_code == 422
    assert (await client.post(url, json=person(2, answers={str(question.id): 5}))).status_code == 201
    third = await client.post(url, json=person(3, answers={str(question.id): 5}))
    assert third.json() == {"status": WAITLISTED, "waitlist_position": 1}
    await services.cancel_session(database, session.id)
    assert (await client.post(url, json=person(4, answers={str(question.id): 5}))).status_code == 409
    assert await Registration.filter(session_id=session.id).count() == 3


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
    assert set(missing.json()["errors"]) == {"title", "starts_at", "ends_at", "capacity"}
    naive = await client.post(
        "/api/v1/staff/sessions",
        headers=write,
        json={"title": "X", "starts_at": "2030-01-01T10:00:00", "ends_at": "2030-01-01T09:00:00+01:00"},
    )
    assert set(naive.json()["errors"]) == {"starts_at"}
    no_series = await client.post(
        "/api/v1/staff/sessions",
        headers=write,
        json={"series_id": 999, "starts_at": "2030-01-01T10:00:00+01:00", "ends_at": "2030-01-01T11:00:00+01:00"},
    )
    assert set(no_series.json()["errors"]) == {"series_id"}
    # The column's limit is the API's: 201 to 500 characters no longer pass one check and fail the other.
    long_title = {"title": "x" * 300, "starts_at": "2030-01-01T10:00:00+01:00", "ends_at": "2030-01-01T11:00:00+01:00"}
    too_long = await client.post("/api/v1/staff/sessions", headers={**write, **EN}, json=long_title)
    assert too_long.status_code == 422 and too_long.json()["errors"] == {
        "title": "Please keep this under 200 characters."
    }
    surrogate = b'{"title": "\\ud800"}'
    draft = await services.create_session(title="Entwurf", starts_at=soon(), ends_at=soon() + timedelta(hours=1))
    patched = await client.patch(
        f"/api/v1/staff/sessions/{draft.id}", headers={**write, "content-type": "application/json"}, content=surrogate
    )
    assert patched.status_code == 422 and set(patched.json()["errors"]) == {"title"}
    assert (await Session.get(id=draft.id)).title == "Entwurf"
    await Session.filter(id=draft.id).delete()
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


def test_the_document_is_built_from_the_models():
    """Limits come from the columns, through the models, into the document."""
    document = api.document(events_api.operations(), "http://testserver")
    schemas = document["components"]["schemas"]
    registration = schemas["RegistrationInput"]["properties"]
    assert registration["name"]["maxLength"] == Registration._meta.fields_map["name"].max_length
    assert registration["email"]["format"] == "email"
    assert set(schemas["RegistrationInput"]["required"]) == {"name", "email"}
    assert schemas["SessionCreate"]["properties"]["title"]["maxLength"] == Session._meta.fields_map["title"].max_length
    body = document["paths"]["/staff/sessions"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/SessionCreate"}
    per_page = next(p for p in document["paths"]["/sessions"]["get"]["parameters"] if p.get("name") == "per_page")
    assert per_page["schema"]["maximum"] == MAX_PER_PAGE
    json.dumps(document)  # plain JSON data


def _violating(schema: dict, schemas: dict) -> object:
    """A value of the wrong JSON type for a property's schema."""
    if "$ref" in schema:
        return "not an object"
    kinds = {schema.get("type")} | {option.get("type") for option in schema.get("anyOf", [])}
    return "not an object" if "object" in kinds else {"wrong": ["type"]}


async def test_every_endpoint_parses_with_the_models_it_declares(client):
    """A body breaking every property of the declared schema is refused with each property named, and a body
    matching it is accepted: the handler reads what the document says, no more and no less."""
    write = await _bearer("sessions:write", "registrations:read")
    session = await published_session()
    path_ids = {"session_id": session.id}
    operations = events_api.operations()
    assert any(op.body for op in operations) and any(op.query for op in operations)
    document = api.document(operations, "http://testserver")
    schemas = document["components"]["schemas"]
    for op in operations:
        url = "/api/v1" + op.path.format(**path_ids)
        headers = {**write, **EN}
        if op.body is not None:
            properties = schemas[op.body.__name__]["properties"]
            broken = {name: _violating(spec, schemas) for name, spec in properties.items()}
            answer = await client.request(op.method, url, json=broken, headers=headers)
            assert answer.status_code == 422, (op.operation_id, answer.text)
            assert set(answer.json()["errors"]) == set(properties), op.operation_id
        if op.query is not None:
            parameters = [
                p for p in document["paths"][op.path][op.method.lower()]["parameters"] if p.get("in") == "query"
            ]
            broken_query = {p["name"]: "²" for p in parameters}
            answer = await client.request(op.method, url, params=broken_query, headers=headers)
            assert answer.status_code == 422, (op.operation_id, answer.text)
            assert set(answer.json()["errors"]) == set(broken_query), op.operation_id
    matching = {
        "register": person(1),
        "createSession": {"title": "Neu", "starts_at": "2030-01-01T10:00:00+01:00", "ends_at": "2030-01-01T11:00:00Z"},
        "updateSession": {"venue_room": "Ratssaal"},
    }
    for op in operations:
        url = "/api/v1" + op.path.format(**path_ids)
        answer = await client.request(op.method, url, json=matching.get(op.operation_id), headers=write)
        assert answer.status_code == op.status, (op.operation_id, answer.text)


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


async def test_register_for_a_workshop_track(client, database):
    session = await published_session(capacity=5)
    first = await services.add_track(session.id, title="Digitalisierung", capacity=3)
    await services.add_track(session.id, title="Fachkräfte", capacity=3)
    url = f"/api/v1/sessions/{session.id}/registrations"
    missing = await client.post(url, json=person(1), headers=EN)
    assert missing.status_code == 422 and set(missing.json()["errors"]) == {"track_id"}
    chosen = await client.post(url, json=person(1, track_id=first.id), headers=EN)
    assert chosen.status_code == 201, chosen.text
    assert (await Registration.get(email="p1@example.com")).track_id == first.id
