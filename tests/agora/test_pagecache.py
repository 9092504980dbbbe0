"""Anonymous readers: no session row and a form token bound to a cookie; public pages cached with exact
invalidation (database triggers), ETag and 304; signed-in pages uncached."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from agora import pagecache
from agora.accounts.models import WebSession
from agora.app import create_app
from agora.pages.models import BarrierReport
from agora.web import PUBLIC, page
from events import services
from events.models import Registration, Session
from tests.conftest import csrf_from, new_client
from tests.events.helpers import published_session, soon
from tests.participants.helpers import sign_in

FEEDBACK = {"description": "The contrast of the footer is too low", "page_url": "/"}


def _seats(html: str) -> str:
    start = html.index('id="seats"')
    return html[start : html.index("</dd>", start)]


async def test_anonymous_views_write_no_session_and_are_not_no_store(database, client) -> None:
    session = await published_session()
    for _ in range(5):
        response = await client.get(f"/termine/{session.id}")
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("cache-control", "")
    assert await WebSession.all().count() == 0
    # One form cookie, set on the first view and kept: its token is in the form.
    assert list(client.cookies.keys()) == ["agora_form"]
    assert response.headers["cache-control"] == "private, no-cache"
    overview = await client.get("/termine")
    assert overview.headers["cache-control"] == "no-cache" and "set-cookie" not in overview.headers


async def test_anonymous_form_token_is_accepted_with_its_cookie_only(database, app) -> None:
    async with new_client(app) as first, new_client(app) as second, new_client(app) as third:
        token = csrf_from((await first.get("/barrierefreiheit")).text)
        await second.get("/barrierefreiheit")  # a form cookie of its own
        # Replayed with another browser's cookie, or with none: refused, nothing stored.
        assert (
            await second.post("/barrierefreiheit/feedback", data={**FEEDBACK, "csrf_token": token})
        ).status_code == 403
        assert (
            await third.post("/barrierefreiheit/feedback", data={**FEEDBACK, "csrf_token": token})
        ).status_code == 403
        third.cookies.set("agora_form", "made-up")
        assert (
            await third.post("/barrierefreiheit/feedback", data={**FEEDBACK, "csrf_token": token})
        ).status_code == 403
        assert await BarrierReport.all().count() == 0
        assert await WebSession.all().count() == 0
        assert (
            await first.post("/barrierefreiheit/feedback", data={**FEEDBACK, "csrf_token": token})
        ).status_code == 200
    assert await BarrierReport.all().count() == 1


async def test_staff_forms_keep_the_session_token(database, app) -> None:
    async with new_client(app) as browser:
        anonymous = csrf_from((await browser.get("/barrierefreiheit")).text)
        login_page = await browser.get("/staff/login")
        assert csrf_from(login_page.text) != anonymous
        data = {"email": "nobody@example.org", "password": "x" * 20, "csrf_token": anonymous}
        # The form cookie's token does not open staff forms.
        assert (await browser.post("/staff/login", data=data)).status_code == 403


async def test_signed_in_participant_needs_the_session_token(database, app) -> None:
    async with new_client(app) as browser:
        anonymous = csrf_from((await browser.get("/barrierefreiheit")).text)
        await sign_in(browser, "p@example.org")
        assert (await WebSession.get()).data.get("participant_id")
        data = {**FEEDBACK, "csrf_token": anonymous}
        assert (await browser.post("/barrierefreiheit/feedback", data=data)).status_code == 403
        session_token = csrf_from((await browser.get("/barrierefreiheit")).text)
        assert session_token != anonymous
        data["csrf_token"] = session_token
        assert (await browser.post("/barrierefreiheit/feedback", data=data)).status_code == 200


async def test_a_registration_shows_at_once_on_every_cached_page(database, app, client) -> None:
    session = await published_session(capacity=3)
    before = await client.get(f"/termine/{session.id}")
    assert (await client.get(f"/termine/{session.id}")).headers["etag"] == before.headers["etag"]
    response = await client.post(
        f"/termine/{session.id}/anmeldung",
        data={
            "name": "Erika Muster",
            "email": "erika@example.com",
            "organisation": "Muster GmbH",
            "consent": "on",
            "csrf_token": csrf_from(before.text),
        },
    )
    assert response.status_code == 200
    assert await Registration.all().count() == 1
    after = await client.get(f"/termine/{session.id}")
    assert _seats(after.text) != _seats(before.text) and "2" in _seats(after.text)
    # Another web process knows only the database: a change made there directly reaches its cache too.
    async with new_client(create_app(database, manage_db=False)) as other:
        assert "2" in _seats((await other.get(f"/termine/{session.id}")).text)
        await Session.filter(id=session.id).update(seats_taken=3)
        full = (await other.get(f"/termine/{session.id}")).text
    assert "2" not in _seats(full)
    assert _seats((await client.get(f"/termine/{session.id}")).text) == _seats(full)


async def test_conditional_get_answers_304_until_something_changes(database, client) -> None:
    series = await services.create_series(title="Wirtschaft trifft Verwaltung")
    session = await published_session(series_id=series.id)
    for path in ("/", "/termine", f"/termine/{session.id}", f"/reihen/{series.id}", "/termine.ics",
                 f"/termine/{session.id}/kalender.ics", f"/reihen/{series.id}/kalender.ics"):  # fmt: skip
        first = await client.get(path)
        etag = first.headers["etag"]
        again = await client.get(path, headers={"if-none-match": etag})
        assert again.status_code == 304 and again.content == b"", path
        assert (await client.get(path, headers={"if-none-match": '"other"'})).status_code == 200
    assert (await client.get("/termine", headers={"if-none-match": "*"})).status_code == 304
    tags = {path: (await client.get(path)).headers["etag"] for path in ("/", "/termine", f"/termine/{session.id}")}
    await services.update_session(database, session.id, title="Neuer Titel")
    for path, etag in tags.items():
        changed = await client.get(path, headers={"if-none-match": etag})
        assert changed.status_code == 200 and "Neuer Titel" in changed.text, path


async def test_pages_change_with_the_clock(database, client) -> None:
    # A margin of seconds: on a loaded machine creating the session and the first view can take more than one.
    session = await published_session(registration_closes_at=soon(0) + timedelta(seconds=4))
    assert 'name="email"' in (await client.get(f"/termine/{session.id}")).text
    await asyncio.sleep(4.2)
    assert 'name="email"' not in (await client.get(f"/termine/{session.id}")).text


async def test_signed_in_and_personal_pages_are_not_cached(database, app) -> None:
    session = await published_session()
    async with new_client(app) as browser:
        await sign_in(browser, "p@example.org")
        response = await browser.get(f"/termine/{session.id}")
        assert "etag" not in response.headers and 'value="p@example.org"' in response.text
        assert "etag" not in (await browser.get(f"/termine/{session.id}?invitation=x")).headers
    async with new_client(app) as anonymous:
        assert "etag" not in (await anonymous.get(f"/termine/{session.id}?invitation=x")).headers
        missing = await anonymous.get("/termine/999999")
        assert missing.status_code == 404 and "etag" not in missing.headers


async def test_a_page_that_is_not_kept_still_gets_its_marks_filled(database) -> None:
    async def endpoint(request: Request) -> Response:
        state = request.scope["state"]
        body = f'<p nonce="{state["csp_nonce"]}">{pagecache.CSRF_MARK}</p>'
        return HTMLResponse(body, status_code=202, headers={"x-kept": "yes"})

    app = create_app(database, manage_db=False)
    app.router.routes.insert(0, page("/probe", endpoint, access=PUBLIC, cached=True))
    async with new_client(app) as browser:
        response = await browser.get("/probe")
    assert response.status_code == 202 and response.headers["x-kept"] == "yes"
    assert pagecache.CSRF_MARK not in response.text and pagecache.NONCE_MARK not in response.text
    assert int(response.headers["content-length"]) == len(response.content)


def test_triggers_cover_every_change_on_postgres() -> None:
    statements = " ".join(pagecache.trigger_sql("postgres", "events_session"))
    assert "AFTER INSERT OR UPDATE OR DELETE ON events_session FOR EACH ROW" in statements
    assert "agora_contentversion" in statements
    assert pagecache.trigger_sql("sqlite", "events_session") == []


async def test_without_the_version_row_pages_are_rendered_every_time(database, client) -> None:
    """PostgreSQL's version is the row: without it nothing may be served from memory. SQLite's version is the
    connection's own change count, so there the page stays cached."""
    await pagecache.ContentVersion.all().delete()
    try:
        session = await published_session()
        response = await client.get(f"/termine/{session.id}")
        on_sqlite = database.database_url.startswith("sqlite")
        assert response.status_code == 200 and ("etag" in response.headers) == on_sqlite
    finally:
        # The database outlives the test (only rows are wiped between tests, and this table is kept): without the
        # row every later test would run with the cache off.
        await pagecache.ContentVersion.create(name=pagecache.CHANNEL, version=0)
