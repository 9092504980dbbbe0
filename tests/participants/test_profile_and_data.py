"""Profile, mail preferences, sign-out, "my data" with its JSON download, and account deletion."""

from __future__ import annotations

import json

import pytest
from tortoise import Tortoise

from agora.accounts.participants import services
from agora.accounts.participants.models import ConsentRecord, Participant, SigninToken
from notifications import api
from notifications.models import OutboxMessage
from tests.conftest import csrf_from, form_post, new_client
from tests.participants.helpers import last_link, request_link, sign_in


@pytest.fixture
def digest_category():
    """A preference category of its own, removed again so other tests see the registry unchanged."""
    api.register_kind("participants_test_digest", category="participants-test")
    yield "participants-test"
    api._KINDS.pop("participants_test_digest", None)


@pytest.fixture
def registries():
    calls: list[tuple[str, int, str]] = []

    async def provider(participant_id: int, email: str) -> dict:
        calls.append(("provider", participant_id, email))
        return {"Comments": [{"text": "More trees on the market square", "author": email}]}

    async def hook(participant_id: int, email: str) -> None:
        calls.append(("hook", participant_id, email))

    services.PERSONAL_DATA_PROVIDERS.append(provider)
    services.DELETION_HOOKS.append(hook)
    yield calls
    services.PERSONAL_DATA_PROVIDERS.remove(provider)
    services.DELETION_HOOKS.remove(hook)


async def test_pages_need_a_signed_in_participant(client):
    for path in ("/me", "/me/data", "/me/data.json", "/me/delete"):
        response = await client.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == f"/signin?next={path}"
    token = csrf_from((await client.get("/signin")).text)
    refused = await client.post("/me/delete", data={"csrf_token": token})
    assert refused.status_code == 401


async def test_signed_in_header_shows_profile_and_my_data(client):
    await sign_in(client, "head@example.org")
    home = await client.get("/")
    assert 'href="/me/data"' in home.text and 'href="/me"' in home.text
    assert 'href="/signin"' not in home.text


