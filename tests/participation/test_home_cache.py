"""The home page is cached for anonymous readers; open consultations and surveys on it must show at once, whether
they change through a write (triggers on PostgreSQL, any write on SQLite) or by the clock alone."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from agora.accounts.models import WebSession
from surveys.models import Survey
from tests.participation.helpers import ago, open_consultation
from tests.surveys.helpers import published_template


async def test_a_new_open_consultation_shows_on_the_cached_home_page(database, client) -> None:
    first = await client.get("/")
    assert first.status_code == 200 and "Digitalstrategie" not in first.text
    assert (await client.get("/", headers={"If-None-Match": first.headers["etag"]})).status_code == 304
    await open_consultation()
    again = await client.get("/", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 200 and "/beteiligung/digitalstrategie" in again.text


async def test_a_consultation_that_opens_by_the_clock_appears_without_a_write(database, client) -> None:
    # A margin of seconds, so that a loaded machine still makes the first view before the opening.
    opens = datetime.now(UTC) + timedelta(seconds=4)
    await open_consultation(published_at=ago(1), opens_at=opens)
    assert "/beteiligung/digitalstrategie" not in (await client.get("/")).text
    await asyncio.sleep((opens - datetime.now(UTC)).total_seconds() + 0.2)
    assert "/beteiligung/digitalstrategie" in (await client.get("/")).text


async def test_a_published_survey_shows_and_a_closed_one_leaves(database, client) -> None:
    survey = await published_template()
    await Survey.filter(id=survey.id).update(published=False)
    assert f"/surveys/{survey.id}" not in (await client.get("/")).text
    await Survey.filter(id=survey.id).update(published=True)
    assert f"/surveys/{survey.id}" in (await client.get("/")).text
    await Survey.filter(id=survey.id).update(closes_at=datetime.now(UTC) - timedelta(minutes=1))
    assert f"/surveys/{survey.id}" not in (await client.get("/")).text


async def test_anonymous_readers_of_a_consultation_and_a_survey_leave_no_session(database, client) -> None:
    survey = await published_template()
    await open_consultation()
    for url in ("/beteiligung/digitalstrategie", f"/surveys/{survey.id}", "/beteiligung"):
        for _ in range(3):
            assert (await client.get(url)).status_code == 200
    assert await WebSession.all().count() == 0
