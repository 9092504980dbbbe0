"""The parts of the bad-input walk: payload classes, demo-like data, signed-in clients, a crawl that finds every
form and link of the app, and a snapshot of the database to prove that refused input changed nothing.

Used by tests/agora/test_bad_input.py; kept apart so that the test reads as what it asserts.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from tortoise import Tortoise, connections

from agora.accounts import tokens
from agora.accounts.models import ROLES
from agora.settings import Settings
from events import demo, services
from events.contacts import ContactFilter
from events.invitations import send_invitations
from events.models import WORKSHOP, Series, Session
from tests.agora.test_access import ALL
from tests.conftest import csrf_from, login, make_user
from tests.events.helpers import register
from tests.participants.helpers import sign_in

# --- payload classes --------------------------------------------------------------------------------------------

OVERLONG = "x" * 10_000
UNICODE_DIGITS = {"unicode digit ²": "²", "arabic-indic digit ٣": "٣"}
NOT_FINITE = {"NaN": "NaN", "Infinity": "Infinity", "-inf": "-inf", "1e309": "1e309"}
BIG = {"huge integer": "99999999999999999999999"}
CONTROL = {"NUL": "\x00", "vertical tab": "\x0b", "escape": "\x1b"}


def control_values(valid: str) -> dict[str, str]:
    """The control characters inside an otherwise valid value, so only they can be the reason to refuse."""
    base = valid or "Text"
    if len(base) < 2:  # a trailing vertical tab would be whitespace that stripping rightly removes
        base = base * 2
    middle = max(1, len(base) // 2)
    if "@" in base:  # keep an address an address around the character
        middle = base.index("@")
    return {name: base[:middle] + char + base[middle:] for name, char in CONTROL.items()}


def text_payloads(valid: str, max_length: int | None) -> dict[str, str]:
    payloads = {**control_values(valid)}
    if not max_length or max_length < len(OVERLONG):  # a longer declared limit is probed by max_length+1
        payloads["overlong 10,000"] = OVERLONG
    if max_length:
        payloads[f"max_length+1 ({max_length + 1})"] = _overlong_for(valid, max_length + 1)
    return payloads


def _overlong_for(valid: str, length: int) -> str:
    if "@" in valid:
        local, domain = valid.split("@", 1)
        return "a" * max(1, length - len(domain) - 1) + "@" + domain
    return ("Langer Text " * (length // 12 + 1))[:length].rstrip() + "x" * (
        length - len(("Langer Text " * (length // 12 + 1))[:length].rstrip())
    )


def number_payloads() -> dict[str, str]:
    return {**UNICODE_DIGITS, **NOT_FINITE, **BIG, "NUL": "1\x00", "overlong 10,000": "1" * 10_000}


PATH_VALUES = {
    **UNICODE_DIGITS,
    "superscript number ¹²": "¹²",
    "1e309": "1e309",
    "NaN": "NaN",
    "negative": "-1",
    "huge integer": "99999999999999999999999",
    "NUL": "1\x00",
    "vertical tab": "1\x0b",
    "overlong 10,000": "1" * 10_000,
}

QUERY_VALUES = {
    "page=²": {"page": "²"},
    "page=٣": {"page": "٣"},
    "page=NaN": {"page": "NaN"},
    "page=huge": {"page": "99999999999999999999999"},
    "per_page=-1": {"per_page": "-1"},
    "per_page=1e309": {"per_page": "1e309"},
    "q=NUL": {"q": "\x00"},
    "q=escape": {"q": "a\x1bb"},
    "q=overlong": {"q": OVERLONG},
}

BROKEN_MULTIPART: dict[str, tuple[str, bytes]] = {
    "multipart, wrong boundary": (
        "multipart/form-data; boundary=expected",
        b'--other\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\nx\r\n--other--\r\n',
    ),
    "multipart, no boundary": ("multipart/form-data", b"--x\r\n\r\n"),
    "multipart, truncated": (
        "multipart/form-data; boundary=b",
        b'--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nabc',
    ),
    "multipart, header without name": (
        "multipart/form-data; boundary=b",
        b"--b\r\nContent-Disposition: form-data\r\n\r\nabc\r\n--b--\r\n",
    ),
    "urlencoded, invalid utf-8": ("application/x-www-form-urlencoded", b"name=%ff%fe&csrf_token=%ff"),
}

# --- database snapshot ------------------------------------------------------------------------------------------

# Tables a refused request may legitimately write, and why.
EXCLUDED_TABLES = {
    "accounts_websession": "every request may refresh or open a browser session (last_seen_at, a new CSRF token)",
    "agora_ratehit": "sign-ins, link requests and registrations are counted by the rate limit, refused or not",
}
# Columns that change without any input: delivery state of mails, last use of a token, the last sign-in.
EXCLUDED_COLUMNS = {
    "notifications_outbox": {
        "status",
        "attempts",
        "next_attempt_at",
        "claimed_at",
        "claim_token",
        "last_error",
        "message_id",
        "dispatched_at",
        "sent_at",
    },
    "accounts_apitoken": {"last_used_at"},
    "accounts_user": {"last_login_at", "totp_last_step"},
}


def tables() -> list[str]:
    names = {m._meta.db_table for app in Tortoise.apps.values() for m in app.values()}
    return sorted(names - set(EXCLUDED_TABLES))


async def snapshot() -> dict[str, tuple[int, str]]:
    """Row count and a checksum of every column (but the volatile ones) of every table."""
    conn = connections.get("default")
    result: dict[str, tuple[int, str]] = {}
    for table in tables():
        rows = await conn.execute_query_dict(f'SELECT * FROM "{table}"')  # noqa: S608 - names from the models
        skip = EXCLUDED_COLUMNS.get(table, set())
        lines = sorted(
            json.dumps({k: v for k, v in r.items() if k not in skip}, sort_keys=True, default=str) for r in rows
        )
        result[table] = (len(rows), hashlib.sha256("\n".join(lines).encode("utf-8", "surrogatepass")).hexdigest())
    return result


def changed_tables(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> list[str]:
    out = []
    for table in sorted(set(before) | set(after)):
        b, a = before.get(table, (0, "")), after.get(table, (0, ""))
        if b != a:
            out.append(f"{table} ({b[0]}→{a[0]} rows)" if b[0] != a[0] else f"{table} (values)")
    return out


# --- routes -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RouteKey:
    path: str
    method: str
    kind: str  # access kind: public, staff, participant, api_token

    @property
    def regex(self) -> re.Pattern[str]:
        pattern = re.sub(r"\\\{([^}]+)\\\}", r"(?P<\1>[^/]+?)", re.escape(self.path))
        if self.path == "/static":
            pattern += r"/.*"
        return re.compile("^" + pattern + "$")

    @property
    def params(self) -> list[str]:
        return re.findall(r"\{([^}]+)\}", self.path)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


ROUTES = [RouteKey(p, m, a.kind if a else "public") for p, m, a in ALL if m not in ("HEAD", "WEBSOCKET")]


def route_for(method: str, url: str) -> RouteKey | None:
    path = urlsplit(url).path
    candidates = [r for r in ROUTES if r.method == method and r.regex.match(path)]
    # The most specific route wins: fewer parameters first (/staff/users/new before /staff/users/{user_id}).
    candidates.sort(key=lambda r: (len(r.params), -len(r.path)))
    return candidates[0] if candidates else None


def substitute(route: RouteKey, url: str, param: str, value: str) -> str:
    """The concrete url with one path parameter replaced (percent-encoded by httpx)."""
    match = route.regex.match(urlsplit(url).path)
    assert match
    start, end = match.span(param)
    path = urlsplit(url).path
    from urllib.parse import quote

    return path[:start] + quote(value, safe="") + path[end:]


# --- HTML forms and links ---------------------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # text, textarea, email, number, select, checkbox, radio, date, datetime-local, hidden, password, file...
    value: str = ""
    options: list[str] = field(default_factory=list)
    max_length: int | None = None
    required: bool = False


@dataclass
class Form:
    page: str
    action: str
    method: str
    enctype: str
    fields: list[Field] = field(default_factory=list)

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


class PageParser(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._option: str | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        if tag == "a" and attrs.get("href"):
            self.links.append(urljoin(self.page, attrs["href"]))
        elif tag == "form":
            self._form = Form(
                page=self.page,
                action=urljoin(self.page, attrs.get("action") or self.page),
                method=(attrs.get("method") or "get").upper(),
                enctype=attrs.get("enctype", "application/x-www-form-urlencoded"),
            )
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag in ("input", "button") and attrs.get("name"):
            kind = attrs.get("type", "text" if tag == "input" else "submit").lower()
            if kind in ("submit", "button", "reset", "image"):
                return
            existing = self._form.field(attrs["name"])
            value = attrs.get("value", "on" if kind in ("checkbox", "radio") else "")
            if existing is not None and kind in ("checkbox", "radio"):
                existing.options.append(value)
                if "checked" in attrs and not existing.value:
                    existing.value = value
                return
            self._form.fields.append(
                Field(
                    attrs["name"],
                    kind,
                    value if kind not in ("checkbox", "radio") or "checked" in attrs else "",
                    options=[value] if kind in ("checkbox", "radio") else [],
                    max_length=int(attrs["maxlength"]) if attrs.get("maxlength", "").isdigit() else None,
                    required="required" in attrs,
                )
            )
        elif tag == "select" and attrs.get("name"):
            self._select = Field(attrs["name"], "select", required="required" in attrs)
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = attrs.get("value")
            if self._option is not None:
                self._select.options.append(self._option)
                if "selected" in attrs:
                    self._select.value = self._option
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = Field(
                attrs["name"],
                "textarea",
                max_length=int(attrs["maxlength"]) if attrs.get("maxlength", "").isdigit() else None,
                required="required" in attrs,
            )
            self._form.fields.append(self._textarea)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data
        elif self._select is not None and self._option is None and data.strip():
            pass

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            if self._select is not None and not self._select.value and self._select.options:
                self._select.value = next((o for o in self._select.options if o), self._select.options[0])
            self._select = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea":
            self._textarea = None


def parse_page(url: str, html: str) -> PageParser:
    parser = PageParser(url)
    parser.feed(html)
    return parser


# --- plausible valid values, so that the one bad field is the only thing wrong ------------------------------------

VALID_BY_KIND = {
    "email": "neu@example.org",
    "url": "https://example.org/",
    "number": "2",
    "date": "2031-03-04",
    "datetime-local": "2031-03-04T10:00",
    "time": "10:00",
    "tel": "+49 30 1234",
    "password": "a long enough passphrase 2",
}


def valid_value(f: Field) -> str:
    if f.value:
        return f.value
    if f.kind in VALID_BY_KIND:
        return VALID_BY_KIND[f.kind]
    if f.kind in ("select", "radio"):
        return next((o for o in f.options if o), "")
    if f.kind == "checkbox":
        return f.options[0] if f.required and f.options else ""  # a required box (consent) is ticked
    if "email" in f.name:
        return "neu@example.org"
    return "Beispiel" if f.kind in ("text", "textarea", "search") else ""


def base_data(form: Form) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for f in form.fields:
        if f.kind == "file":
            continue
        value = valid_value(f)
        if value != "" or f.kind not in ("checkbox",):
            data[f.name] = value
    return data


def field_payloads(f: Field, max_length: int | None) -> dict[str, str]:
    valid = valid_value(f)
    if f.kind in ("number", "select", "radio", "checkbox", "date", "datetime-local", "time", "hidden"):
        payloads = number_payloads()
        payloads.update(control_values(valid or "1"))
        return payloads
    if f.kind == "password":
        return {"NUL": control_values(valid)["NUL"], "overlong 10,000": OVERLONG}
    return text_payloads(valid, max_length)


def column_lengths() -> dict[str, set[int]]:
    """Field name -> the max_length of every CharField with that name, to send exactly one too many."""
    lengths: dict[str, set[int]] = {}
    for app in Tortoise.apps.values():
        for model in app.values():
            for name, f in model._meta.fields_map.items():
                if getattr(f, "max_length", None):
                    lengths.setdefault(name, set()).add(f.max_length)
    return lengths


def known_max_length(f: Field, lengths: dict[str, set[int]]) -> int | None:
    if f.max_length:
        return f.max_length
    found = lengths.get(f.name, set())
    return next(iter(found)) if len(found) == 1 else None


# --- demo-like data and signed-in clients -----------------------------------------------------------------------

QUESTIONS = [
    ("text", "Was möchten Sie ansprechen?", []),
    ("choice", "Wie sind Sie auf uns aufmerksam geworden?", ["Presse", "Newsletter"]),
    ("checkboxes", "Welche Themen interessieren Sie?", ["Flächen", "Fördermittel", "Digitales"]),
    ("number", "Wie viele Beschäftigte hat Ihr Unternehmen?", []),
]


async def seed(settings: Settings) -> dict[str, int]:
    """The events demo, questions of every kind on a series and a session, answered registrations, invitations."""
    await demo.create_demo(settings)
    series = await Series.get(title=demo.SERIES_TITLE)
    breakfast = await Session.filter(series_id=series.id).order_by("starts_at").first()
    workshop = await Session.get(kind=WORKSHOP)
    assert breakfast is not None
    for position, (kind, label, options) in enumerate(QUESTIONS):
        await services.add_question(
            series_id=series.id, label=label, kind=kind, options=options or None, position=position
        )
        await services.add_question(
            session_id=workshop.id, label=label + " (Workshop)", kind=kind, options=options or None, position=position
        )
    from events.models import Question

    for n, session in enumerate((breakfast, workshop), start=1):
        questions = (
            await Question.filter(series_id=series.id)
            if session is breakfast
            else await Question.filter(session_id=workshop.id)
        )
        answers = {
            str(q.id): {"text": "Parkplätze", "choice": "Presse", "checkboxes": ["Flächen"], "number": "12"}[q.kind]
            for q in questions
        }
        track = await session.tracks.all().order_by("id").first()
        await register(
            settings, session.id, 100 + n, answers=answers, track_id=track.id if track else None, by_staff=True
        )
    await send_invitations(settings, workshop.id, ContactFilter())
    survey = await seed_survey()
    return {"series": series.id, "breakfast": breakfast.id, "workshop": workshop.id, "survey": survey}


async def seed_survey() -> int:
    """A published survey anyone may answer, with one optional question: an empty body is a valid response."""
    from surveys import services as surveys

    survey = await surveys.create_survey(title="Kurzumfrage", published=True)
    page = await survey.pages.all().first()
    assert page is not None
    await surveys.add_question(survey.id, page.id, code="overall", kind="rating", label="Wie war es?")
    return survey.id


class RotatingTransport(httpx.ASGITransport):
    """A fresh client address per request, so per-address limits do not stop the bad input before the handler."""

    counter = itertools.count(1)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        n = next(self.counter)
        self.client = (f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}", 50000)
        return await super().handle_async_request(request)


def rotating_client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=RotatingTransport(app=app), base_url="http://testserver", follow_redirects=False, timeout=60
    )


ADMIN_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@dataclass
class Actor:
    """One signed-in role: its client, its CSRF token, and how to sign in again if a request signed it out."""

    kind: str
    client: httpx.AsyncClient
    csrf: str = ""
    home: str = "/"
    counter: int = 0
    headers: dict[str, str] = field(default_factory=dict)

    async def ensure(self) -> None:
        if self.kind == "api_token":
            return
        response = await self.client.get(self.home)
        if response.status_code == 200 and 'name="csrf_token"' in response.text:
            self.csrf = csrf_from(response.text)
            return
        self.counter += 1
        self.client.cookies.clear()
        if self.kind == "staff":
            email = f"all-roles-{self.counter}@example.org"
            await make_user(email, list(ROLES), totp_secret=ADMIN_SECRET)
            assert (await login(self.client, email, totp_secret=ADMIN_SECRET)).status_code == 303
        elif self.kind == "participant":
            await sign_in(self.client, f"teilnehmerin-{self.counter}@example.org")
        page = await self.client.get(self.home)
        assert page.status_code == 200, (self.kind, page.status_code)
        self.csrf = csrf_from(page.text)


async def actors(app: Any) -> dict[str, Actor]:
    staff = Actor("staff", rotating_client(app), home="/staff/account")
    await staff.ensure()
    participant = Actor("participant", rotating_client(app), home="/me")
    await participant.ensure()
    public = Actor("public", rotating_client(app), home="/staff/login")
    await public.ensure()
    from agora.accounts.models import User

    creator = await User.filter(email__startswith="all-roles").first()
    assert creator is not None
    _, plain = await tokens.create_token(
        name="Alle Rechte", scopes=list(tokens.SCOPES), created_by_id=creator.id, expires_in_days=30
    )
    api = Actor("api_token", rotating_client(app), headers={"Authorization": f"Bearer {plain}"})
    # A second staff member, so that editing "a user" never edits the one who is signed in.
    await make_user("kollegin@example.org", ["organizer"])
    return {"staff": staff, "participant": participant, "public": public, "api_token": api}


def first(items: Iterable[Any]) -> Any:
    return next(iter(items), None)


# --- the crawl --------------------------------------------------------------------------------------------------

EXAMPLES_PER_ROUTE = 3


@dataclass
class Site:
    """What a walk through the app as every role found: example urls per route, forms per action route."""

    urls: dict[RouteKey, list[str]] = field(default_factory=dict)
    forms: dict[RouteKey, list[Form]] = field(default_factory=dict)
    fine: list[tuple[str, str]] = field(default_factory=list)  # (actor kind, url) that answered 200

    def example(self, route: RouteKey) -> str | None:
        found = self.urls.get(route)
        if found:
            return found[0]
        forms = self.forms.get(route)
        return urlsplit(forms[0].action).path if forms else None


async def mail_links() -> list[str]:
    from notifications.models import OutboxMessage

    links: list[str] = []

    def collect(value: Any) -> None:
        if isinstance(value, str):
            links.extend(re.findall(r"http://testserver(/[^\s\"'<>]*)", value))
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    for row in await OutboxMessage.all():
        collect(row.context)
    return links


async def crawl(actors: dict[str, Actor], prefer: dict[str, str]) -> Site:
    """Breadth-first through every page each role may see; prefer maps a path parameter to the id to test with."""
    site = Site()
    starts: dict[str, list[str]] = {"staff": ["/staff"], "participant": ["/me"], "public": ["/", "/termine"]}
    starts["public"] += [link for link in await mail_links()]
    for route in ROUTES:
        if route.method == "GET" and not route.params and route.kind in starts and route.path != "/static":
            starts[route.kind].append(route.path)
    for kind, queue in starts.items():
        actor = actors[kind]
        seen: set[str] = set()
        while queue:
            url = queue.pop(0)
            path = urlsplit(url).path
            if path in seen or not path.startswith("/") or urlsplit(url).netloc not in ("", "testserver"):
                continue
            route = route_for("GET", path)
            if route is None or route.kind != kind or route.path == "/static":
                continue
            examples = site.urls.setdefault(route, [])
            if len(examples) >= EXAMPLES_PER_ROUTE and path not in examples:
                continue
            seen.add(path)
            if path not in examples:
                examples.append(path)
            response = await actor.client.get(path)
            if response.status_code == 200:
                site.fine.append((kind, path))
            if "text/html" not in response.headers.get("content-type", ""):
                continue
            parsed = parse_page(path, response.text)
            queue.extend(parsed.links)
            for form in parsed.forms:
                action = urlsplit(form.action).path
                form.action = action
                target = route_for(form.method if form.method == "POST" else "GET", action)
                if target is None:
                    continue
                if form.method == "POST":
                    site.forms.setdefault(target, []).append(form)
                else:
                    site.forms.setdefault(target, []).append(form)  # a GET form: its fields are query parameters
    for route, examples in site.urls.items():
        examples.sort(key=lambda url: _preference(route, url, prefer))
    for route, forms in site.forms.items():
        forms.sort(key=lambda form: (_preference(route, form.action, prefer), -len(form.fields)))
    return site


def _preference(route: RouteKey, url: str, prefer: dict[str, str]) -> int:
    match = route.regex.match(urlsplit(url).path)
    if not match:
        return 1
    return -sum(1 for name, value in match.groupdict().items() if prefer.get(name) == value)


# --- the JSON API, from its OpenAPI document ---------------------------------------------------------------------

NUMBER_1E309 = "\u0001the-number-1e309\u0001"  # replaced by the bare token 1e309 after json.dumps


def dumps(value: Any) -> bytes:
    """JSON text that may carry NaN, Infinity, 1e309 and lone surrogates, as a careless client would send it."""
    text = json.dumps(value, allow_nan=True, ensure_ascii=True)
    return text.replace(json.dumps(NUMBER_1E309), "1e309").encode("ascii")


def resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        target: Any = document
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    for combinator in ("allOf", "anyOf", "oneOf"):
        if combinator in schema:
            options = [resolve(s, document) for s in schema[combinator]]
            chosen = next((s for s in options if s.get("type") != "null"), options[0])
            schema = {**{k: v for k, v in schema.items() if k != combinator}, **chosen}
    return schema


def schema_type(schema: dict[str, Any]) -> str:
    kind = schema.get("type", "object" if "properties" in schema else "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    return str(kind)


def example(schema: dict[str, Any], document: dict[str, Any], name: str = "") -> Any:
    """A valid value for the schema, for the fields the bad one travels with."""
    schema = resolve(schema, document)
    if "example" in schema:
        return schema["example"]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema_type(schema)
    if kind == "object":
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        return {k: example(v, document, k) for k, v in props.items() if k in required}
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, int(schema.get("minimum", 1)))
    if kind == "number":
        return 1
    if kind == "boolean":
        return True
    fmt = schema.get("format", "")
    if fmt == "email" or "email" in name:
        return "api-neu@example.org"
    if fmt == "date-time" or name.endswith("_at"):
        return "2031-03-04T12:00:00+01:00" if name.startswith("end") else "2031-03-04T10:00:00+01:00"
    if fmt == "date":
        return "2031-03-04"
    if fmt in ("uri", "url"):
        return "https://example.org/"
    return "Beispiel"


def value_payloads(
    schema: dict[str, Any], document: dict[str, Any], valid: Any, column: int | None, required: bool = True
) -> dict[str, Any]:
    """Bad values for one property of a JSON body (null only where the property is required)."""
    schema = resolve(schema, document)
    kind = schema_type(schema)
    wrong_types: dict[str, Any] = {"list for a value": ["x"], "object for a value": {"a": "b"}}
    if required:
        wrong_types["null"] = None
    if kind == "string":
        text = valid if isinstance(valid, str) and valid else "Beispiel"
        payloads: dict[str, Any] = {
            **control_values(text),
            "lone surrogate": text + "\ud800",
            "number for a string": 123,
            "1e309 for a string": NUMBER_1E309,
            **wrong_types,
        }
        limit = schema.get("maxLength") or column  # the endpoint's own declaration first
        if not limit or limit < len(OVERLONG):  # a longer declared limit is probed by max_length+1
            payloads["overlong 10,000"] = OVERLONG
        if limit:
            payloads[f"max_length+1 ({limit + 1})"] = _overlong_for(text, limit + 1)
        return payloads
    if kind in ("integer", "number"):
        return {
            "unicode digit ² as string": "²",
            "arabic-indic digit ٣ as string": "٣",
            "NaN": float("nan"),
            "Infinity": float("inf"),
            "-Infinity": float("-inf"),
            "1e309": NUMBER_1E309,
            "huge integer": 10**30,
            "NaN as string": "NaN",
            "inf as string": "inf",
            "1e309 as string": "1e309",
            "string for a number": "zwei",
            "boolean for a number": True,
            **wrong_types,
        }
    if kind == "boolean":
        return {"string for a boolean": "ja\x00", "NaN": float("nan"), **wrong_types}
    if kind == "array":
        item = resolve(schema.get("items", {}), document)
        return {
            "object for a list": {"a": 1},
            "string for a list": "x",
            "list of lists": [[1]],
            "list with NaN": [float("nan")],
            "list with a lone surrogate": ["\ud800"],
            "list with a bad item": [{k: "\x00" for k in item.get("properties", {"name": 1})}]
            if schema_type(item) == "object"
            else ["\x00"],
            "10,000 items": [example(item, document)] * 10_000,
        }
    return {
        "list for an object": [1],
        "string for an object": "x",
        "number for an object": 1,
    }


WHOLE_BODIES: dict[str, tuple[str, bytes]] = {
    "deep JSON (50,000 nested arrays)": ("application/json", b"[" * 50_000 + b"]" * 50_000),
    "deep JSON (50,000 nested objects)": ("application/json", b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
    "list for the body": ("application/json", b"[]"),
    "string for the body": ("application/json", b'"x"'),
    "number for the body": ("application/json", b"1e309"),
    "NaN for the body": ("application/json", b"NaN"),
    "invalid JSON": ("application/json", b"{"),
    "empty body": ("application/json", b""),
    "invalid UTF-8": ("application/json", b'{"name": "\xff\xfe"}'),
    "lone surrogate key": ("application/json", b'{"\\ud800": 1}'),
    "NUL in the body": ("application/json", b'{"name": "a\x00b"}'),
    "form body": ("application/x-www-form-urlencoded", b"name=x"),
    "JSON as text/plain": ("text/plain", b"{}"),
}
