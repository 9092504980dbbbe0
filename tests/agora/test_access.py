"""Every route of the app declares who may use it, and the declaration holds.

The routes are collected from create_app() when the tests are collected, so a route added anywhere later
is checked here without anyone remembering to add it. A new PUBLIC route fails until it is added to
PUBLIC_PATHS below: making something public must be a conscious decision.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Host, Mount, Route

from agora.accounts.models import ROLES
from agora.app import create_app
from agora.settings import Settings
from agora.web import PUBLIC, Access, page, participant
from tests.conftest import csrf_from, login, make_user, new_client

# Every public path, by method. Adding one here is the review step for making a page public.
PUBLIC_PATHS: dict[str, set[str]] = {
    "/healthz": {"GET", "HEAD"},
    "/readyz": {"GET", "HEAD"},
    "/": {"GET", "HEAD"},
    "/language/{lang}": {"GET", "HEAD"},
    "/impressum": {"GET", "HEAD"},
    "/datenschutz": {"GET", "HEAD"},
    "/barrierefreiheit": {"GET", "HEAD"},
    "/leichte-sprache": {"GET", "HEAD"},
    "/gebaerdensprache": {"GET", "HEAD"},
    "/gebaerdensprache/{kind}": {"GET", "HEAD"},
    "/town-logo": {"GET", "HEAD"},
    "/barrierefreiheit/feedback": {"POST"},
    "/staff/login": {"GET", "HEAD", "POST"},
    "/staff/login/totp": {"GET", "HEAD", "POST"},
    "/staff/logout": {"POST"},
    "/static": {"GET", "HEAD"},
    # Participants sign in by a mailed link: GET shows a confirmation button, only POST uses the token.
    "/signin": {"GET", "HEAD", "POST"},
    "/signin/link/{token}": {"GET", "HEAD", "POST"},
    # Links in mails carry a signed token instead of a session; GET only shows the form (mail scanners open links).
    "/unsubscribe/{token}": {"GET", "HEAD", "POST"},
    "/mail/preferences/{token}": {"GET", "HEAD", "POST"},
    # The JSON API: public reads and registering, like the public pages (events.api).
    "/api/v1/openapi.json": {"GET", "HEAD"},
    "/api/v1/series": {"GET", "HEAD"},
    "/api/v1/sessions": {"GET", "HEAD"},
    "/api/v1/sessions/{session_id}": {"GET", "HEAD"},
    "/api/v1/sessions/{session_id}/registrations": {"POST"},
    "/api/v1/consultations": {"GET", "HEAD"},
    "/api/v1/consultations/{slug}": {"GET", "HEAD"},
    # Public events pages (events.routes): sessions, series, their calendar files, and registering.
    "/termine": {"GET", "HEAD"},
    "/termine.ics": {"GET", "HEAD"},
    "/termine/{id}": {"GET", "HEAD"},
    "/termine/{id}/kalender.ics": {"GET", "HEAD"},
    "/termine/{id}/anmeldung": {"POST"},
    "/reihen/{id}": {"GET", "HEAD"},
    "/reihen/{id}/kalender.ics": {"GET", "HEAD"},
    # A registration's mailed link: the secret token authorises; GET only shows (mail scanners open links).
    "/events/registrations/{token}": {"GET", "HEAD", "POST"},
    "/events/registrations/{token}/confirm": {"GET", "HEAD", "POST"},
    "/events/registrations/{token}/cancel": {"POST"},
    "/events/registrations/{token}/calendar.ics": {"GET", "HEAD"},
    "/events/registrations/{token}/feed.ics": {"GET", "HEAD"},
    # An invitation's mailed decline link: the secret token authorises; GET shows the button, POST declines.
    "/events/invitations/{token}/decline": {"GET", "HEAD", "POST"},
    # Public consultation pages (participation.routes). Contributing is open to anyone: without a sign-in the
    # contribution waits until the address is confirmed by the mailed link.
    "/beteiligung": {"GET", "HEAD"},
    "/beteiligung/{slug}": {"GET", "HEAD"},
    "/beteiligung/{slug}/beitrag": {"POST"},
    "/beteiligung/{slug}/ergebnis": {"GET", "HEAD"},
    "/beteiligung/{slug}/abwaegungstabelle": {"GET", "HEAD"},
    "/beteiligung/{slug}/abwaegungstabelle.{fmt}": {"GET", "HEAD"},
    "/beteiligung/{slug}/anlagen/{attachment_id}": {"GET", "HEAD"},
    # Answering a survey (surveys.routes): anyone with the link, or the holder of a personal token in the form.
    "/surveys/{survey_id}": {"GET", "HEAD", "POST"},
    "/surveys/{survey_id}/thanks": {"GET", "HEAD"},
    "/api/v1/surveys/{survey_id}": {"GET", "HEAD"},
    "/api/v1/surveys/{survey_id}/responses": {"POST"},
}

# State-changing routes without the CSRF check. Each needs a reason that holds up in review.
CSRF_EXEMPT: dict[tuple[str, str], str] = {
    (
        "/unsubscribe/{token}",
        "POST",
    ): "RFC 8058 one-click unsubscribe from the mail client: the signed token authorises",
    # The session middleware skips /api/ entirely: no cookie is read, so a cross-site request borrows no sign-in.
    (
        "/api/v1/sessions/{session_id}/registrations",
        "POST",
    ): "JSON API without cookies, the same as the public form",
    ("/api/v1/staff/sessions", "POST"): "JSON API: a bearer token in the Authorization header authorises",
    (
        "/api/v1/staff/sessions/{session_id}",
        "PATCH",
    ): "JSON API: a bearer token in the Authorization header authorises",
    ("/api/v1/surveys/{survey_id}/responses", "POST"): "JSON API without cookies, the same as the survey's form",
}

SIGN_IN = {"staff": "/staff/login", "participant": "/signin"}
SAFE = {"GET", "HEAD"}


def csrf_checked(path: str, method: str) -> bool:
    return all(getattr(r, "csrf", False) for r in _ROUTES_BY_KEY.get((path, method), [None]))


def walk(
    routes: list[BaseRoute], prefix: str = "", inherited: Access | None = None
) -> Iterator[tuple[str, str, Access | None]]:
    """(path, method, access) for every endpoint, descending into mounts and hosts."""
    for route in routes:
        access = getattr(route, "access", None) or inherited
        if isinstance(route, Mount):
            children = route.routes
            if children:
                yield from walk(children, prefix + route.path, access)
            else:  # a mounted ASGI app (static files): the mount itself is the endpoint
                for method in ("GET", "HEAD"):
                    yield prefix + route.path, method, access
        elif isinstance(route, Host):
            yield from walk(route.routes, prefix, access)
        elif isinstance(route, Route):
            for method in sorted(route.methods or {"GET"}):
                _ROUTES_BY_KEY.setdefault((prefix + route.path, method), []).append(route)
                yield prefix + route.path, method, access
        else:
            yield prefix + getattr(route, "path", repr(route)), "WEBSOCKET", access


_ROUTES_BY_KEY: dict[tuple[str, str], list[BaseRoute]] = {}


def _app_routes() -> list[tuple[str, str, Access | None]]:
    settings = Settings(data_dir=Path("/nonexistent"), database_url="sqlite://:memory:", secret_key="k" * 40)
    return list(walk(create_app(settings, manage_db=False).routes))


ALL = _app_routes()
GUARDED = [(p, m, a) for p, m, a in ALL if a is not None and a.kind != "public"]
UNSAFE = [(p, m, a) for p, m, a in ALL if m not in SAFE and a is not None]
ROLE_GUARDED = [(p, m, a) for p, m, a in GUARDED if a.kind == "staff" and a.roles and set(ROLES) - a.roles]


def _id(item: tuple[str, str, Any]) -> str:
    return f"{item[1]} {item[0]}"


def fill(path: str) -> str:
    """Plausible values for path parameters."""
    return re.sub(r"\{[^}]+\}", "1", path)


def test_the_walk_finds_the_known_routes():
    found = {(p, m) for p, m, _ in ALL}
    assert ("/staff/users/{user_id}", "POST") in found
    assert ("/static", "GET") in found
    assert len(GUARDED) >= 15


@pytest.mark.parametrize("item", ALL, ids=[_id(i) for i in ALL])
def test_every_route_declares_access(item):
    path, method, access = item
    assert isinstance(access, Access), f"{method} {path} has no access declaration: declare it with agora.web.page()"
    assert access.kind in ("public", "staff", "participant", "api_token")
    if access.kind == "api_token":
        assert access.scopes, f"{method} {path} accepts an API token without naming the scopes it needs"


@pytest.mark.parametrize("item", [i for i in ALL if i[2] == PUBLIC], ids=[_id(i) for i in ALL if i[2] == PUBLIC])
def test_public_routes_are_on_the_allow_list(item):
    path, method, _access = item
    assert method in PUBLIC_PATHS.get(path, set()), f"{method} {path} is public but not in PUBLIC_PATHS"


def test_allow_list_has_no_stale_entries():
    public = {(p, m) for p, m, a in ALL if a == PUBLIC}
    stale = [(p, m) for p, methods in PUBLIC_PATHS.items() for m in methods if (p, m) not in public]
    assert not stale, f"PUBLIC_PATHS names routes that are not public (or gone): {stale}"


@pytest.mark.parametrize("item", GUARDED, ids=[_id(i) for i in GUARDED])
async def test_anonymous_is_refused(client, item):
    path, method, access = item
    url = fill(path)
    if access.kind == "api_token":
        # No cookie counts here, not even a signed-in staff session: only a bearer token.
        response = await client.request(method, url, headers={"content-type": "application/json"}, content=b"{}")
        assert response.status_code == 401, response.status_code
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert method == "HEAD" or set(response.json()) == {"error"}
        return
    if method in SAFE:
        response = await client.request(method, url)
        assert response.status_code in (302, 303, 307), response.status_code
        assert response.headers["location"].startswith(SIGN_IN[access.kind] + "?next=")
        assert response.content == b"", "a refused request must not carry the page's content"
    else:
        # A CSRF-valid request from a session that is not signed in: only the access rule can refuse it.
        token = csrf_from((await client.get("/staff/login")).text)
        response = await client.request(method, url, data={"csrf_token": token})
        assert response.status_code in (401, 403), response.status_code


@pytest.mark.parametrize("item", ROLE_GUARDED, ids=[_id(i) for i in ROLE_GUARDED])
async def test_staff_without_the_role_is_refused(app, item):
    path, method, access = item
    other_roles = sorted(set(ROLES) - access.roles)
    secret = pyotp.random_base32()
    email = f"{'-'.join(other_roles)}@example.org"
    await make_user(email, other_roles, totp_secret=secret)
    async with new_client(app) as c:
        assert (await login(c, email, totp_secret=secret)).status_code == 303
        token = csrf_from((await c.get("/staff/account")).text)
        data = {"csrf_token": token} if method not in SAFE else None
        response = await c.request(method, fill(path), data=data)
        assert response.status_code == 403, f"{method} {path} answered {response.status_code} to roles {other_roles}"


async def test_admin_without_second_factor_reaches_only_the_setup_page(app):
    await make_user("fresh-admin@example.org", ["admin"])
    async with new_client(app) as c:
        response = await login(c, "fresh-admin@example.org")
        assert response.status_code == 303
        for path, method, access in GUARDED:
            if access.kind != "staff" or method != "GET":
                continue
            answer = await c.get(fill(path))
            if path == "/staff/account/totp":
                assert answer.status_code == 200
                assert "<svg" in answer.text
            else:
                assert answer.status_code == 303, path
                assert answer.headers["location"] == "/staff/account/totp", path
        token = csrf_from((await c.get("/staff/account/totp")).text)
        created = await c.post(
            "/staff/users/new",
            data={
                "csrf_token": token,
                "email": "x@example.org",
                "display_name": "X",
                "password": "a long enough passphrase",
            },
        )
        assert created.status_code == 303 and created.headers["location"] == "/staff/account/totp"
    from agora.accounts.models import User

    assert not await User.filter(email="x@example.org").exists()


async def test_participant_only_route_refuses_anonymous_and_staff(database):
    async def secret_page(request: Request) -> Response:
        return PlainTextResponse("participant content")

    app = create_app(database, manage_db=False)
    app.router.routes.append(page("/probe/participant", secret_page, access=participant()))
    app.router.routes.append(page("/probe/participant", secret_page, access=participant(), methods=["POST"]))
    async with new_client(app) as anonymous:
        response = await anonymous.get("/probe/participant")
        assert response.status_code == 303
        assert response.headers["location"].startswith("/signin?next=")
        assert b"participant content" not in response.content
        token = csrf_from((await anonymous.get("/staff/login")).text)
        posted = await anonymous.post("/probe/participant", data={"csrf_token": token})
        assert posted.status_code in (401, 403)
    # A staff sign-in is not a participant sign-in.
    async with new_client(app) as c:
        await make_user("probe@example.org", ["moderator"])
        assert (await login(c, "probe@example.org")).status_code == 303
        response = await c.get("/probe/participant")
        assert b"participant content" not in response.content


@pytest.mark.parametrize("item", UNSAFE, ids=[_id(i) for i in UNSAFE])
def test_every_state_changing_route_checks_csrf(item):
    path, method, _access = item
    if (path, method) in CSRF_EXEMPT:
        assert not csrf_checked(path, method), f"{method} {path} checks CSRF now: drop it from CSRF_EXEMPT"
        return
    assert csrf_checked(path, method), f"{method} {path} is state-changing but skips the CSRF check"


def test_csrf_exemptions_exist():
    unsafe = {(p, m) for p, m, _ in UNSAFE}
    assert set(CSRF_EXEMPT) <= unsafe


CHECKED_LIVE = [i for i in UNSAFE if i[2].kind in ("public", "staff") and (i[0], i[1]) not in CSRF_EXEMPT]


@pytest.mark.parametrize("item", CHECKED_LIVE, ids=[_id(i) for i in CHECKED_LIVE])
async def test_state_changing_route_refuses_a_request_without_token(app, item):
    """Signed in with every role, so only the missing token can be the reason for the refusal."""
    path, method, _access = item
    secret = pyotp.random_base32()
    await make_user("all-roles@example.org", list(ROLES), totp_secret=secret)
    async with new_client(app) as c:
        assert (await login(c, "all-roles@example.org", totp_secret=secret)).status_code == 303
        response = await c.request(method, fill(path), data={"anything": "1"})
        assert response.status_code == 403, f"{method} {path} answered {response.status_code} without a token"
        assert (await c.get("/staff")).status_code == 200  # and the session is untouched


PUBLIC_GET = [i for i in ALL if i[2] == PUBLIC and i[1] == "GET" and "{" in i[0]]


@pytest.mark.parametrize("item", PUBLIC_GET, ids=[_id(i) for i in PUBLIC_GET])
@pytest.mark.parametrize("value", ["1", "abc", "99999999999999999999999", "%00", "-1", "x" * 300])
async def test_odd_path_values_never_give_a_500(client, item, value):
    path, _method, _access = item
    response = await client.get(re.sub(r"\{[^}]+\}", value, path))
    assert response.status_code < 500, f"GET {path} with {value[:20]!r} answered {response.status_code}"
