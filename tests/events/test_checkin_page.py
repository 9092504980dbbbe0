"""The check-in page at the door: search by name or code, a check-in button per person, live counts, the
printable attendee list."""

from __future__ import annotations

import re

from events.models import ATTENDED, CONFIRMED, WAITLISTED, Registration
from tests.conftest import csrf_from, form_post
from tests.events.helpers import published_session, register


async def _door(settings):  # noqa: ANN001, ANN202
    session = await published_session(capacity=2)
    anna = await register(settings, session.id, 1, by_staff=True, name="Anna Müller", organisation="Bäckerei Sonne")
    ben = await register(settings, session.id, 2, by_staff=True, name="Ben Schulz", organisation="Metallbau")
    wait = await register(settings, session.id, 3, by_staff=True, name="Carla Müllerin", organisation="Wartende AG")
    assert (anna.status, ben.status, wait.status) == (CONFIRMED, CONFIRMED, WAITLISTED)
    return session, anna, ben, wait


async def test_search_by_name_organisation_and_code(staff_client, database) -> None:
    session, anna, ben, wait = await _door(database)
    page = f"/staff/events/sessions/{session.id}/checkin"

    html = (await staff_client.get(page, params={"q": "müller"})).text
    assert "Anna Müller" in html and "Carla Müllerin" in html and "Ben Schulz" not in html
    # one check-in button for the seated person, none for the waitlisted one
    assert f'name="code" value="{anna.checkin_code}"' in html
    assert f'name="code" value="{wait.checkin_code}"' not in html

    html = (await staff_client.get(page, params={"q": "metall"})).text
    assert "Ben Schulz" in html and "Anna Müller" not in html

    spoken = ben.checkin_code[:4].lower() + "-" + ben.checkin_code[4:].lower()
    html = (await staff_client.get(page, params={"q": spoken})).text
    assert "Ben Schulz" in html and "Anna Müller" not in html

    html = (await staff_client.get(page, params={"q": "Niemand"})).text
    assert "Ben Schulz" not in html and "Anna Müller" not in html
    assert 'role="search"' in html

    other = await published_session()
    await register(database, other.id, 9, by_staff=True, name="Anna Fremd")
    assert "Anna Fremd" not in (await staff_client.get(page, params={"q": "Anna"})).text


async def test_check_in_button_and_code_form(staff_client, database) -> None:
    session, anna, ben, wait = await _door(database)
    page = f"/staff/events/sessions/{session.id}/checkin"
    search = f"{page}?q=Anna"

    done = await form_post(staff_client, search, page, {"code": anna.checkin_code, "q": "Anna"})
    assert done.status_code == 303 and done.headers["location"] == f"{page}?q=Anna"
    checked = await Registration.get(id=anna.id)
    assert checked.status == ATTENDED and checked.checked_in_at is not None
    html = (await staff_client.get(search)).text
    assert "Anna Müller" in html and f'name="code" value="{anna.checkin_code}"' not in html

    twice = await form_post(staff_client, page, page, {"code": anna.checkin_code})
    assert twice.status_code == 303  # scanning twice is harmless
    assert (await Registration.get(id=anna.id)).checked_in_at == checked.checked_in_at

    for code in ("", "ZZZZ9999", wait.checkin_code):
        refused = await form_post(staff_client, page, page, {"code": code})
        assert refused.status_code == 400, code
        assert 'id="code-error"' in refused.text and 'aria-invalid="true"' in refused.text
    assert (await Registration.get(id=wait.id)).status == WAITLISTED

    other = await published_session()
    elsewhere = f"/staff/events/sessions/{other.id}/checkin"
    wrong_door = await form_post(staff_client, elsewhere, elsewhere, {"code": ben.checkin_code})
    assert wrong_door.status_code == 400 and (await Registration.get(id=ben.id)).status == CONFIRMED

    no_token = await staff_client.post(page, data={"code": ben.checkin_code})
    assert no_token.status_code == 403 and (await Registration.get(id=ben.id)).status == CONFIRMED


async def test_live_counts_without_and_with_javascript(staff_client, client, database) -> None:
    session, anna, _ben, _wait = await _door(database)
    page = f"/staff/events/sessions/{session.id}/checkin"
    html = (await staff_client.get(page)).text
    assert re.search(r'id="count-attended">0<', html) and re.search(r'id="count-expected">2<', html)
    # the enhancement is a nonce'd script; the numbers are in the page without it
    response = await staff_client.get(page)
    nonce = re.search(r'<script nonce="([^"]+)">', response.text)
    assert nonce and f"'nonce-{nonce.group(1)}'" in response.headers["content-security-policy"]

    token = csrf_from(html)
    await staff_client.post(page, data={"code": anna.checkin_code, "csrf_token": token})
    counts = await staff_client.get(page + "/counts")
    assert counts.status_code == 200 and counts.headers["content-type"].startswith("application/json")
    assert counts.json() == {"expected": 2, "attended": 1, "waitlisted": 1, "registrations": 2}
    assert re.search(r'id="count-attended">1<', (await staff_client.get(page)).text)

    assert (await client.get(page + "/counts")).status_code == 303  # not signed in
    assert (await staff_client.get("/staff/events/sessions/999999/checkin/counts")).status_code == 404


async def test_printable_attendee_list(staff_client, database) -> None:
    session, anna, ben, wait = await _door(database)
    html = (await staff_client.get(f"/staff/events/sessions/{session.id}/attendees")).text
    assert "Anna Müller" in html and "Ben Schulz" in html and "Carla Müllerin" not in html
    assert "@media print" in html and 'class="signature"' in html
    assert html.index("Anna Müller") < html.index("Ben Schulz")


async def test_the_desk_field_checks_a_scanned_code_in_and_searches_anything_else(staff_client, database) -> None:
    session, anna, ben, wait = await _door(database)
    page = f"/staff/events/sessions/{session.id}/checkin"
    scan = f"{page}/scan"
    html = (await staff_client.get(page)).text
    assert re.search(r'<input id="q"[^>]* autofocus', html), "the desk field has the focus"

    # A keyboard-wedge scanner types the code (any case, with a dash) and Enter.
    scanned = await form_post(staff_client, page, scan, {"q": ben.checkin_code[:4] + "-" + ben.checkin_code[4:]})
    assert scanned.status_code == 303 and scanned.headers["location"] == page
    assert (await Registration.get(id=ben.id)).status == ATTENDED
    after = (await staff_client.get(page)).text
    assert "Ben Schulz" in after and re.search(r'<input id="q"[^>]* autofocus', after)

    searched = await form_post(staff_client, page, scan, {"q": "Anna"})
    assert searched.status_code == 303 and searched.headers["location"] == f"{page}?q=Anna"
    assert (await Registration.get(id=anna.id)).status == CONFIRMED
    empty = await form_post(staff_client, page, scan, {"q": ""})
    assert empty.status_code == 303 and empty.headers["location"] == page

    refused = await form_post(staff_client, page, scan, {"q": wait.checkin_code})
    assert refused.status_code == 400 and 'id="q-error"' in refused.text
    assert (await Registration.get(id=wait.id)).status == WAITLISTED
    too_long = await form_post(staff_client, page, scan, {"q": "x" * 101})
    assert too_long.status_code == 400 and 'id="q-error"' in too_long.text
