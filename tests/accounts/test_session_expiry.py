"""A staff session that ran out (WCAG 2.2.1): a warning before the idle timeout with a way to stay, and a form sent
afterwards changes nothing, offers to sign in and return to the page, and shows what was typed."""

from __future__ import annotations

from events.models import Session
from tests.conftest import csrf_from


async def test_a_form_sent_after_the_session_ended_keeps_the_input_and_leads_back(client, database) -> None:
    page = "http://testserver/staff/events/sessions/new?series=3"
    response = await client.post(
        "/staff/events/sessions/new",
        data={"title": "Frühstück <im> Rathaus", "description": "Zeile eins\nZeile zwei", "csrf_token": "alt"},
        headers={"Referer": page},
    )
    assert response.status_code == 401
    assert 'href="/staff/login?next=/staff/events/sessions/new?series=3"' in response.text
    assert "Frühstück &lt;im&gt; Rathaus" in response.text and "Zeile eins" in response.text
    assert "alt" not in response.text.split('id="kept-heading"', 1)[1]  # the old token is not shown
    assert await Session.all().count() == 0

    # From another site, or without a referer, the sign-in leads back to the form's own address.
    elsewhere = await client.post(
        "/staff/events/sessions/new", data={"password": "geheim"}, headers={"Referer": "https://evil.example/x"}
    )
    assert elsewhere.status_code == 401 and 'href="/staff/login?next=/staff/events/sessions/new"' in elsewhere.text
    assert "geheim" not in elsewhere.text and 'id="kept-heading"' not in elsewhere.text

    # A participant's form after their session ended is answered the same way, towards their sign-in.
    me = await client.post("/me", data={"display_name": "Erika"}, headers={"Referer": "http://testserver/me"})
    assert me.status_code == 401 and 'href="/signin?next=/me"' in me.text and "Erika" in me.text


async def test_staff_are_warned_before_the_idle_timeout_and_can_stay(staff_client, client) -> None:
    page = await staff_client.get("/staff")
    assert 'id="idle-warning"' in page.text and 'data-idle-minutes="30"' in page.text
    stay = await staff_client.post("/staff/session/stay", data={"csrf_token": csrf_from(page.text)})
    assert stay.status_code == 204
    assert (await client.post("/staff/session/stay", data={})).status_code == 401
    assert 'id="idle-warning"' not in (await client.get("/staff/login")).text
