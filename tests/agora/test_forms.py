"""The typed-input kernel: text, addresses, numbers and ids refused at the edge, errors per field in the reader's
language, form and JSON bodies read into the same model."""

from __future__ import annotations

import json
from typing import Annotated

import pytest
from pydantic import Field
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from agora import i18n
from agora.forms import (
    MAX_ID,
    BadBody,
    Checkbox,
    Email,
    FieldErrors,
    Id,
    InputModel,
    Integer,
    Line,
    Paragraph,
    Password,
    column_length,
    parse_form,
    parse_json,
    parse_query,
    valid_email,
    validate,
)
from events.models import Registration


class Person(InputModel):
    name: Annotated[str, Line(20, min_length=1)]
    email: Email
    note: Annotated[str, Paragraph(100)] = ""
    seats: Annotated[int, Integer(0, 5)] = 0
    track: Id | None = None
    tags: list[Annotated[str, Line(10)]] = Field(default_factory=list, max_length=3)
    consent: Checkbox = False
    ratio: float = 0.0


def errors_of(data: dict) -> dict[str, str]:
    with pytest.raises(FieldErrors) as caught:
        validate(Person, data)
    return caught.value.errors


def test_clean_input_is_stripped_and_normalised():
    person = validate(
        Person, {"name": "  Ada  ", "email": " Ada@Example.ORG ", "seats": "3", "consent": "on"}, form=True
    )
    assert person.name == "Ada"
    assert person.email == "ada@example.org"
    assert person.seats == 3
    assert person.consent is True
    assert person.track is None


@pytest.mark.parametrize("address", ["a@b.c@d", "<a>@b.de", "x@y.", "plain", "a b@c.de", "a@localhost", "a@b.invalid"])
def test_the_one_email_rule_refuses_what_is_not_an_address(address):
    assert "email" in errors_of({"name": "Ada", "email": address})
    assert valid_email(address) is None


def test_paragraph_keeps_line_breaks_but_refuses_control_characters():
    assert validate(Person, {"name": "A", "email": "a@b.de", "note": "one\r\ntwo\tthree"}).note == "one\ntwo\tthree"
    for bad in ("a\x00b", "a\x0bb", "a\x1bb", "a\x85b"):
        assert "note" in errors_of({"name": "A", "email": "a@b.de", "note": bad})


@pytest.mark.parametrize("bad", ["a\nb", "a\x00b", "\ud800", "x\udfff"])
def test_line_refuses_line_breaks_control_characters_and_lone_surrogates(bad):
    assert "name" in errors_of({"name": bad, "email": "a@b.de"})


@pytest.mark.parametrize("value", ["²", "٣", "1e3", "-1", "0", "99999999999", "1.0", True, " "])
def test_ids_are_ascii_digits_within_range(value):
    assert "track" in errors_of({"name": "A", "email": "a@b.de", "track": value})


def test_ids_accept_digits_and_json_integers_up_to_the_largest_key():
    assert validate(Person, {"name": "A", "email": "a@b.de", "track": "42"}, form=True).track == 42
    assert validate(Person, {"name": "A", "email": "a@b.de", "track": MAX_ID}).track == MAX_ID


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-Infinity", 1e309, float("nan")])
def test_numbers_are_finite(value):
    assert "ratio" in errors_of({"name": "A", "email": "a@b.de", "ratio": value})


def test_limits_and_lists_report_every_problem_at_once():
    errors = errors_of({"name": "x" * 21, "email": "", "seats": "6", "tags": ["a", "b", "c", "d"]})
    assert set(errors) == {"name", "email", "seats", "tags"}


def test_messages_follow_the_reader_language():
    token = i18n.current_locale.set("de")
    try:
        german = errors_of({"name": "", "email": "a@b.c@d"})
    finally:
        i18n.current_locale.reset(token)
    token = i18n.current_locale.set("en")
    try:
        english = errors_of({"name": "", "email": "a@b.c@d"})
    finally:
        i18n.current_locale.reset(token)
    assert english["email"] == "Please enter a valid email address."
    assert german["email"] != english["email"] and "E-Mail" in german["email"]
    assert german["name"] != english["name"]


def test_column_length_reads_the_model():
    assert column_length(Registration, "name") == Registration._meta.fields_map["name"].max_length
    with pytest.raises(TypeError):
        column_length(Registration, "created_at")


def test_schema_carries_the_limits():
    schema = Person.model_json_schema()
    assert schema["properties"]["name"]["maxLength"] == 20
    assert schema["properties"]["email"]["format"] == "email"
    assert schema["required"] == ["name", "email"]


