"""Bad input never reaches the database or a 500.

Every route of the app (found the way tests/agora/test_access.py finds them) gets the classes of bad input a
careless or hostile client sends: Unicode digits in ids and numbers, control characters in text, lone surrogates,
NaN and infinities, overlong values (10,000 characters and exactly one more than the column holds), deep JSON,
wrong JSON types, broken multipart bodies and bad query parameters. Each request is sent as the role allowed to
use the route, with a valid CSRF token and otherwise valid fields, so that the bad value is what the handler sees.

Asserted: no answer is a 5xx (nor an exception); the database is unchanged (row counts and a checksum of every
column, see bad_input.EXCLUDED_TABLES for what a refusal may write); and afterwards every page, export and API read
that answered 200 before still answers 200.

Each test collects every problem and fails once with the whole list, grouped by route.
"""

from __future__ import annotations

import itertools
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.agora import bad_input as bi

pytestmark = pytest.mark.timeout(1200)

# A sign-in's return address is not stored as given: an unusable one is replaced by the start page, and the
# request is otherwise valid, so it may go ahead (a 5xx still counts).
CHANGE_ALLOWED_FIELDS = {"next"}
# Routes that end what the actor is signed in with; run last so the others still run signed in.
LAST = ("logout", "signout", "/delete", "/revoke", "/end", "/disable", "/cancel", "/complete", "/decline")


@dataclass
class Problem:
    route: str
    field: str
    payload: str
    outcome: str

    def line(self) -> str:
        return f"{self.route} | {self.field} | {self.payload} | {self.outcome}"


