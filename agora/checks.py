"""`agora check`: each dependency gets a clear verdict (OK, SKIP or FAIL) and a reason."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from agora import db
from agora.settings import Settings

Result = tuple[str, str, str]
TIMEOUT = 5.0


async def check_database(settings: Settings) -> list[Result]:
    try:
        # Not wrapped in wait_for: Tortoise keeps its state in context variables, which a task would not hand back.
        await db.init_db(settings)
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return [("database", "FAIL", f"cannot connect: {exc}")]
    try:
        if not await db.ping():
            return [("database", "FAIL", "connected, but SELECT 1 failed")]
        results = [("database", "OK", _describe_db(settings.database_url))]
        pending = await db.pending_migrations(settings)
        if pending:
            results.append(("migrations", "FAIL", f"{len(pending)} pending ({pending[0]} ...); run `agora migrate`"))
        else:
            results.append(("migrations", "OK", "all applied"))
        return results
    finally:
        await db.close_db()


def _describe_db(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return f"SQLite at {url.removeprefix('sqlite://')}"
    return f"PostgreSQL at {parts.hostname}:{parts.port or 5432}{parts.path}"


async def check_tcp(name: str, url: str, default_port: int) -> Result:
    parts = urlsplit(url)
    host, port = parts.hostname or "localhost", parts.port or default_port
    try:
        _reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), TIMEOUT)
    except (OSError, TimeoutError) as exc:
        return (name, "FAIL", f"cannot reach {host}:{port}: {exc}")
    writer.close()
    return (name, "OK", f"reachable at {host}:{port}")


# Later capabilities (the broker, SMTP) contribute deeper checks here from their own packages.
EXTRA_CHECKS: list = []


async def run_checks(settings: Settings) -> list[Result]:
    results = await check_database(settings)
    for check in EXTRA_CHECKS:
        results.extend(await check(settings))
    return results
