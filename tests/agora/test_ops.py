"""Probes (/healthz, /readyz) and structured logs with the request id."""

from __future__ import annotations

import io
import json
import logging
import socket
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from tortoise import Tortoise

from agora import db
from agora.app import create_app
from agora.log import configure_logging
from tests.conftest import base_settings


def _client(app) -> httpx.AsyncClient:  # noqa: ANN001
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_healthz_answers_without_touching_the_database(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_readyz_is_ok_when_the_database_answers(client):
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


async def test_readyz_is_503_when_the_database_is_unreachable(tmp_path):
    settings = base_settings(tmp_path, f"postgres://agora:nope@127.0.0.1:{closed_port()}/agora")
    await db.init_db(settings)
    try:
        app = create_app(settings, manage_db=False)
        async with _client(app) as c:
            ready = await c.get("/readyz")
            alive = await c.get("/healthz")
    finally:
        await Tortoise.close_connections()
    assert ready.status_code == 503
    assert ready.json() == {"status": "unavailable", "database": "unreachable"}
    assert alive.status_code == 200, "liveness must not depend on the database"


async def test_readyz_is_503_after_the_database_file_disappears(database, tmp_path):
    app = create_app(database, manage_db=False)
    await Tortoise.close_connections()
    # A directory where the SQLite file should be: opening it fails, as a lost volume would.
    broken = replace(database, database_url=f"sqlite://{tmp_path}")
    await db.init_db(broken)
    async with _client(app) as c:
        response = await c.get("/readyz")
    assert response.status_code == 503


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


@pytest.fixture
def captured_log(monkeypatch: pytest.MonkeyPatch, database) -> Iterator[_Stream]:
    """configure_logging as the server runs it, writing to a stream that is not a terminal."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = _Stream(tty=False)
    monkeypatch.setattr("sys.stderr", stream)
    configure_logging(replace(database, log_format="auto"))
    yield stream
    root.handlers[:], _ = saved
    root.setLevel(saved[1])


def json_lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


async def _boom(request: Request) -> PlainTextResponse:
    logging.getLogger("agora.test").warning("about to fail")
    raise RuntimeError("kaputt")


async def _fine(request: Request) -> PlainTextResponse:
    logging.getLogger("agora.test").info("handling")
    return PlainTextResponse("ok")


@pytest.fixture
def ops_app(database):
    app = create_app(database, manage_db=False)
    app.router.routes.append(Route("/_test/boom", _boom))
    app.router.routes.append(Route("/_test/fine", _fine))
    return app


async def test_access_line_is_json_with_the_generated_request_id(ops_app, captured_log):
    async with _client(ops_app) as c:
        response = await c.get("/_test/fine")
    rid = response.headers["x-request-id"]
    assert len(rid) == 32
    lines = json_lines(captured_log)
    access = [x for x in lines if x["logger"] == "agora.access"]
    assert len(access) == 1
    assert access[0]["request_id"] == rid
    assert access[0]["status"] == 200 and access[0]["path"] == "/_test/fine" and access[0]["method"] == "GET"
    assert access[0]["level"] == "INFO" and "time" in access[0] and "duration_ms" in access[0]
    inner = [x for x in lines if x["logger"] == "agora.test"]
    assert inner and inner[0]["request_id"] == rid


async def test_sane_client_request_id_is_echoed_and_insane_one_replaced(ops_app, captured_log):
    async with _client(ops_app) as c:
        kept = await c.get("/_test/fine", headers={"X-Request-ID": "proxy-7f3a.42"})
        replaced = await c.get("/_test/fine", headers={"X-Request-ID": 'evil" \\n{"level":"ERROR"}'})
        too_long = await c.get("/_test/fine", headers={"X-Request-ID": "a" * 200})
    assert kept.headers["x-request-id"] == "proxy-7f3a.42"
    assert replaced.headers["x-request-id"] != 'evil" \\n{"level":"ERROR"}'
    assert len(replaced.headers["x-request-id"]) == 32
    assert len(too_long.headers["x-request-id"]) == 32
    ids = [x["request_id"] for x in json_lines(captured_log) if x["logger"] == "agora.access"]
    assert ids == [r.headers["x-request-id"] for r in (kept, replaced, too_long)]


async def test_server_error_is_logged_with_the_request_id(ops_app, captured_log):
    async with _client(ops_app) as c:
        response = await c.get("/_test/boom", headers={"X-Request-ID": "req-500"})
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "req-500"
    assert "kaputt" not in response.text, "the error page must not show internals"
    lines = json_lines(captured_log)
    errors = [x for x in lines if x["level"] == "ERROR"]
    assert errors, lines
    assert all(x["request_id"] == "req-500" for x in errors)
    assert any("RuntimeError: kaputt" in x.get("exc_info", "") for x in errors)
    assert [x["request_id"] for x in lines if x["logger"] == "agora.access"] == ["req-500"]
    assert [x for x in lines if x["logger"] == "agora.test"][0]["request_id"] == "req-500"
    server_lines = [x for x in lines if x["logger"].startswith("agora")]
    assert not [x for x in server_lines if x["request_id"] == "-"], "a line of the request lost its id"


def test_text_format_on_a_terminal(monkeypatch, tmp_path):
    root = logging.getLogger()
    saved = root.handlers[:]
    stream = _Stream(tty=True)
    monkeypatch.setattr("sys.stderr", stream)
    try:
        configure_logging(replace(base_settings(tmp_path, "sqlite://:memory:"), log_format="auto"))
        logging.getLogger("agora.test").warning("hallo")
    finally:
        root.handlers[:] = saved
    line = stream.getvalue().strip()
    assert line.endswith("agora.test [-] hallo"), line
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)
