"""The public side: reading a consultation, contributing before and after verifying the address, supports,
flags, replies, edits, withdrawal and following."""

from __future__ import annotations

from participation.models import (
    HIDDEN,
    PENDING_MODERATION,
    PENDING_VERIFICATION,
    PUBLISHED,
    WITHDRAWN,
    Contribution,
    Follow,
    Section,
    Support,
)
from tests.conftest import csrf_from, form_post
from tests.participants.helpers import confirm, last_link, sign_in
from tests.participation.helpers import ago, open_consultation

URL = "/beteiligung/digitalstrategie"


async def _contribute(client, data: dict) -> object:
    return await form_post(client, URL, URL + "/beitrag", data)


async def test_the_page_shows_numbered_sections_and_a_timeline(client):
    await open_consultation()
    page = await client.get(URL)
    assert page.status_code == 200
    assert "1 Ziele" in page.text and "2.1 Online-Dienste" in page.text and "2.2 Glasfaser" in page.text
    assert 'id="abschnitt-2-1"' in page.text
    assert 'aria-current="step"' in page.text
    listing = await client.get("/beteiligung")
    assert "Digitalstrategie" in listing.text
    home = await client.get("/")
    assert URL in home.text


async def test_drafts_are_not_public(client):
    await open_consultation(published_at=None)
    assert (await client.get(URL)).status_code == 404
    assert (await client.get("/beteiligung/unknown")).status_code == 404


async def test_a_contribution_waits_for_the_email_and_is_published_after(client):
    await open_consultation()
    section = await Section.get(number="2.1")
    response = await _contribute(
        client,
        {
            "body": "Bitte zuerst das Anwohnerparken.",
            "section_id": section.id,
            "email": "anna@example.org",
            "name": "Anna",
            "category": "suggestion",
        },
    )
    assert response.status_code == 303
    row = await Contribution.get(body="Bitte zuerst das Anwohnerparken.")
    assert row.status == PENDING_VERIFICATION and row.author_id is None
    assert "Bitte zuerst das Anwohnerparken." not in (await client.get(URL)).text
    answer = await confirm(client, await last_link("anna@example.org"), consent=True)
    assert answer.status_code == 303 and answer.headers["location"].endswith(URL)
    row = await Contribution.get(id=row.id)
    assert row.status == PUBLISHED and row.author_id is not None and row.author_email == ""
    page = await client.get(URL)
    assert "Bitte zuerst das Anwohnerparken." in page.text
    assert "Anna" not in page.text  # the name was not to be shown


async def test_pre_moderation_holds_a_signed_in_participants_contribution(client):
    await open_consultation(moderation="pre")
    await sign_in(client, "b@example.org")
    response = await _contribute(client, {"body": "Mehr WLAN", "show_name": "1", "name": "Bea"})
    assert response.status_code == 303
    row = await Contribution.get(body="Mehr WLAN")
    assert row.status == PENDING_MODERATION and row.show_name


async def test_refusals_change_nothing(client):
    await open_consultation()
    bad = await _contribute(client, {"body": "", "email": "x@example.org"})
    assert bad.status_code == 400 and "error-summary" in bad.text
    no_mail = await _contribute(client, {"body": "Text ohne Adresse"})
    assert no_mail.status_code == 400
    wrong_section = await _contribute(client, {"body": "x", "email": "x@example.org", "section_id": "99999"})
    assert wrong_section.status_code == 400
    links = await _contribute(client, {"body": "https://a https://b https://c https://d", "email": "x@example.org"})
    assert links.status_code == 400
    honeypot = await _contribute(client, {"body": "Spam", "email": "x@example.org", "website": "http://spam"})
    assert honeypot.status_code == 303
    assert await Contribution.all().count() == 0


async def test_closed_consultation_takes_no_contribution(client):
    await open_consultation(opens_at=ago(10), closes_at=ago(1))
    page = await client.get(URL)
    assert 'action="/beteiligung/digitalstrategie/beitrag"' not in page.text
    response = await client.post(
        URL + "/beitrag",
        data={"csrf_token": csrf_from((await client.get("/signin")).text), "body": "spät", "email": "x@example.org"},
    )
    assert response.status_code == 400
    assert await Contribution.all().count() == 0