async def test_profile_is_saved_and_bad_input_changes_nothing(client, digest_category):
    await sign_in(client, "prof@example.org")
    page = await client.get("/me")
    assert f'name="pref_{digest_category}"' in page.text and "checked" in page.text
    saved = await form_post(
        client,
        "/me",
        "/me",
        {"display_name": "Jana Beispiel", "organisation": "Bäckerei Korn", "language": "en"},
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/me"
    assert "agora_lang=en" in saved.headers["set-cookie"]
    person = await Participant.get(email="prof@example.org")
    assert (person.display_name, person.organisation, person.language) == (
        "Jana Beispiel",
        "Bäckerei Korn",
        "en",
    )
    # The unchecked box switched the category off.
    assert (await api.get_preferences("prof@example.org"))[digest_category] is False
    shown = await client.get("/me")
    assert "Jana Beispiel" in shown.text

    bad = await form_post(client, "/me", "/me", {"display_name": "  ", "organisation": "x", "language": "fr"})
    assert bad.status_code == 400
    assert 'id="display_name-error"' in bad.text and 'id="language-error"' in bad.text
    assert 'aria-invalid="true"' in bad.text
    person = await Participant.get(email="prof@example.org")
    assert (person.display_name, person.organisation, person.language) == (
        "Jana Beispiel",
        "Bäckerei Korn",
        "en",
    )

    again = await form_post(
        client,
        "/me",
        "/me",
        {"display_name": "Jana", "language": "de", f"pref_{digest_category}": "on", "pref_unknown": "on"},
    )
    assert again.status_code == 303
    prefs = await api.get_preferences("prof@example.org")
    assert prefs[digest_category] is True and "unknown" not in prefs


async def test_sign_out_ends_the_session(client):
    await sign_in(client, "out@example.org")
    token = csrf_from((await client.get("/me")).text)
    response = await client.post("/signout", data={"csrf_token": token})
    assert response.status_code == 303
    assert (await client.get("/me")).status_code == 303
    home = await client.get("/")
    assert 'href="/signin"' in home.text


async def test_my_data_lists_every_record_and_downloads_as_json(client, registries):
    await sign_in(client, "data@example.org")
    await form_post(client, "/me", "/me", {"display_name": "Data Person", "organisation": "", "language": "de"})
    page = await client.get("/me/data")
    assert page.status_code == 200
    assert "data@example.org" in page.text and "Data Person" in page.text
    assert services.CONSENT_VERSION in page.text
    assert "participant_signin" in page.text  # the mail sent
    assert "More trees on the market square" in page.text  # a domain's contribution
    download = await client.get("/me/data.json")
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.headers["content-type"].startswith("application/json")
    data = json.loads(download.content)
    assert data["profile"]["email"] == "data@example.org"
    assert data["profile"]["display_name"] == "Data Person"
    assert data["consents"][0]["version"] == services.CONSENT_VERSION
    assert data["consents"][0]["requested_at"] and data["consents"][0]["confirmed_at"]
    assert len(data["signin_links"]) == 1 and data["signin_links"][0]["used_at"]
    assert "token_hash" not in json.dumps(data["signin_links"])
    assert [m["kind"] for m in data["mails"]] == ["participant_signin"]
    assert "/signin/link/" not in download.text
    assert data["contributions"]["Comments"][0]["author"] == "data@example.org"
    person = await Participant.get(email="data@example.org")
    assert ("provider", person.id, "data@example.org") in registries


async def _rows_mentioning(text: str) -> list[str]:
    """Every row in every table whose values mention the text."""
    found = []
    for app in Tortoise.apps.values():
        for model in app.values():
            for row in await model.all().values():
                if text in json.dumps(row, default=str).lower():
                    found.append(f"{model.__name__}: {row}")
    return found


async def test_deleting_the_account_removes_every_trace_of_the_address(client, registries, digest_category):
    email = "gone@example.org"
    await sign_in(client, email)
    async with new_client(client._transport.app, ip="10.0.0.6") as other:
        await request_link(other, email)  # an unused link and a second mail
    await api.set_preferences(email, {digest_category: False})
    await OutboxMessage.filter(recipient=email).limit(1).update(status="sent")
    person = await Participant.get(email=email)
    assert await _rows_mentioning(email)

    page = await client.get("/me/delete")
    assert page.status_code == 200 and 'action="/me/delete"' in page.text
    response = await client.post("/me/delete", data={"csrf_token": csrf_from(page.text)})
    assert response.status_code == 200
    assert ("hook", person.id, email) in registries
    assert not await Participant.exists(id=person.id)
    assert not await SigninToken.exists(email=email)
    assert not await ConsentRecord.exists(participant_id=person.id)
    assert not await OutboxMessage.filter(recipient=email).exists()
    assert await _rows_mentioning(email) == []
    assert (await client.get("/me")).status_code == 303


async def test_a_deleted_participant_is_signed_out_in_other_browsers(client):
    app = client._transport.app
    await sign_in(client, "twice@example.org")
    async with new_client(app, ip="10.0.0.7") as other:
        await request_link(other, "twice@example.org")
        page = await other.get(await last_link("twice@example.org"))
        await other.post(await last_link("twice@example.org"), data={"csrf_token": csrf_from(page.text)})
        assert (await other.get("/me")).status_code == 200
        token = csrf_from((await client.get("/me/delete")).text)
        await client.post("/me/delete", data={"csrf_token": token})
        gone = await other.get("/me")
        assert gone.status_code == 303 and gone.headers["location"] == "/signin"
        assert (await other.get("/me")).headers["location"].startswith("/signin?next=")


async def test_sign_in_mail_renders_the_link_in_both_parts(client):
    from notifications import compose

    await request_link(client, "mail@example.org")
    row = await OutboxMessage.get(recipient="mail@example.org")
    settings = client._transport.app.state.settings
    subject, text, html = compose.render_parts(row, settings)
    link = row.context["link"]
    assert link.startswith("http://testserver/signin/link/")
    assert subject and link in text and f'href="{link}"' in html
    assert "30" in text
    message = compose.build(row, settings)
    assert message["List-Unsubscribe"] is None  # transactional


async def test_retention_purge_removes_old_link_metadata(client):
    from datetime import timedelta

    import time_machine

    await request_link(client, "old@example.org")
    with time_machine.travel(timedelta(days=30), tick=True):
        async with new_client(client._transport.app) as later:
            await request_link(later, "recent@example.org")
    settings = client._transport.app.state.settings
    with time_machine.travel(timedelta(days=31, minutes=10), tick=True):
        removed = await services.purge(settings)
    assert removed == 1  # the old request's link metadata, with the address it was sent to
    assert not await SigninToken.exists(email="old@example.org")
    assert await SigninToken.exists(email="recent@example.org")