@dataclass
class Walk:
    app: Any
    settings: Any
    ids: dict[str, int] = field(default_factory=dict)
    actors: dict[str, bi.Actor] = field(default_factory=dict)
    site: bi.Site = field(default_factory=bi.Site)
    openapi: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    sent: int = 0

    async def start(self) -> None:
        self.ids = await bi.seed(self.settings)
        self.actors = await bi.actors(self.app)
        from agora.accounts.models import User

        colleague = await User.get(email="kollegin@example.org")
        prefer = {
            "session_id": str(self.ids["workshop"]),
            "id": str(self.ids["workshop"]),
            "series_id": str(self.ids["series"]),
            "survey_id": str(self.ids["survey"]),
            "user_id": str(colleague.id),
        }
        self.site = await bi.crawl(self.actors, prefer)
        answer = await self.actors["public"].client.get("/api/v1/openapi.json")
        assert answer.status_code == 200
        self.openapi = answer.json()
        await self._add_reads()

    async def _add_reads(self) -> None:
        """The reads of the touched sessions that must still answer afterwards: staff pages, exports, the API."""
        staff = self.actors["staff"].client
        for session in (self.ids["breakfast"], self.ids["workshop"]):
            base = f"/staff/events/sessions/{session}"
            urls = [base, base + "/edit", base + "/agenda", base + "/registrations", base + "/checkin"]
            urls += [base + "/attendees", base + "/checkin/counts"]
            urls += [
                f"{base}/export/{kind}.{fmt}"
                for kind in ("attendees", "waitlist", "answers")
                for fmt in ("csv", "xlsx")
            ]
            for url in urls:
                assert (await staff.get(url)).status_code == 200, url
                self.site.fine.append(("staff", url))
            for url in (f"/api/v1/sessions/{session}", "/api/v1/sessions", "/api/v1/series"):
                self.site.fine.append(("public", url))
            self.site.fine.append(("api_token", f"/api/v1/staff/sessions/{session}/registrations?page=1&per_page=25"))
        self.site.fine = list(dict.fromkeys(self.site.fine))

    # --- sending and recording ---------------------------------------------------------------------------------

    async def send(
        self,
        actor: bi.Actor,
        method: str,
        url: str,
        *,
        data: Any = None,
        content: bytes | None = None,
        content_type: str | None = None,
        files: Any = None,
    ) -> tuple[int | None, str]:
        headers = dict(actor.headers)
        if content_type:
            headers["content-type"] = content_type
        if actor.kind == "api_token" or url.startswith("/api/"):
            headers.setdefault("accept", "application/json")
        self.sent += 1
        try:
            response = await actor.client.request(method, url, data=data, content=content, files=files, headers=headers)
        except Exception as exc:  # noqa: BLE001 - the app raised instead of answering: that is the finding
            return None, f"exception {type(exc).__name__}: {str(exc)[:160]}"
        outcome = str(response.status_code)
        if response.status_code >= 500:
            outcome += " " + response.text[:160].replace("\n", " ")
        return response.status_code, outcome

    def failed(self, status: int | None) -> bool:
        return status is None or status >= 500

    async def batch(
        self,
        route: bi.RouteKey,
        field_name: str,
        requests: list[tuple[str, dict[str, Any]]],
        actor: bi.Actor,
        method: str,
        url_of: Any = None,
    ) -> None:
        """Send a batch of bad requests for one route and field; then compare the database."""
        before = await bi.snapshot()
        went_through: list[str] = []
        for payload, kwargs in requests:
            url = kwargs.pop("url")
            status, outcome = await self.send(actor, method, url, **kwargs)
            if self.failed(status):
                self.problems.append(Problem(str(route), field_name, payload, outcome))
            elif status is not None and status < 400:
                went_through.append(f"{payload}→{status}")
            if os.environ.get("AGORA_BAD_INPUT_TRACE"):
                print("TRACE", route, field_name, payload, outcome[:100])
        after = await bi.snapshot()
        changed = bi.changed_tables(before, after)
        if changed and field_name not in CHANGE_ALLOWED_FIELDS:
            self.problems.append(
                Problem(
                    str(route),
                    field_name,
                    "(batch)",
                    "data changed: " + ", ".join(changed) + "; answered <400: " + (", ".join(went_through) or "none"),
                )
            )

    async def finish(self, name: str) -> None:
        """Every read that answered 200 before still does; then fail with the list of problems."""
        for actor in self.actors.values():
            await actor.ensure()
        for kind, url in self.site.fine:
            actor = self.actors[kind]
            status, outcome = await self.send(actor, "GET", url)
            if status != 200:
                self.problems.append(Problem(f"GET {url}", "-", "afterwards", outcome))
        report = os.environ.get("AGORA_BAD_INPUT_REPORT")
        if report:
            lines_out = "".join(
                json.dumps({"test": name, **p.__dict__}, ensure_ascii=False) + "\n" for p in self.problems
            )
            with Path(report).open("a", encoding="utf-8") as out:  # noqa: ASYNC230 - a short local write
                out.write(lines_out)
        lines = sorted({p.line() for p in self.problems})
        assert not lines, f"{len(lines)} problems in {self.sent} requests:\n" + "\n".join(lines)


@pytest.fixture
async def walk(app, database) -> Walk:  # noqa: ANN001
    w = Walk(app, database)
    await w.start()
    yield w
    for actor in w.actors.values():
        await actor.client.aclose()


def order(routes: list[bi.RouteKey]) -> list[bi.RouteKey]:
    return sorted(routes, key=lambda r: (any(word in r.path for word in LAST), r.path, r.method))


def form_for(walk: Walk, route: bi.RouteKey) -> bi.Form | None:
    forms = walk.site.forms.get(route)
    return forms[0] if forms else None


def post_data(walk: Walk, route: bi.RouteKey, actor: bi.Actor) -> dict[str, Any]:
    form = form_for(walk, route)
    data = bi.base_data(form) if form else {}
    data["csrf_token"] = actor.csrf
    return data


def api_operation(walk: Walk, route: bi.RouteKey) -> dict[str, Any] | None:
    paths = walk.openapi.get("paths", {})
    return paths.get(route.path.removeprefix("/api/v1"), paths.get(route.path, {})).get(route.method.lower())


def api_body(walk: Walk, route: bi.RouteKey) -> dict[str, Any]:
    operation = api_operation(walk, route) or {}
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if not schema:
        return {}
    body = bi.example(schema, walk.openapi)
    return body if isinstance(body, dict) else {}


