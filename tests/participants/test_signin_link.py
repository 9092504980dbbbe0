"""The sign-in link: single use, expiring, signed, stored hashed, confirmed by a button and never by GET."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
import time_machine

from agora.accounts.participants import services, tokens
from agora.accounts.participants.models import ConsentRecord, Participant, SigninToken
from agora.accounts.participants.services import CONSENT_VERSION
from notifications.models import OutboxMessage
from tests.conftest import TEST_SECRET, csrf_from, form_post, new_client
from tests.participants.helpers import confirm, last_link, request_link, sign_in


async def test_home_page_offers_participant_sign_in(client):
    home = await client.get("/")
    assert 'href="/signin"' in home.text
    page = await client.get("/signin")
    assert page.status_code == 200
    assert 'name="email"' in page.text and 'name="consent"' in page.text


async def test_request_mails_a_signed_link_and_stores_only_its_hash(client):
    response = await request_link(client, "Anna@Example.org")
    assert response.status_code == 200
    assert "anna@example.org" in response.text.lower()
    row = await OutboxMessage.get(recipient="anna@example.org", kind="participant_signin")
    assert row.category is None  # transactional: always sent, never unsubscribed
    token = (await last_link("anna@example.org")).rsplit("/", 1)[1]
    random_part, _, signature = token.partition(".")
    assert len(random_part) >= 22 and signature  # at least 128 bits, then a signature
    stored = await SigninToken.get(email="anna@example.org")
    assert stored.token_hash == tokens.hash_random(random_part)
    assert random_part not in stored.token_hash and token not in stored.token_hash
    assert stored.expires_at - stored.created_at == timedelta(minutes=30)
    # The consent text is recorded exactly as the person read it: in German, the default language.
    assert stored.consent_version == CONSENT_VERSION and "E-Mail-Adresse" in stored.consent_text
    assert not await Participant.exists(email="anna@example.org")


async def test_answer_is_the_same_for_known_and_unknown_addresses(client):
    await sign_in(client, "known@example.org")
    async with new_client(client._transport.app, ip="10.0.0.2") as other:
        known = await request_link(other, "known@example.org")
        unknown = await request_link(other, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert _same_body(known, unknown)
    assert await OutboxMessage.filter(kind="participant_signin", recipient="nobody@example.org").count() == 1


def _same_body(a, b) -> bool:
    import re

    def strip(response, email):
        text = response.text.replace(email, "X")
        return re.sub(r'name="csrf_token" value="[^"]+"', "", text)

    return strip(a, "known@example.org") == strip(b, "nobody@example.org")


async def test_invalid_address_is_refused_and_nothing_is_sent(client):
    response = await request_link(client, "not-an-address")
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.text and 'id="email-error"' in response.text
    assert await OutboxMessage.all().count() == 0
    assert await SigninToken.all().count() == 0


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("de", "Bitte entfernen Sie die unsichtbaren Steuerzeichen aus diesem Text."),
        ("en", "Please remove the invisible control characters from this text."),
    ],
)
async def test_a_nul_or_control_character_in_the_address_is_a_field_error(client, language, message):
    """On PostgreSQL a NUL in the address used to reach the database and answer 500."""
    client.cookies.set("agora_lang", language)
    for address in ("a\x00@example.org", "a\x0b@example.org"):
        response = await request_link(client, address)
        assert response.status_code == 400
        assert 'id="email-error"' in response.text and message in response.text
    assert await OutboxMessage.all().count() == 0
    assert await SigninToken.all().count() == 0


async def test_opening_the_link_changes_nothing(client):
    await request_link(client, "scan@example.org")
    path = await last_link("scan@example.org")
    for _ in range(3):  # a mail scanner, then the person
        page = await client.get(path)
        assert page.status_code == 200
        assert 'method="post"' in page.text and "scan@example.org" in page.text
    token = await SigninToken.get(email="scan@example.org")
    assert token.used_at is None
    assert not await Participant.exists(email="scan@example.org")


async def test_confirming_creates_the_participant_records_opt_in_and_rotates_the_session(client):
    await request_link(client, "new@example.org")
    path = await last_link("new@example.org")
    page = await client.get(path)
    before = client.cookies.get("agora_session")
    response = await client.post(path, data={"csrf_token": csrf_from(page.text)})
    assert response.status_code == 303 and response.headers["location"].startswith("/me")
    assert client.cookies.get("agora_session") not in (None, before)
    person = await Participant.get(email="new@example.org")
    token = await SigninToken.get(email="new@example.org")
    assert token.used_at is not None
    consent = await ConsentRecord.get(participant_id=person.id)
    assert consent.consent_version == CONSENT_VERSION
    assert consent.consent_text == token.consent_text
    assert consent.requested_at == token.created_at
    assert consent.confirmed_at >= consent.requested_at
    me = await client.get("/me")
    assert me.status_code == 200 and "new@example.org" in me.text


async def test_link_works_only_once(client):
    await request_link(client, "once@example.org")
    path = await last_link("once@example.org")
    assert (await confirm(client, path)).status_code == 303
    async with new_client(client._transport.app, ip="10.0.0.3") as thief:
        page = await thief.get(path)
        assert page.status_code == 410
        # Even with a valid form token for the page, the spent link signs nobody in.
        token = csrf_from((await thief.get("/signin")).text)
        again = await thief.post(path, data={"csrf_token": token})
        assert again.status_code == 410
        assert (await thief.get("/me")).status_code == 303
    assert await Participant.filter(email="once@example.org").count() == 1


async def test_an_older_link_is_void_once_a_newer_one_was_used(client):
    await request_link(client, "two@example.org")
    first = await last_link("two@example.org")
    await request_link(client, "two@example.org")
    second = await last_link("two@example.org")
    assert first != second
    assert (await confirm(client, second)).status_code == 303
    assert (await client.get(first)).status_code == 410


async def test_forged_and_tampered_links_are_refused(client):
    await request_link(client, "forge@example.org")
    path = await last_link("forge@example.org")
    token = path.rsplit("/", 1)[1]
    random_part, signature = token.split(".")
    flipped = ("A" if random_part[0] != "A" else "B") + random_part[1:]
    signed_unknown, _ = tokens.new_token(TEST_SECRET)
    other_key, _ = tokens.new_token("another-secret-key-" + "y" * 40)
    for bad in (
        f"{flipped}.{signature}",  # tampered random part
        f"{random_part}.{signature[:-2]}xx",  # tampered signature
        random_part,  # no signature
        signed_unknown,  # correctly signed, never issued
        other_key,  # signed with a different key
        "a.b",
        "x" * 300,
    ):
        assert tokens.verified_hash(TEST_SECRET, bad) is None or bad == signed_unknown
        page = await client.get(f"/signin/link/{bad}")
        assert page.status_code == 404, bad
        csrf = csrf_from((await client.get("/signin")).text)
        posted = await client.post(f"/signin/link/{bad}", data={"csrf_token": csrf})
        assert posted.status_code == 404, bad
    assert not await Participant.exists(email="forge@example.org")
    assert (await SigninToken.get(email="forge@example.org")).used_at is None


async def test_expired_link_is_refused(client):
    await request_link(client, "late@example.org")
    path = await last_link("late@example.org")
    assert (await client.get(path)).status_code == 200
    with time_machine.travel(timedelta(minutes=31), tick=True):
        assert (await client.get(path)).status_code == 410
        # A fresh form token (the old session idled out too): only the link's age refuses the request.
        csrf = csrf_from((await client.get("/signin")).text)
        response = await client.post(path, data={"csrf_token": csrf})
        assert response.status_code == 410
        assert "expired" in response.text or "abgelaufen" in response.text
    assert not await Participant.exists(email="late@example.org")


async def test_link_still_works_just_before_expiry(client):
    await request_link(client, "intime@example.org")
    path = await last_link("intime@example.org")
    with time_machine.travel(timedelta(minutes=29), tick=True):
        assert (await confirm(client, path)).status_code == 303
    assert await Participant.exists(email="intime@example.org")


async def test_confirming_needs_the_form_token(client):
    await request_link(client, "csrf@example.org")
    path = await last_link("csrf@example.org")
    await client.get(path)
    response = await client.post(path, data={})
    assert response.status_code == 403
    assert (await SigninToken.get(email="csrf@example.org")).used_at is None


async def test_two_simultaneous_confirmations_sign_in_once(client):
    app = client._transport.app
    await request_link(client, "race@example.org")
    path = await last_link("race@example.org")
    async with new_client(app, ip="10.0.0.4") as a, new_client(app, ip="10.0.0.5") as b:
        token_a = csrf_from((await a.get(path)).text)
        token_b = csrf_from((await b.get(path)).text)
        results = await asyncio.gather(
            a.post(path, data={"csrf_token": token_a}), b.post(path, data={"csrf_token": token_b})
        )
        statuses = sorted(r.status_code for r in results)
        assert statuses == [303, 410]
        signed_in = [(await c.get("/me")).status_code for c in (a, b)]
        assert sorted(signed_in) == [200, 303]
    assert await Participant.filter(email="race@example.org").count() == 1
    assert await ConsentRecord.all().count() == 1


async def test_new_address_without_consent_is_asked_again_on_the_confirmation_page(client):
    await request_link(client, "later@example.org", consent=False)
    path = await last_link("later@example.org")
    page = await client.get(path)
    assert 'name="consent"' in page.text
    refused = await client.post(path, data={"csrf_token": csrf_from(page.text)})
    assert refused.status_code == 400 and 'id="consent-error"' in refused.text
    assert (await SigninToken.get(email="later@example.org")).used_at is None
    assert not await Participant.exists(email="later@example.org")
    accepted = await confirm(client, path, consent=True)
    assert accepted.status_code == 303
    person = await Participant.get(email="later@example.org")
    consent = await ConsentRecord.get(participant_id=person.id)
    assert consent.consent_version == CONSENT_VERSION and consent.consent_text


async def test_known_participant_needs_no_consent_and_is_sent_to_next(client):
    await sign_in(client, "back@example.org")
    await client.post("/signout", data={"csrf_token": csrf_from((await client.get("/me")).text)})
    await request_link(client, "back@example.org", consent=False, next_url="/impressum")
    path = await last_link("back@example.org")
    page = await client.get(path)
    assert 'name="consent"' not in page.text
    response = await confirm(client, path)
    assert response.status_code == 303 and response.headers["location"] == "/impressum"
    assert await ConsentRecord.all().count() == 1


async def test_foreign_next_targets_are_dropped(client):
    await sign_in(client, "site@example.org")
    await client.post("/signout", data={"csrf_token": csrf_from((await client.get("/me")).text)})
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        await request_link(client, "site@example.org", next_url=target)
        response = await confirm(client, await last_link("site@example.org"))
        assert response.status_code == 303 and response.headers["location"] == "/me", target
        await client.post("/signout", data={"csrf_token": csrf_from((await client.get("/me")).text)})


async def test_requests_are_limited_per_pair_and_per_ip(client):
    for _ in range(5):
        assert (await request_link(client, "many@example.org")).status_code == 200
    blocked = await request_link(client, "many@example.org")
    assert blocked.status_code == 429
    assert await OutboxMessage.filter(recipient="many@example.org").count() == 5
    # Whoever asked from elsewhere (the owner of the address) still gets a link; another address from here too.
    async with new_client(client._transport.app, ip="10.0.0.9") as owner:
        assert (await request_link(owner, "many@example.org")).status_code == 200
    assert (await request_link(client, "fresh@example.org")).status_code == 200
    for i in range(24):  # 5 + 1 + 24 = 30 requests that counted from 127.0.0.1
        assert (await request_link(client, f"p{i}@example.org")).status_code == 200
    assert (await request_link(client, "one-more@example.org")).status_code == 429
    assert not await OutboxMessage.filter(recipient="one-more@example.org").exists()
    with time_machine.travel(timedelta(hours=1, minutes=1), tick=True):
        assert (await request_link(client, "one-more@example.org")).status_code == 200


async def test_mail_is_written_in_the_readers_language(client):
    client.cookies.set("agora_lang", "en")
    await request_link(client, "english@example.org")
    row = await OutboxMessage.get(recipient="english@example.org")
    assert row.locale == "en"


async def test_a_new_participant_keeps_the_next_target_through_the_profile(client):
    await request_link(client, "onward@example.org", next_url="/impressum?x=1&y=2")
    response = await confirm(client, await last_link("onward@example.org"))
    assert response.status_code == 303
    assert response.headers["location"] == "/me?next=/impressum%3Fx%3D1%26y%3D2"
    profile = await client.get(response.headers["location"])
    assert 'name="next" value="/impressum?x=1&amp;y=2"' in profile.text
    saved = await form_post(
        client,
        "/me",
        "/me",
        {"display_name": "Onward", "language": "de", "next": "/impressum?x=1&y=2"},
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/impressum?x=1&y=2"


async def test_a_forged_link_is_refused_before_the_database_is_asked(client, monkeypatch):
    lookups: list[dict] = []
    original = SigninToken.get_or_none

    def spy(*args, **kwargs):
        lookups.append(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(SigninToken, "get_or_none", spy)
    forged = "A" * 32 + "." + "B" * 22
    assert (await client.get(f"/signin/link/{forged}")).status_code == 404
    assert lookups == []
    genuine, _ = tokens.new_token(TEST_SECRET)
    assert (await client.get(f"/signin/link/{genuine}")).status_code == 404
    assert len(lookups) == 1  # a well-signed token is looked up (and not found)


async def test_one_address_cannot_be_flooded_from_many_places(client):
    app = client._transport.app
    for n in range(services.MAX_REQUESTS_PER_ADDRESS):
        async with new_client(app, ip=f"10.0.1.{n}") as c:
            assert (await request_link(c, "target@example.org")).status_code == 200
    async with new_client(app, ip="10.0.2.1") as c:
        assert (await request_link(c, "target@example.org")).status_code == 429
    assert await OutboxMessage.filter(recipient="target@example.org").count() == services.MAX_REQUESTS_PER_ADDRESS
