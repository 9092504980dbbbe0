"""Every route that takes an id answers 404 to anything that is not one: never a 500, as staff or as a visitor.

The routes are walked like tests/agora/test_access.py walks them, so a route added later is checked too. An id is
ASCII digits from 1 to 2**31-1; Unicode digits ("²", "٣") pass str.isdigit() but not int() on every database.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp

from agora.accounts import tokens
from agora.accounts.models import ROLES
from agora.web import MAX_ID, parse_id
from tests.agora.test_access import ALL, SAFE
from tests.conftest import csrf_from, login, make_user, new_client

NOT_IDS = ["²", "٣", "1e3", "-1", "0", "99999999999", str(MAX_ID + 1), "1.0", " 1", "0x1"]
# Plausible values for the other parameters, so that the id is what the route has to refuse.
OTHER = {"action": "approve", "kind": "attendees", "fmt": "csv", "slug": "impressum", "lang": "de", "token": "x"}
PARAM = re.compile(r"\{([^}:]+)(?::[^}]*)?\}")


def _is_id(name: str) -> bool:
    return name == "id" or name.endswith("_id")


ID_ROUTES = [(p, m, a) for p, m, a in ALL if any(_is_id(n) for n in PARAM.findall(p))]


def _urls(path: str) -> list[tuple[str, str]]:
    """(bad value, url) with the bad value in each id parameter in turn, the others filled with existing rows."""
    names = [n for n in PARAM.findall(path) if _is_id(n)]
    result = []
    for target in names:
        for value in NOT_IDS:

            def fill(match: re.Match[str], target: str = target, value: str = value) -> str:
                name = match.group(1)
                return value if name == target else ("1" if _is_id(name) else OTHER.get(name, "x"))

            result.append((value, PARAM.sub(fill, path)))
    return result


def test_parse_id_accepts_only_ascii_digits_in_range() -> None:
    assert [parse_id(v) for v in ("1", "42", str(MAX_ID))] == [1, 42, MAX_ID]
    assert all(parse_id(v) is None for v in [*NOT_IDS, "", None, 7, "١٢"])


def test_the_walk_finds_the_id_routes() -> None:
    found = {(p, m) for p, m, _ in ID_ROUTES}
    for route in (
        ("/termine/{id}", "GET"),
        ("/api/v1/sessions/{session_id}", "GET"),
        ("/staff/users/{user_id}", "POST"),
        ("/staff/events/sessions/{session_id}/registrations/{registration_id}/{action}", "POST"),
        ("/staff/mail/{row_id}", "GET"),
        ("/api/v1/staff/sessions/{session_id}", "PATCH"),
    ):
        assert route in found, route
    assert len(ID_ROUTES) >= 60


async def _one_of_each() -> None:
    """Row 1 of every table an id route reads, so that only the bad value can be the reason for a 404."""
    from events import services
    from tests.events.helpers import CONSENT

    starts = datetime.now(UTC) + timedelta(days=30)
    series = await services.create_series(title="Reihe", rrule="DTSTART:20300105T080000\nRRULE:FREQ=MONTHLY")
    session = await services.create_session(
        title="Termin", series_id=series.id, starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=5
    )
    await services.publish_session(session.id)
    track = await services.add_track(session.id, title="Track", capacity=5)
    await services.add_agenda_item(session.id, starts_at=starts, ends_at=starts + timedelta(minutes=30), title="A")
    await services.add_question(label="Frage", kind="text", session_id=session.id)
    await services.add_question(label="Frage", kind="text", series_id=series.id)
    from agora.settings import Settings

    await services.register(
        Settings(secret_key="k" * 40), session.id, name="P", email="p@example.com", track_id=track.id, **CONSENT
    )


async def test_every_id_route_answers_404_to_what_is_not_an_id(app) -> None:
    secret = pyotp.random_base32()
    user = await make_user("everything@example.org", list(ROLES), totp_secret=secret)
    _, bearer = await tokens.create_token(
        name="All", scopes=list(tokens.SCOPES), created_by_id=user.id, expires_in_days=1
    )
    await _one_of_each()
    wrong: list[str] = []
    async with new_client(app) as staff, new_client(app, ip="127.0.0.2") as visitor:
        assert (await login(staff, "everything@example.org", totp_secret=secret)).status_code == 303
        staff_token = csrf_from((await staff.get("/staff/account")).text)
        visitor_token = csrf_from((await visitor.get("/staff/login")).text)
        for path, method, access in ID_ROUTES:
            assert access is not None
            for value, url in _urls(path):
                for who, client, token in (("staff", staff, staff_token), ("visitor", visitor, visitor_token)):
                    headers = {"Accept-Language": "de"}
                    body: dict = {}
                    if access.kind == "api_token":
                        if who == "staff":
                            headers["Authorization"] = f"Bearer {bearer}"
                        body = {"json": {"title": "x"}} if method not in SAFE else {}
                    elif method not in SAFE:
                        body = {"data": {"csrf_token": token}}
                    response = await client.request(method, url, headers=headers, **body)
                    status = response.status_code
                    # Participant pages refuse staff before reading the path; they are walked as visitors.
                    reaches = access.kind == "public" or (who == "staff" and access.kind != "participant")
                    if status >= 500 or (reaches and status != 404):
                        wrong.append(f"{who} {method} {path} with {value!r}: {status}")
                    elif reaches and method != "HEAD" and path.startswith("/api/"):
                        if set(response.json()) != {"error"}:
                            wrong.append(f"{who} {method} {path} with {value!r}: not the JSON 404 body")
                    elif reaches and method != "HEAD" and 'lang="de"' not in response.text:
                        wrong.append(f"{who} {method} {path} with {value!r}: not the 404 page")
    assert not wrong, "\n".join(wrong)