def body_schema(walk: Walk, route: bi.RouteKey) -> dict[str, Any]:
    operation = api_operation(walk, route) or {}
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    return bi.resolve(schema, walk.openapi) if schema else {}


def example_url(walk: Walk, route: bi.RouteKey) -> str:
    found = walk.site.example(route)
    if found:
        return found
    values = {
        "session_id": walk.ids["workshop"],
        "id": walk.ids["workshop"],
        "series_id": walk.ids["series"],
        "survey_id": walk.ids["survey"],
    }
    url = route.path
    for name in route.params:
        url = url.replace("{" + name + "}", str(values.get(name, 1)))
    return url


TESTED = [r for r in bi.ROUTES if r.path != "/static"]
_ADDRESSES = itertools.count(1)


def fresh(body: dict[str, Any]) -> dict[str, Any]:
    """Each registration with an address of its own, so no answer is about an address registered before."""
    if "email" not in body:
        return body
    return {**body, "email": f"api-person-{next(_ADDRESSES)}@example.org"}


async def test_bad_path_values_answer_4xx_and_change_nothing(walk: Walk) -> None:
    for route in order([r for r in TESTED if r.params]):
        actor = walk.actors[route.kind]
        await actor.ensure()
        url = example_url(walk, route)
        for param in route.params:
            requests = []
            for payload, value in bi.PATH_VALUES.items():
                kwargs: dict[str, Any] = {"url": bi.substitute(route, url, param, value)}
                if route.path.startswith("/api/") and route.method != "GET":
                    kwargs |= {"content": bi.dumps(api_body(walk, route)), "content_type": "application/json"}
                elif route.method == "POST":
                    kwargs["data"] = post_data(walk, route, actor)
                requests.append((payload, kwargs))
            await walk.batch(route, "{" + param + "}", requests, actor, route.method)
    await walk.finish("path")


async def test_bad_query_parameters_answer_4xx_and_change_nothing(walk: Walk) -> None:
    for route in [r for r in TESTED if r.method == "GET"]:
        actor = walk.actors[route.kind]
        await actor.ensure()
        url = example_url(walk, route)
        requests = [(name, {"url": url + "?" + urlencode(params)}) for name, params in bi.QUERY_VALUES.items()]
        await walk.batch(route, "query", requests, actor, "GET")
        # The fields of the filter forms on the page (GET forms) and the API's declared query parameters.
        names: set[str] = set()
        for form in walk.site.forms.get(route, []):
            if form.method == "GET":
                names |= {f.name for f in form.fields}
        for parameter in (api_operation(walk, route) or {}).get("parameters", []):
            parameter = bi.resolve(parameter, walk.openapi)
            if parameter.get("in") == "query":
                names.add(parameter["name"])
        for name in sorted(names):
            payloads = {**bi.number_payloads(), **bi.control_values("a")}
            requests = [(p, {"url": url + "?" + urlencode({name: v})}) for p, v in payloads.items()]
            await walk.batch(route, f"?{name}", requests, actor, "GET")
    await walk.finish("query")


async def test_bad_form_fields_are_refused_and_change_nothing(walk: Walk) -> None:
    lengths = bi.column_lengths()
    posts = [r for r in TESTED if r.method == "POST" and not r.path.startswith("/api/")]
    for route in order(posts):
        form = form_for(walk, route)
        if form is None:
            continue
        actor = walk.actors[route.kind]
        for f in form.fields:
            if f.name == "csrf_token":
                continue
            await actor.ensure()
            base = post_data(walk, route, actor)
            requests: list[tuple[str, dict[str, Any]]] = []
            if f.kind == "file":
                csv = {
                    "NUL and control characters": "company,email\nA\x00B,a\x0b@example.org\n",
                    "overlong": "company,email\n" + bi.OVERLONG + ",x@example.org\n",
                }
                for payload, text in csv.items():
                    requests.append(
                        (payload, {"url": form.action, "data": base, "files": {f.name: ("k.csv", text.encode())}})
                    )
                requests.append(
                    ("invalid UTF-8", {"url": form.action, "data": base, "files": {f.name: ("k.csv", b"\xff\xfe\x00")}})
                )
            else:
                for payload, value in bi.field_payloads(f, bi.known_max_length(f, lengths)).items():
                    data = {**base, f.name: value}
                    kwargs: dict[str, Any] = {"url": form.action, "data": data}
                    if "multipart" in form.enctype:
                        kwargs["files"] = {"_": ("", b"")}
                    requests.append((payload, kwargs))
            await walk.batch(route, f.name, requests, actor, "POST")
    await walk.finish("form")


