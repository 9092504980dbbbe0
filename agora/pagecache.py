"""Public pages served from memory, invalidated exactly by a version that the database keeps.

On PostgreSQL every table whose rows show on a public page carries triggers (created by its package's migration
through `track_tables`) that raise the one row of `agora_contentversion` in the same statement as the change, so
no write path can forget it: the conditional UPDATE of the seats counts as much as a staff edit. Each cached
request reads that counter (one primary-key read) and renders again when it moved, so every web process sees a
change as soon as it is committed; the cache itself lives in each process. On SQLite (the embedded mode) the
version is the connection's own count of changed rows and SQLite's data_version, which moves when another
process commits: any write invalidates, and no trigger is needed (a trigger's rows would count in the row
counts the conditional UPDATEs rely on there). Changes that come with the clock (registration closes, a
session starts) are declared by the page with `changes_at`.

Only readers without a server-side session are served from here (signed-in pages stay uncached); their
form tokens and the CSP nonce are filled in per response. Answers carry an ETag, and a matching
If-None-Match gets 304.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from tortoise import connections, fields
from tortoise.models import Model

from agora import i18n

CHANNEL = "public"
MAX_ENTRIES = 512
# Marks where the per-response values go in a stored page.
CSRF_MARK = "csrf-" + secrets.token_hex(16)
NONCE_MARK = "nonce-" + secrets.token_hex(16)
KEPT_HEADERS = ("content-type", "content-disposition")


class ContentVersion(Model):
    """A counter raised by database triggers whenever something shown on public pages changes."""

    name = fields.CharField(max_length=40, primary_key=True)
    version = fields.BigIntField(default=0)

    class Meta:
        table = "agora_contentversion"


@dataclass(frozen=True)
class Entry:
    version: str
    fresh_until: datetime | None
    body: bytes
    headers: tuple[tuple[str, str], ...]
    etag: str
    has_form: bool


_changes: ContextVar[list[datetime] | None] = ContextVar("agora_page_changes", default=None)


def changes_at(*moments: datetime | None) -> None:
    """Declare moments at which the page being rendered changes by itself (it is rendered again then)."""
    pending = _changes.get()
    if pending is not None:
        pending.extend(m for m in moments if m is not None)


async def current_version() -> str | None:
    client = connections.get("default")
    if client.capabilities.dialect == "sqlite":
        async with client.acquire_connection() as connection:
            [(data_version,)] = await connection.execute_fetchall("PRAGMA data_version")
            return f"{id(connection)}:{data_version}:{connection.total_changes}"
    rows = await client.execute_query_dict("SELECT version FROM agora_contentversion WHERE name = 'public'")
    return str(rows[0]["version"]) if rows else None


def form_token_for(request: Request) -> str:
    """The CSRF token of a form on this page: the session's on staff pages, else the anonymous form cookie's."""
    state = request.scope["state"]["session"]
    if state.session is not None:
        return str(state.session.csrf_token)
    return str(state.anonymous_form_token())


def _cacheable(request: Request) -> bool:
    state = request.scope.get("state", {}).get("session")
    # A query string makes a page personal (an invitation link fills in the form) or rare: not kept.
    return request.method == "GET" and not request.url.query and state is not None and state.session is None


def _entries_of(request: Request) -> OrderedDict[tuple[str, str], Entry]:
    """The cache of this app (each web process builds its own app)."""
    entries = getattr(request.app.state, "page_cache", None)
    if entries is None:
        entries = request.app.state.page_cache = OrderedDict()
    return entries


async def serve(request: Request, endpoint: Callable[[Request], Awaitable[Response]]) -> Response:
    """Answer a public GET from the cache when the content version still matches, else render and keep it."""
    if not _cacheable(request):
        return await endpoint(request)
    version = await current_version()
    if version is None:
        return await endpoint(request)
    entries = _entries_of(request)
    key = (request.url.path, i18n.current_locale.get())
    entry = entries.get(key)
    now = datetime.now(UTC)
    if entry is None or entry.version != version or (entry.fresh_until is not None and now >= entry.fresh_until):
        entry, response = await _render(request, endpoint, version, now)
        if entry is None:
            return response
        entries[key] = entry
        while len(entries) > MAX_ENTRIES:
            entries.popitem(last=False)
    entries.move_to_end(key)
    return _respond(request, entry)


async def _render(
    request: Request, endpoint: Callable[[Request], Awaitable[Response]], version: str, now: datetime
) -> tuple[Entry | None, Response]:
    state = request.scope["state"]
    nonce = state.get("csp_nonce", "")
    state["csp_nonce"], state["defer_form_token"] = NONCE_MARK, True
    token = _changes.set([])
    try:
        response = await endpoint(request)
        moments = [m for m in _changes.get() or [] if m > now]
    finally:
        _changes.reset(token)
        state["csp_nonce"] = nonce
        state.pop("defer_form_token", None)
    body = bytes(getattr(response, "body", b""))
    entry = Entry(
        version=version,
        fresh_until=min(moments) if moments else None,
        body=body,
        headers=tuple((k, v) for k, v in response.headers.items() if k in KEPT_HEADERS),
        etag=hashlib.sha256(body).hexdigest()[:20],
        has_form=CSRF_MARK.encode() in body,
    )
    if response.status_code != 200 or "set-cookie" in response.headers:
        # Not kept (an error page, a page that sets a cookie), but its marks are filled in all the same.
        headers = [(k, v) for k, v in response.raw_headers if k != b"content-length"]
        filled = Response(_fill(request, body, form_token_for(request) if entry.has_form else ""), response.status_code)
        filled.raw_headers = [h for h in filled.raw_headers if h[0] == b"content-length"] + headers
        return None, filled
    return entry, response


def _fill(request: Request, body: bytes, form_token: str) -> bytes:
    nonce = request.scope.get("state", {}).get("csp_nonce", "")
    if form_token:
        body = body.replace(CSRF_MARK.encode(), form_token.encode())
    return body.replace(NONCE_MARK.encode(), nonce.encode())


def _respond(request: Request, entry: Entry) -> Response:
    headers: dict[str, Any] = dict(entry.headers)
    etag = entry.etag
    form_token = ""
    if entry.has_form:
        form_token = form_token_for(request)
        # The stored page in a browser holds its own token: the tag differs per form cookie.
        etag += "-" + hashlib.sha256(form_token.encode()).hexdigest()[:8]
        headers["cache-control"] = "private, no-cache"
    else:
        headers["cache-control"] = "no-cache"
    headers["etag"] = f'W/"{etag}"'
    headers["vary"] = "Cookie"
    if _matches(request.headers.get("if-none-match", ""), etag):
        headers.pop("content-type", None)
        return Response(status_code=304, headers=headers)
    return Response(_fill(request, entry.body, form_token), headers=headers)


def _matches(header: str, etag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    return any(part.strip().removeprefix("W/").strip('"') == etag for part in header.split(","))


BUMP = "UPDATE agora_contentversion SET version = version + 1 WHERE name = 'public'"
POSTGRES_FUNCTION = f"""CREATE OR REPLACE FUNCTION agora_bump_content_version() RETURNS trigger AS $$
BEGIN {BUMP}; RETURN NULL; END $$ LANGUAGE plpgsql"""


def trigger_sql(dialect: str, table: str) -> list[str]:
    """Statements that make every insert, update and delete on the table raise the content version (PostgreSQL;
    SQLite needs none, see the module)."""
    if dialect != "postgres":
        return []
    return [
        POSTGRES_FUNCTION,
        f"CREATE TRIGGER agora_cv_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION agora_bump_content_version()",
    ]


def track_tables(*tables: str) -> Any:
    """A migration operation: changes to these tables invalidate the cached public pages (see the module)."""
    from tortoise.migrations import operations as ops

    async def forward(apps: Any, schema_editor: Any) -> None:
        dialect = schema_editor.client.capabilities.dialect
        for table in tables:
            for statement in trigger_sql(dialect, table):
                await schema_editor.client.execute_script(statement)

    return ops.RunPython(forward)
