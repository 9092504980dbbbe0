"""Shared fixtures: every database test runs on SQLite and, when AGORA_TEST_POSTGRES_URL is set, on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from tortoise import Tortoise, connections
from tortoise.backends.base.executor import EXECUTOR_CACHE

from agora import db
from agora.app import create_app
from agora.dbadmin import admin_execute, with_db_name
from agora.settings import Settings

POSTGRES_URL = os.environ.get("AGORA_TEST_POSTGRES_URL", "")
REDIS_URL = os.environ.get("AGORA_TEST_REDIS_URL", "")
RABBITMQ_URL = os.environ.get("AGORA_TEST_RABBITMQ_URL", "")
TEST_SECRET = "test-secret-key-" + "x" * 40
PASSWORD = "correct horse battery staple"  # noqa: S105 - test only

BACKENDS = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not POSTGRES_URL, reason="set AGORA_TEST_POSTGRES_URL to run against PostgreSQL"),
        ],
    ),
]


def base_settings(data_dir: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        base_url="http://testserver",
        secret_key=TEST_SECRET,
    )


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once per run; every test gets a copy of the file."""
    directory = tmp_path_factory.mktemp("template")
    path = directory / "template.sqlite3"
    settings = base_settings(directory, f"sqlite://{path}")

    async def run() -> None:
        await db.migrate(settings)
        await db.close_db()

    asyncio.run(run())
    return path


@pytest.fixture(scope="session")
def migrated_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    name = f"agora_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(admin_execute(POSTGRES_URL, f'CREATE DATABASE "{name}"'))
    url = with_db_name(POSTGRES_URL, name)
    settings = base_settings(tmp_path_factory.mktemp("pg"), url)

    async def run() -> None:
        await db.migrate(settings)
        await db.close_db()

    asyncio.run(run())
    yield url
    asyncio.run(admin_execute(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    if backend == "sqlite":
        template = request.getfixturevalue("migrated_sqlite")
        target = tmp_path / "agora.sqlite3"
        shutil.copyfile(template, target)
        return base_settings(tmp_path, f"sqlite://{target}")
    return base_settings(tmp_path, request.getfixturevalue("migrated_postgres"))


async def _truncate_postgres() -> None:
    conn = connections.get("default")
    _, rows = await conn.execute_query(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'tortoise%'"
    )
    # The content version's one row is written by the migration, as tortoise's own tables are: kept.
    kept = ("tortoise", "agora_contentversion")
    names = [r["tablename"] for r in rows if not r["tablename"].startswith(kept)]
    if names:
        await conn.execute_script("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE")


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[Settings]:
    # Tortoise caches insert statements per connection name, not per dialect: tests switch dialects.
    EXECUTOR_CACHE.clear()
    await db.init_db(settings)
    if not settings.database_url.startswith("sqlite"):
        await _truncate_postgres()
    try:
        yield settings
    finally:
        await Tortoise.close_connections()


@pytest.fixture
def app(database: Settings):  # noqa: ANN201
    return create_app(database, manage_db=False)


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:  # noqa: ANN001
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver", follow_redirects=False) as c:
        yield c


def new_client(app, ip: str = "127.0.0.1") -> httpx.AsyncClient:  # noqa: ANN001
    transport = httpx.ASGITransport(app=app, client=(ip, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver", follow_redirects=False)


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


async def form_post(client: httpx.AsyncClient, page_url: str, action: str, data: dict) -> httpx.Response:
    """Load the page (as a browser would), take its CSRF token, and post the form."""
    page = await client.get(page_url)
    token = csrf_from(page.text)
    return await client.post(action, data={**data, "csrf_token": token})


async def make_user(email: str = "staff@example.org", roles: list[str] | None = None, totp_secret: str | None = None):  # noqa: ANN201
    from datetime import UTC, datetime

    from agora.accounts import services
    from agora.accounts.models import User

    user = await services.create_user(email, "Test Person", PASSWORD, roles if roles is not None else ["organizer"])
    if totp_secret:
        await User.filter(id=user.id).update(totp_secret=totp_secret, totp_confirmed_at=datetime.now(UTC))
        user = await User.get(id=user.id)
    return user


async def login(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD, totp_secret: str | None = None
) -> httpx.Response:
    response = await form_post(client, "/staff/login", "/staff/login", {"email": email, "password": password})
    if totp_secret and response.status_code == 303 and response.headers["location"] == "/staff/login/totp":
        import pyotp

        response = await form_post(
            client, "/staff/login/totp", "/staff/login/totp", {"code": pyotp.TOTP(totp_secret).now()}
        )
    return response


@pytest.fixture
async def staff_client(app) -> AsyncIterator[httpx.AsyncClient]:  # noqa: ANN001
    """A client signed in as an organizer and moderator (no admin rights)."""
    await make_user("organizer@example.org", ["organizer", "moderator"])
    async with new_client(app) as c:
        response = await login(c, "organizer@example.org")
        assert response.status_code == 303, response.text
        yield c


ADMIN_TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
async def admin_client(app) -> AsyncIterator[httpx.AsyncClient]:  # noqa: ANN001
    await make_user("admin@example.org", ["admin"], totp_secret=ADMIN_TOTP)
    async with new_client(app) as c:
        response = await login(c, "admin@example.org", totp_secret=ADMIN_TOTP)
        assert response.status_code == 303, response.text
        yield c


def replace_settings(settings: Settings, **changes) -> Settings:  # noqa: ANN003
    return replace(settings, **changes)