async def test_broken_bodies_are_refused_and_change_nothing(walk: Walk) -> None:
    for route in order([r for r in TESTED if r.method not in ("GET",)]):
        actor = walk.actors[route.kind]
        await actor.ensure()
        url = example_url(walk, route)
        bodies = dict(bi.BROKEN_MULTIPART)
        if route.path.startswith("/api/"):
            bodies |= bi.WHOLE_BODIES
        requests = [
            (name, {"url": url, "content": body, "content_type": ctype}) for name, (ctype, body) in bodies.items()
        ]
        await walk.batch(route, "body", requests, actor, route.method)
    await walk.finish("body")


async def test_bad_json_values_are_refused_and_change_nothing(walk: Walk) -> None:
    from events.models import Question, Track

    lengths = bi.column_lengths()
    api_routes = [r for r in TESTED if r.path.startswith("/api/") and r.method in ("POST", "PATCH", "PUT")]
    assert api_routes, "the API has no writing endpoints any more?"
    for route in api_routes:
        actor = walk.actors[route.kind]
        url = example_url(walk, route)
        schema = body_schema(walk, route)
        assert schema.get("properties"), f"{route}: the OpenAPI document declares no body"
        base = bi.example(schema, walk.openapi)
        if "registrations" in route.path:
            # A fresh, valid registration apart from the one bad value (consent and the like from the schema).
            base |= {"name": "Api Person", "email": "api-probe@example.org", "consent": True}
            track = await Track.filter(session_id=int(url.split("/")[4])).order_by("id").first()
            if track is not None and "track_id" in schema["properties"]:
                base["track_id"] = track.id
        elif "title" in schema["properties"] and not base.get("title"):
            base["title"] = "Probe"  # a session without a series needs its own title
        probe = await walk.actors[route.kind].client.request(
            route.method, url, content=bi.dumps(base), headers={**actor.headers, "content-type": "application/json"}
        )
        if probe.status_code >= 400:
            walk.problems.append(
                Problem(str(route), "-", "valid body", f"refused: {probe.status_code} {probe.text[:200]}")
            )
        if "email" in base:  # a new address: a second registration of one address is answered like a first
            base["email"] = "api-person@example.org"
        for prop, prop_schema in schema["properties"].items():
            valid = base.get(prop, bi.example(prop_schema, walk.openapi, prop))
            found = lengths.get(prop, set())
            column = min(found) if found else None
            requests = []
            for payload, value in bi.value_payloads(
                prop_schema, walk.openapi, valid, column, prop in schema.get("required", [])
            ).items():
                requests.append(
                    (
                        payload,
                        {
                            "url": url,
                            "content": bi.dumps({**fresh(base), prop: value}),
                            "content_type": "application/json",
                        },
                    )
                )
            await walk.batch(route, prop, requests, actor, route.method)
        if "registrations" in route.path:
            session_id = int(url.split("/")[4])
            questions = await Question.filter(session_id=session_id)
            for question in questions:
                kind_schema = {"type": "number"} if question.kind == "number" else {"type": "string"}
                if question.kind == "checkboxes":
                    kind_schema = {"type": "array", "items": {"type": "string"}}
                requests = []
                for payload, value in bi.value_payloads(kind_schema, walk.openapi, "x", None, required=False).items():
                    body = {**fresh(base), "answers": {str(question.id): value}}
                    requests.append(
                        (payload, {"url": url, "content": bi.dumps(body), "content_type": "application/json"})
                    )
                await walk.batch(route, f"answers.{question.id} ({question.kind})", requests, actor, route.method)
    await walk.finish("json")
