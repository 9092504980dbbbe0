"""What a session costs: parsed in German and English notation, refused when it is no amount, shown wherever
people decide (list, page, series page, API, export, mails, schema.org) and fresh on cached pages at once."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from email import message_from_bytes
from email.policy import default

import pytest

from agora import i18n
from agora.forms import FieldErrors, validate
from events import exports, recurrence, services
from events.forms import SessionChange
from events.models import Series, Session
from tests.conftest import form_post, replace_settings
from tests.events.helpers import published_session, register
from tests.events.test_api import _bearer
from tests.notifications.smtp_sink import SmtpSink
from tests.notifications.test_delivery import deliver_all

NBSP = "\xa0"
EURO_DE = f"25,00{NBSP}€"


def _cost(value: object, language: str = "de", **context: object) -> Decimal | None:
    token = i18n.current_locale.set(language)
    try:
        return validate(SessionChange, {"cost": value}, **context).cost
    finally:
        i18n.current_locale.reset(token)


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("25", "25.00"),
        ("25,5", "25.50"),
        ("25.50", "25.50"),
        (" 1.234,50 € ", "1234.50"),
        ("0", "0.00"),
        (12.5, "12.50"),
        (7, "7.00"),
        ("99999,99", "99999.99"),
    ],
)
def test_amounts_are_read_as_people_write_them(typed: object, amount: str) -> None:
    assert _cost(typed, form=True) == Decimal(amount)


def test_nothing_is_free_of_charge() -> None:
    assert _cost("", form=True) is None
    assert _cost(None) is None


@pytest.mark.parametrize("typed", ["-1", "abc", "25,505", "NaN", "nan", "Infinity", "1e3", "100000", "10**9", True])
def test_what_is_no_amount_is_a_field_error_in_the_readers_language(typed: object) -> None:
    for language, word in (("de", "Betrag"), ("en", "amount")):
        with pytest.raises(FieldErrors) as refused:
            _cost(typed, language, form=True)
        assert word in refused.value.errors["cost"], (typed, language, refused.value.errors)
    for number in (float("nan"), float("inf"), -0.5, 0.001, 1e12):
        with pytest.raises(FieldErrors):
            _cost(number)


def test_the_limits_are_named() -> None:
    with pytest.raises(FieldErrors) as refused:
        _cost("100000", "de", form=True)
    assert "99.999,99" in refused.value.errors["cost"]
    with pytest.raises(FieldErrors) as refused:
        _cost("2,345", "en", form=True)
    assert "two digits" in refused.value.errors["cost"]
    with pytest.raises(FieldErrors) as refused:
        validate(SessionChange, {"cost_note": "x" * 201})
    assert "cost_note" in refused.value.errors


def _local(moment) -> str:  # noqa: ANN001
    return moment.astimezone(i18n.local_zone()).strftime("%Y-%m-%dT%H:%M")


def _edit_form(session, **fields: str) -> dict[str, str]:  # noqa: ANN001
    """The staff edit form of a session as it stands, with the given fields changed."""
    return {
        "title": session.title,
        "starts_at": _local(session.starts_at),
        "ends_at": _local(session.ends_at),
        "mode": "in_person",
        "capacity": "10",
        **fields,
    }


async def test_staff_set_the_cost_on_the_form_and_bad_input_changes_nothing(staff_client, database) -> None:
    session = await published_session()
    edit = f"/staff/events/sessions/{session.id}/edit"
    form = _edit_form(session, kind="workshop", online_capacity="0", max_colleagues="0")
    page = (await staff_client.get(edit)).text
    assert 'id="cost"' in page and 'for="cost"' in page and 'for="cost_note"' in page
    for bad in ("-5", "abc", "1,234", "NaN", "1000000"):
        refused = await form_post(staff_client, edit, edit, {**form, "cost": bad, "cost_note": "inkl. Mittagessen"})
        assert refused.status_code == 400, bad
        assert 'id="cost-error"' in refused.text and f'value="{bad}"' in refused.text
        unchanged = await Session.get(id=session.id)
        assert unchanged.cost is None and unchanged.cost_note == "" and unchanged.kind != "workshop"
    saved = await form_post(staff_client, edit, edit, {**form, "cost": "25,00", "cost_note": "inkl. Mittagessen"})
    assert saved.status_code == 303
    stored = await Session.get(id=session.id)
    assert (stored.cost, stored.cost_note) == (Decimal("25.00"), "inkl. Mittagessen")
    detail = (await staff_client.get(f"/staff/events/sessions/{session.id}")).text
    assert f"{EURO_DE} (<span>inkl. Mittagessen</span>)" in detail
    assert 'value="25,00"' in (await staff_client.get(edit)).text
    # Emptied: free of charge again.
    saved = await form_post(staff_client, edit, edit, {**form, "cost": "", "cost_note": ""})
    assert saved.status_code == 303 and (await Session.get(id=session.id)).cost is None

    new = "/staff/events/sessions/new"
    count = await Session.all().count()
    refused = await form_post(staff_client, new, new, {**form, "title": "Neu", "cost": "-1"})
    assert refused.status_code == 400 and 'id="cost-error"' in refused.text
    assert await Session.all().count() == count
    created = await form_post(staff_client, new, new, {**form, "title": "Neu", "cost": "12,50"})
    assert created.status_code == 303
    assert (await Session.get(title="Neu")).cost == Decimal("12.50")


async def test_sessions_of_a_series_take_over_its_cost(staff_client, database) -> None:
    series = await services.create_series(
        title="Reihe",
        rrule="DTSTART:20270105T080000\nRRULE:FREQ=MONTHLY;INTERVAL=3;BYDAY=1TU",
        cost=Decimal("40"),
        cost_note="inkl. Frühstück",
    )
    [generated] = await recurrence.generate_sessions(series.id, count=1)
    assert (generated.cost, generated.cost_note) == (Decimal("40.00"), "inkl. Frühstück")
    own = await services.create_session(
        series_id=series.id, starts_at=generated.starts_at, ends_at=generated.ends_at, cost=Decimal(0)
    )
    assert own.cost == Decimal(0) and own.free
    edit = f"/staff/events/series/{series.id}/edit"
    page = (await staff_client.get(edit)).text
    assert 'value="40,00"' in page
    refused = await form_post(staff_client, edit, edit, {"title": "Reihe", "cost": "viel"})
    assert refused.status_code == 400 and 'id="cost-error"' in refused.text
    assert (await Series.get(id=series.id)).cost == Decimal("40.00")


async def test_the_public_list_page_and_series_say_what_it_costs(client, database) -> None:
    series = await services.create_series(title="Reihe")
    paid = await published_session(
        title="Workshop", series_id=series.id, cost=Decimal("25"), cost_note="inkl. Mittagessen"
    )
    await published_session(title="Frühstück")
    listing = (await client.get("/termine")).text
    assert f'<span class="cost">{EURO_DE} (<span>inkl. Mittagessen</span>)</span>' in listing
    assert '<span class="cost">Kostenlos</span>' in listing
    assert EURO_DE in (await client.get(f"/reihen/{series.id}")).text
    page = (await client.get(f"/termine/{paid.id}")).text
    assert f'<dd id="cost">{EURO_DE} (<span>inkl. Mittagessen</span>)</dd>' in page
    await client.get("/language/en?next=/")
    english = (await client.get(f"/termine/{paid.id}")).text
    assert '<dd id="cost">€25.00 (<span lang="de">inkl. Mittagessen</span>)</dd>' in english
    assert "Free of charge" in (await client.get("/termine")).text


def _json_ld(html: str) -> dict:
    found = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    assert found
    return json.loads(found.group(1))


async def test_schema_org_offers_carry_the_price(client, database) -> None:
    paid = await published_session(cost=Decimal("25.5"), cost_note="inkl. Mittagessen")
    free = await published_session(title="Frei")
    offer = _json_ld((await client.get(f"/termine/{paid.id}")).text)["offers"]
    assert (offer["price"], offer["priceCurrency"], offer["description"]) == ("25.50", "EUR", "inkl. Mittagessen")
    assert _json_ld((await client.get(f"/termine/{free.id}")).text)["offers"]["price"] == "0"


async def test_the_page_cache_shows_a_new_cost_at_once(client, staff_client, database) -> None:
    session = await published_session()
    first = await client.get(f"/termine/{session.id}")
    assert (await client.get(f"/termine/{session.id}")).headers["etag"] == first.headers["etag"]
    assert "Kostenlos" in (await client.get("/termine")).text
    edit = f"/staff/events/sessions/{session.id}/edit"
    form = _edit_form(session, kind="dialogue", cost="30")
    assert (await form_post(staff_client, edit, edit, form)).status_code == 303
    page = await client.get(f"/termine/{session.id}", headers={"if-none-match": first.headers["etag"]})
    assert page.status_code == 200 and f"30,00{NBSP}€" in page.text
    assert f"30,00{NBSP}€" in (await client.get("/termine")).text


async def test_the_api_and_its_document_carry_the_cost(client, database) -> None:
    paid = await published_session(cost=Decimal("25"), cost_note="inkl. Mittagessen")
    free = await published_session(title="Frei")
    body = (await client.get(f"/api/v1/sessions/{paid.id}")).json()
    assert body["cost"] == {"free": False, "amount": "25.00", "currency": "EUR", "note": "inkl. Mittagessen"}
    listed = {s["id"]: s["cost"] for s in (await client.get("/api/v1/sessions")).json()["items"]}
    assert listed[free.id] == {"free": True, "amount": None, "currency": "EUR", "note": ""}
    document = (await client.get("/api/v1/openapi.json")).json()
    schemas = document["components"]["schemas"]
    assert set(schemas["CostOut"]["properties"]) == {"free", "amount", "currency", "note"}
    change = next(s for name, s in schemas.items() if name.startswith("SessionChange"))
    assert "cost" in change["properties"] and "cost_note" in change["properties"]

    write = await _bearer("sessions:write")
    url = f"/api/v1/staff/sessions/{free.id}"
    for bad in ("abc", -1, 0.001, "1e9", True):
        refused = await client.patch(url, headers=write, json={"cost": bad})
        assert refused.status_code == 422 and "cost" in refused.json()["errors"], bad
    assert (await Session.get(id=free.id)).cost is None
    changed = await client.patch(url, headers=write, json={"cost": 12.5, "cost_note": "inkl. Kaffee"})
    assert changed.status_code == 200 and changed.json()["cost"]["amount"] == "12.50"
    assert (await Session.get(id=free.id)).cost == Decimal("12.50")


async def test_the_attendee_export_names_the_fee(database) -> None:
    session = await published_session(cost=Decimal("25"), cost_note="inkl. Mittagessen")
    await register(database, session.id, 1)
    content, _, _ = await exports.export(session, "attendees", "csv")
    text = content.decode("utf-8-sig")
    assert "Gebühr pro Person" in text.splitlines()[0]
    assert f"{EURO_DE} (inkl. Mittagessen)" in text.splitlines()[1]


async def test_the_mail_says_what_it_costs(database) -> None:
    sink = SmtpSink().start()
    try:
        settings = replace_settings(database, smtp_url=sink.url, mail_from="Agora <agora@example.org>")
        paid = await published_session(cost=Decimal("25"), cost_note="inkl. Mittagessen")
        free = await published_session(title="Frei")
        await register(settings, paid.id, 1)
        await register(settings, free.id, 2, language="en")
        await deliver_all(settings)
        received = {r.recipients[0]: r.message for r in sink.handler.received}
    finally:
        sink.stop()
    german = message_from_bytes(received["person1@example.com"].as_bytes(), policy=default)
    text = german.get_body(("plain",)).get_content()
    html = german.get_body(("html",)).get_content()
    assert f"Kosten: {EURO_DE} (inkl. Mittagessen)" in text
    assert "Kosten:" in html and EURO_DE in html and "inkl. Mittagessen" in html
    english = message_from_bytes(received["person2@example.com"].as_bytes(), policy=default)
    assert "Cost: Free of charge" in english.get_body(("plain",)).get_content()
