"""A consultation's public pages are cached for anonymous readers: a contribution, a support, a moderation
decision, a published response and the clock must all show at once to a reader who already holds the page."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from agora.accounts.models import WebSession
from participation.models import HIDDEN, Contribution
from participation.services import moderation, weighing
from tests.conftest import form_post, new_client
from tests.participants.helpers import sign_in
from tests.participation.helpers import ago, open_consultation

URL = "/beteiligung/digitalstrategie"


async def _held(client, url: str) -> tuple[str, str]:
    """Read the page as an anonymous reader; it must come from the cache the second time (304)."""
    first = await client.get(url)
    assert first.status_code == 200 and "etag" in first.headers
    tag = first.headers["etag"]
    assert (await client.get(url, headers={"If-None-Match": tag})).status_code == 304
    return tag, first.text


async def _fresh(client, url: str, tag: str) -> str:
    again = await client.get(url, headers={"If-None-Match": tag})
    assert again.status_code == 200, "the cached page did not change"
    return again.text


async def test_contributions_supports_and_moderation_reach_a_reader_holding_the_page(app, client) -> None:
    await open_consultation()
    tag, text = await _held(client, URL)
    assert "Radwege zuerst" not in text

    async with new_client(app, ip="10.0.0.2") as author, new_client(app, ip="10.0.0.3") as supporter:
        await sign_in(author, "author@example.org")
        assert (await form_post(author, URL, URL + "/beitrag", {"body": "Radwege zuerst"})).status_code == 303
        text = await _fresh(client, URL, tag)
        assert "Radwege zuerst" in text
        tag, _ = await _held(client, URL)

        contribution = await Contribution.get(body="Radwege zuerst")
        await sign_in(supporter, "supporter@example.org")
        item = f"{URL}/beitraege/{contribution.id}/unterstuetzen"
        assert (await form_post(supporter, URL, item, {})).status_code == 303
        assert "1 Person unterstützt das" in await _fresh(client, URL, tag)
        tag, _ = await _held(client, URL)

    await moderation.moderate("moderator@example.org", [contribution.id], "hide", "Beleidigung")
    assert (await Contribution.get(id=contribution.id)).status == HIDDEN
    sessions = await WebSession.all().count()
    assert "Beleidigung" in await _fresh(client, URL, tag)
    await _held(client, URL)
    # Reading, from the cache or not, writes no server-side session.
    assert await WebSession.all().count() == sessions


async def test_a_published_response_reaches_the_cached_result_page(app, client) -> None:
    consultation = await open_consultation(opens_at=ago(9), closes_at=ago(5), result_published_at=ago(1))
    async with new_client(app, ip="10.0.0.2") as author:
        await sign_in(author, "author@example.org")
        await consultation.__class__.filter(id=consultation.id).update(closes_at=ago(-1), result_published_at=None)
        assert (await form_post(author, URL, URL + "/beitrag", {"body": "Mehr Bänke"})).status_code == 303
    await consultation.__class__.filter(id=consultation.id).update(closes_at=ago(5), result_published_at=ago(1))
    contribution = await Contribution.get(body="Mehr Bänke")

    result_tag, result = await _held(client, URL + "/ergebnis")
    table_tag, table = await _held(client, URL + "/abwaegungstabelle")
    assert "Bänke werden aufgestellt" not in result + table

    await weighing.respond(
        "staff@example.org",
        consultation.id,
        contribution.id,
        vote="accepted",
        text="Bänke werden aufgestellt.",
        office="Grünflächenamt",
        note="",
    )
    await weighing.release("admin@example.org", consultation.id, [contribution.id])
    fresh = await consultation.__class__.get(id=consultation.id)
    await weighing.publish("admin@example.org", fresh)
    assert "Bänke werden aufgestellt" in await _fresh(client, URL + "/abwaegungstabelle", table_tag)
    assert "Bänke werden aufgestellt" in await _fresh(client, URL + "/ergebnis", result_tag)


async def test_the_form_goes_when_the_consultation_closes_by_the_clock(client) -> None:
    # A margin of seconds, so that a loaded machine still makes the first view before the closing.
    closes = datetime.now(UTC) + timedelta(seconds=4)
    await open_consultation(closes_at=closes)
    tag, text = await _held(client, URL)
    assert 'action="/beteiligung/digitalstrategie/beitrag"' in text
    await asyncio.sleep((closes - datetime.now(UTC)).total_seconds() + 0.2)
    assert 'action="/beteiligung/digitalstrategie/beitrag"' not in await _fresh(client, URL, tag)


async def test_the_list_shows_a_consultation_published_by_the_clock(client) -> None:
    published = datetime.now(UTC) + timedelta(seconds=4)
    await open_consultation(published_at=published)
    tag, text = await _held(client, "/beteiligung")
    assert URL not in text
    await asyncio.sleep((published - datetime.now(UTC)).total_seconds() + 0.2)
    assert URL in await _fresh(client, "/beteiligung", tag)
