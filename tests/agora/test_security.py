"""CSRF refusals, no state change on GET, security headers on every response, size limits, error pages."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from agora.accounts.models import User, WebSession
from agora.app import create_app
from agora.pages.models import BarrierReport
from agora.security import is_same_site_url
from agora.web import PUBLIC, page, staff
from tests.conftest import csrf_from, login, make_user, new_client, replace_settings

FEEDBACK = {"description": "The contrast of the footer is too low", "page_url": "/"}


async def _token(client: httpx.AsyncClient) -> str:
    return csrf_from((await client.get("/barrierefreiheit")).text)


# --- CSRF -----------------------------------------------------------------------------------------


async def test_feedback_with_a_valid_token_is_accepted(client):
    response = await client.post("/barrierefreiheit/feedback", data={**FEEDBACK, "csrf_token": await _token(client)})
    assert response.status_code == 200 and 'id="feedback-status"' in response.text
    assert await BarrierReport.all().count() == 1


@pytest.mark.parametrize(
    ("case", "headers"),
    [
        ("no token", {}),
        ("wrong token", {}),
        ("foreign origin", {"origin": "https://evil.example"}),
        ("opaque origin", {"origin": "null"}),
        ("cross-site fetch", {"sec-fetch-site": "cross-site"}),
        ("same-site fetch", {"sec-fetch-site": "same-site"}),
    ],
)
async def test_csrf_refusals_change_nothing(client, case, headers):
    token = await _token(client)
    data = dict(FEEDBACK)
    if case == "wrong token":
        data["csrf_token"] = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif case != "no token":
        data["csrf_token"] = token
    response = await client.post("/barrierefreiheit/feedback", data=data, headers=headers)
    assert response.status_code == 403
    assert "csrf_token" in response.text or "<h1>" in response.text
    assert await BarrierReport.all().count() == 0


async def test_token_of_another_session_is_refused(app):
    async with new_client(app) as first, new_client(app) as second:
        foreign = await _token(first)
        await _token(second)  # the second browser has a session of its own
        response = await second.post("/barrierefreiheit/feedback", data={**FEEDBACK, "csrf_token": foreign})
        assert response.status_code == 403
        # Without any session at all the token proves nothing either.
        async with new_client(app) as third:
            response = await third.post("/barrierefreiheit/feedback", data={**FEEDBACK, "csrf_token": foreign})
            assert response.status_code == 403
    assert await BarrierReport.all().count() == 0


async def test_same_origin_headers_are_accepted(client):
    headers = {"origin": "http://testserver", "sec-fetch-site": "same-origin"}
    response = await client.post(
        "/barrierefreiheit/feedback", data={**FEEDBACK, "csrf_token": await _token(client)}, headers=headers
    )
    assert response.status_code == 200 and 'id="feedback-status"' in response.text


async def test_token_in_header_works_for_scripts(client):
    token = await _token(client)
    response = await client.post("/barrierefreiheit/feedback", data=FEEDBACK, headers={"x-csrf-token": token})
    assert response.status_code == 200 and 'id="feedback-status"' in response.text


async def test_staff_action_without_token_changes_nothing(admin_client):
    target = await make_user("target@example.org", ["moderator"])
    response = await admin_client.post(
        f"/staff/users/{target.id}",
        data={"display_name": "Renamed", "roles": ["moderator"], "is_active": "on"},
    )
    assert response.status_code == 403
    assert (await User.get(id=target.id)).display_name == "Test Person"


async def test_login_form_needs_the_token(client):
    await make_user("a@example.org")
    response = await client.post("/staff/login", data={"email": "a@example.org", "password": "x" * 20})
    assert response.status_code == 403
    assert await WebSession.filter(user_id__isnull=False).count() == 0


async def test_pages_without_forms_create_no_session(client):
    response = await client.get("/impressum")
    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    assert await WebSession.all().count() == 0
    login_page = await client.get("/staff/login")
    assert "agora_session=" in login_page.headers["set-cookie"]
    assert await WebSession.all().count() == 1
    token = csrf_from(login_page.text)
    assert (await WebSession.get()).csrf_token == token


# --- GET never changes state ----------------------------------------------------------------------


async def test_get_logout_does_not_log_out(staff_client):
    response = await staff_client.get("/staff/logout")
    assert response.status_code == 405
    assert (await staff_client.get("/staff")).status_code == 200


async def test_get_on_state_changing_urls_changes_nothing(staff_client):
    sessions = await WebSession.all().count()
    for url in (
        "/staff/account/sessions/end-others",
        "/staff/account/password",
        "/barrierefreiheit/feedback",
    ):
        response = await staff_client.get(url)
        assert response.status_code in (404, 405), url
    assert await WebSession.all().count() == sessions
    assert await BarrierReport.all().count() == 0
    assert (await staff_client.get("/staff")).status_code == 200


async def test_logout_by_post_ends_the_session(staff_client):
    token = csrf_from((await staff_client.get("/staff")).text)
    response = await staff_client.post("/staff/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert (await staff_client.get("/staff")).status_code == 303
    assert await WebSession.filter(user_id__isnull=False).count() == 0


# --- headers --------------------------------------------------------------------------------------


def assert_baseline_headers(response: httpx.Response, https: bool = False) -> None:
    csp = response.headers.get("content-security-policy", "")
    for part in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "'nonce-"):
        assert part in csp, (response.request.url, part)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"]
    assert "camera=()" in response.headers["permissions-policy"]
    assert ("strict-transport-security" in response.headers) is https


async def test_headers_on_every_kind_of_response(client):
    await make_user("a@example.org")
    responses = [
        await client.get("/"),
        await client.get("/staff"),  # redirect
        await client.get("/no/such/page"),  # 404
        await client.get("/static/css/agora.css"),  # static file
        await client.post("/staff/login", data={}),  # 403 refusal
        await client.post("/barrierefreiheit/feedback", content=b"x" * 3_000_000),  # 413
        await client.get("/healthz"),
    ]
    assert [r.status_code for r in responses] == [200, 303, 404, 200, 403, 413, 200]
    for response in responses:
        assert_baseline_headers(response)


async def test_nonce_is_fresh_per_request_and_used_by_the_page(client):
    first = (await client.get("/")).headers["content-security-policy"]
    second = (await client.get("/")).headers["content-security-policy"]
    assert first != second


@pytest.fixture
async def https_client(database) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(replace_settings(database, base_url="https://agora.example"), manage_db=False)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="https://agora.example") as c:
        yield c


async def test_hsts_only_on_https(client, https_client):
    assert "strict-transport-security" not in (await client.get("/")).headers
    response = await https_client.get("/")
    assert_baseline_headers(response, https=True)
    assert "max-age=" in response.headers["strict-transport-security"]


async def test_private_responses_are_not_cached(staff_client, client):
    for url in ("/staff", "/staff/account", "/"):
        assert staff_client is not None
        response = await staff_client.get(url)
        assert response.headers["cache-control"] == "no-store", url
    login_page = await client.get("/staff/login")
    assert login_page.headers["cache-control"] == "no-store"
    anonymous_redirect = await client.get("/staff/users")
    assert anonymous_redirect.headers["cache-control"] == "no-store"


# --- size limits ----------------------------------------------------------------------------------


async def test_too_large_by_content_length(client):
    token = await _token(client)
    response = await client.post(
        "/barrierefreiheit/feedback", data={**FEEDBACK, "description": "x" * 3_000_000, "csrf_token": token}
    )
    assert response.status_code == 413
    assert await BarrierReport.all().count() == 0


async def test_too_large_when_chunked_without_length(database):
    async def swallow(request: Request) -> Response:
        body = await request.body()
        return PlainTextResponse(str(len(body)))

    app = create_app(database, manage_db=False)
    app.router.routes.append(page("/probe/upload", swallow, access=PUBLIC, methods=["POST"], csrf=False))

    async def chunks(count: int) -> AsyncIterator[bytes]:
        for _ in range(count):
            yield b"y" * 100_000

    async with new_client(app) as c:
        small = await c.post("/probe/upload", content=chunks(3))
        assert small.status_code == 200 and small.text == "300000"
        response = await c.post("/probe/upload", content=chunks(40))
        assert "content-length" not in response.request.headers
        assert response.status_code == 413
        assert_baseline_headers(response)


async def test_huge_chunked_form_is_refused_without_a_500(client):
    token = await _token(client)

    async def chunks() -> AsyncIterator[bytes]:
        yield f"csrf_token={token}&description=".encode()
        for _ in range(40):
            yield b"y" * 100_000

    response = await client.post(
        "/barrierefreiheit/feedback",
        content=chunks(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code in (400, 413)
    assert await BarrierReport.all().count() == 0


# --- error pages ----------------------------------------------------------------------------------


async def test_an_exception_gives_the_plain_500_page(database):
    async def explode(request: Request) -> Response:
        raise RuntimeError("secret internals: password=hunter2")

    app = create_app(database, manage_db=False)
    app.router.routes.append(page("/probe/explode", explode, access=PUBLIC))
    app.router.routes.append(page("/probe/staff-explode", explode, access=staff()))
    await make_user("a@example.org")
    async with new_client(app) as c:
        response = await c.get("/probe/explode")
        assert response.status_code == 500
        assert (
            "hunter2" not in response.text and "Traceback" not in response.text and "RuntimeError" not in response.text
        )
        assert "/impressum" in response.text  # the normal layout, with the legal links
        assert_baseline_headers(response)
        assert (await login(c, "a@example.org")).status_code == 303
        response = await c.get("/probe/staff-explode")
        assert response.status_code == 500
        assert "hunter2" not in response.text
        assert response.headers["cache-control"] == "no-store"


async def test_404_page_uses_the_layout(client):
    response = await client.get("/does-not-exist")
    assert response.status_code == 404
    assert "/barrierefreiheit" in response.text and "<main" in response.text


# --- redirects ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "/\t/evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/\\/evil.example",
        "\\\\evil.example",
        "",
    ],
)
def test_foreign_redirect_targets_are_refused(target):
    assert not is_same_site_url(target)


@pytest.mark.parametrize("target", ["/", "/staff/users", "/barrierefreiheit?from=%2F#feedback"])
def test_own_redirect_targets_are_accepted(target):
    assert is_same_site_url(target)


async def test_login_next_cannot_leave_the_site(client):
    await make_user("a@example.org")
    page_html = (await client.get("/staff/login?next=/%5Cevil.example")).text
    assert 'name="next" value="/staff"' in page_html
    token = csrf_from(page_html)
    response = await client.post(
        "/staff/login",
        data={
            "email": "a@example.org",
            "password": "correct horse battery staple",
            "next": "/\\evil.example",
            "csrf_token": token,
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/staff"


async def test_language_switch_cannot_leave_the_site(client):
    response = await client.get("/language/en?next=//evil.example")
    assert response.headers["location"] == "/"
    response = await client.get("/language/en?next=/impressum")
    assert response.headers["location"] == "/impressum"


# --- bad input never gives a 500 ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/staff/users/abc",
        "/staff/users/99999999999999999999999",
        "/staff/users/-1",
        "/staff/users/0",
        "/staff/pages/nope/xx",
        "/staff/users/%00",
    ],
)
async def test_odd_ids_give_404(admin_client, url):
    response = await admin_client.get(url)
    assert response.status_code == 404


async def test_odd_ids_on_post_give_404(admin_client, staff_client):
    token = csrf_from((await admin_client.get("/staff/users")).text)
    for url in ("/staff/users/abc", "/staff/users/99999999999999999999"):
        response = await admin_client.post(url, data={"csrf_token": token, "display_name": "x"})
        assert response.status_code == 404, url
    token = csrf_from((await staff_client.get("/staff/account")).text)
    for url in (
        "/staff/barrier-reports/x/answer",
        "/staff/barrier-reports/123456789012345/answer",
        "/staff/account/sessions/abc/end",
        "/staff/account/sessions/99999999999999999/end",
    ):
        response = await staff_client.post(url, data={"csrf_token": token})
        assert response.status_code == 404, url


async def test_malformed_multipart_is_a_400(client):
    await _token(client)
    body = b'--boundary\r\nContent-Disposition: form-data; name="description"\r\n\r\nabc'  # never closed
    response = await client.post(
        "/barrierefreiheit/feedback",
        content=body,
        headers={"content-type": "multipart/form-data; boundary=boundary"},
    )
    assert response.status_code in (400, 403)
    response = await client.post(
        "/barrierefreiheit/feedback", content=b"garbage", headers={"content-type": "multipart/form-data"}
    )
    assert response.status_code in (400, 403)
    assert await BarrierReport.all().count() == 0


async def test_unexpected_file_upload_is_not_a_500(client):
    token = await _token(client)
    response = await client.post(
        "/barrierefreiheit/feedback",
        data={**FEEDBACK, "csrf_token": token},
        files={"attachment": ("x.txt", b"hello", "text/plain")},
    )
    assert response.status_code in (200, 400)


async def test_oversized_fields_are_cut_or_refused_not_a_500(client):
    token = await _token(client)
    response = await client.post(
        "/barrierefreiheit/feedback",
        data={
            "description": "d" * 200_000,
            "name": "n" * 10_000,
            "email": "e" * 1000 + "@x.de",
            "csrf_token": token,
        },
    )
    assert response.status_code in (200, 400)


async def test_garbage_session_cookie_is_ignored(app):
    async with new_client(app) as c:
        assert (await c.get("/", headers={"cookie": b"agora_session=\xff\xfe;;="})).status_code == 200
        assert (await c.get("/staff", headers={"cookie": "agora_session=" + "x" * 5000})).status_code == 303