async def test_duplicates_are_refused(client):
    await open_consultation()
    await sign_in(client, "d@example.org")
    assert (await _contribute(client, {"body": "Doppelt"})).status_code == 303
    again = await _contribute(client, {"body": "Doppelt"})
    assert again.status_code == 400
    assert await Contribution.filter(body="Doppelt").count() == 1


async def test_support_flag_reply_edit_withdraw_follow(client, app):
    from tests.conftest import new_client

    await open_consultation()
    await sign_in(client, "author@example.org")
    await _contribute(client, {"body": "Erster Beitrag"})
    first = await Contribution.get(body="Erster Beitrag")
    item = f"{URL}/beitraege/{first.id}"
    own_support = await form_post(client, URL, item + "/unterstuetzen", {})
    assert own_support.status_code == 303 and await Support.all().count() == 0
    follow = await form_post(client, URL, URL + "/folgen", {"mode": "single"})
    assert follow.status_code == 303 and await Follow.exists(participant_id=first.author_id, mode="single")

    async with new_client(app, ip="10.0.0.2") as other, new_client(app, ip="10.0.0.3") as third:
        await sign_in(other, "other@example.org")
        await sign_in(third, "third@example.org")
        assert (await form_post(other, URL, item + "/unterstuetzen", {})).status_code == 303
        assert (await form_post(other, URL, item + "/unterstuetzen", {})).status_code == 303
        assert (await Contribution.get(id=first.id)).supports_count == 1
        reply = await form_post(other, URL, URL + "/beitrag", {"body": "Eine Antwort", "parent_id": first.id})
        assert reply.status_code == 303
        answer = await Contribution.get(body="Eine Antwort")
        assert answer.depth == 1 and answer.parent_id == first.id
        from notifications.models import OutboxMessage

        assert await OutboxMessage.exists(kind="participation_reply", recipient="author@example.org")
        await form_post(other, URL, item + "/melden", {"reason": "beleidigend"})
        assert (await Contribution.get(id=first.id)).status == PUBLISHED
        await form_post(third, URL, item + "/melden", {"reason": "beleidigend"})
        assert (await Contribution.get(id=first.id)).status == PENDING_MODERATION
        not_own = await form_post(other, URL, f"{URL}/beitraege/{first.id}/zurueckziehen", {})
        assert not_own.status_code == 404

    edit_page = await client.get(item + "/bearbeiten")
    assert edit_page.status_code == 200
    edited = await client.post(item + "/bearbeiten", data={"csrf_token": csrf_from(edit_page.text), "body": "Neu"})
    assert edited.status_code == 303 and (await Contribution.get(id=first.id)).edited_at is not None
    empty = await client.post(item + "/bearbeiten", data={"csrf_token": csrf_from(edit_page.text), "body": ""})
    assert empty.status_code == 400
    await Contribution.filter(id=first.id).update(created_at=ago(1))
    late = await client.post(item + "/bearbeiten", data={"csrf_token": csrf_from(edit_page.text), "body": "Zu spät"})
    assert late.status_code == 400 and (await Contribution.get(id=first.id)).body == "Neu"
    withdrawn = await form_post(client, URL, item + "/zurueckziehen", {})
    assert withdrawn.status_code == 303 and (await Contribution.get(id=first.id)).status == WITHDRAWN
    assert (await form_post(client, URL, URL + "/entfolgen", {})).status_code == 303
    assert not await Follow.exists(participant_id=first.author_id)


async def test_sorting_orders_threads(client):
    await open_consultation()
    await sign_in(client, "s@example.org")
    await _contribute(client, {"body": "Alpha"})
    await _contribute(client, {"body": "Beta"})
    await Contribution.filter(body="Alpha").update(supports_count=5)
    newest = (await client.get(URL)).text
    assert newest.index("Beta") < newest.index("Alpha")
    oldest = (await client.get(URL + "?sort=oldest")).text
    assert oldest.index("Alpha") < oldest.index("Beta")
    supported = (await client.get(URL + "?sort=supported")).text
    assert supported.index("Alpha") < supported.index("Beta")
    assert (await client.get(URL + "?sort=bogus")).status_code == 200


async def test_hidden_contributions_show_the_reason(client):
    consultation = await open_consultation()
    await Contribution.create(
        consultation_id=consultation.id,
        number=1,
        body="Geheim",
        status=HIDDEN,
        hidden_reason="Werbung",
        received_at=ago(1),
    )
    page = await client.get(URL)
    assert "Geheim" not in page.text and "Werbung" in page.text