def _app() -> Starlette:
    async def form_endpoint(request: Request) -> JSONResponse:
        try:
            person = await parse_form(request, Person)
        except FieldErrors as exc:
            return JSONResponse(exc.errors, status_code=422)
        except BadBody as exc:
            return JSONResponse({"error": exc.message}, status_code=exc.status)
        return JSONResponse(person.model_dump())

    async def json_endpoint(request: Request) -> JSONResponse:
        try:
            person = await parse_json(request, Person)
        except FieldErrors as exc:
            return JSONResponse(exc.errors, status_code=422)
        except BadBody as exc:
            return JSONResponse({"error": exc.message}, status_code=exc.status)
        return JSONResponse(person.model_dump())

    async def query_endpoint(request: Request) -> JSONResponse:
        try:
            person = parse_query(request, Person)
        except FieldErrors as exc:
            return JSONResponse(exc.errors, status_code=422)
        return JSONResponse(person.model_dump())

    return Starlette(
        routes=[
            Route("/form", form_endpoint, methods=["POST"]),
            Route("/json", json_endpoint, methods=["POST"]),
            Route("/query", query_endpoint),
        ]
    )


def test_form_json_and_query_read_into_the_same_model():
    client = TestClient(_app())
    form = client.post("/form", data={"name": "Ada", "email": "ada@b.de", "tags": ["x", "y"], "consent": "on"})
    assert form.status_code == 200, form.text
    assert form.json()["tags"] == ["x", "y"] and form.json()["consent"] is True
    body = {"name": "Ada", "email": "ada@b.de", "tags": ["x", "y"], "consent": True}
    assert client.post("/json", json=body).json() == form.json()
    query = client.get("/query", params={"name": "Ada", "email": "ada@b.de", "tags": ["x", "y"], "consent": "on"})
    assert query.json() == form.json()


def test_form_errors_and_unreadable_bodies():
    client = TestClient(_app())
    assert set(client.post("/form", data={"name": "", "email": "x"}).json()) == {"name", "email"}
    broken = client.post(
        "/form", content=b"--zzz\r\nbroken", headers={"content-type": "multipart/form-data; boundary=zzz"}
    )
    assert broken.status_code in (400, 422)


def test_json_bodies_refused_clearly():
    client = TestClient(_app())
    assert client.post("/json", content=b"{", headers={"content-type": "application/json"}).status_code == 400
    assert client.post("/json", content=b"[]", headers={"content-type": "application/json"}).status_code == 400
    assert client.post("/json", content=b"{}", headers={"content-type": "text/plain"}).status_code == 415
    deep = b"[" * 50_000 + b"]" * 50_000
    assert client.post("/json", content=deep, headers={"content-type": "application/json"}).status_code == 400
    tags: object = "x"
    for _ in range(40):
        tags = [tags]
    nested = json.dumps({"name": "A", "email": "a@b.de", "tags": tags})
    assert client.post("/json", content=nested, headers={"content-type": "application/json"}).status_code == 400
    surrogate = b'{"name": "\\ud800", "email": "a@b.de"}'
    answer = client.post("/json", content=surrogate, headers={"content-type": "application/json"})
    assert answer.status_code == 422 and "name" in answer.json()
    wrong = client.post("/json", json={"name": ["A"], "email": {"x": 1}, "seats": "²"})
    assert wrong.status_code == 422 and set(wrong.json()) == {"name", "email", "seats"}


@pytest.mark.parametrize("value", ["²", "NaN", "maybe", "on\x00"])
def test_a_checkbox_refuses_a_value_no_box_sends(value):
    with pytest.raises(FieldErrors) as caught:
        validate(Person, {"name": "A", "email": "a@b.de", "consent": value}, form=True)
    assert set(caught.value.errors) == {"consent"}


def test_a_checkbox_reads_ticked_and_unticked_texts():
    for text, ticked in (("on", True), ("yes", True), ("", False), ("off", False)):
        assert validate(Person, {"name": "A", "email": "a@b.de", "consent": text}, form=True).consent is ticked


def test_passwords_keep_spaces_but_refuse_control_characters():
    class Secret(InputModel):
        password: Password

    assert validate(Secret, {"password": " two words "}).password == " two words "
    for bad in ("pass\x00word", "pass\x1bword", "\ud800"):
        with pytest.raises(FieldErrors):
            validate(Secret, {"password": bad})
