"""`agora check`: each dependency gets a clear verdict (OK, SKIP or FAIL) and a reason."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from tortoise import connections

from agora import db
from agora.settings import Settings

Result = tuple[str, str, str]
Check = Callable[[Settings], Awaitable[list[Result]]]
TIMEOUT = 5.0


async def check_database(settings: Settings) -> list[Result]:
    try:
        # Not in wait_for: Tortoise keeps its state in context variables that a task would not hand back.
        await db.init_db(settings)
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return [("database", "FAIL", f"cannot connect: {_one_line(exc)}"), _skipped_migrations()]
    try:
        try:
            await connections.get("default").execute_query("SELECT 1")
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            return [
                ("database", "FAIL", f"cannot reach {_describe_db(settings.database_url)}: {_one_line(exc)}"),
                _skipped_migrations(),
            ]
        results = [("database", "OK", _describe_db(settings.database_url))]
        pending = await db.pending_migrations(settings)
        if pending:
            shown = ", ".join(pending[:3]) + (" ..." if len(pending) > 3 else "")
            results.append(("migrations", "FAIL", f"{len(pending)} pending ({shown}); run `agora migrate`"))
        else:
            results.append(("migrations", "OK", "all applied"))
        return results
    finally:
        await db.close_db()


def _skipped_migrations() -> Result:
    return ("migrations", "SKIP", "the database is not reachable")


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def _describe_db(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return f"SQLite at {url.removeprefix('sqlite://')}"
    return f"PostgreSQL at {parts.hostname}:{parts.port or 5432}{parts.path}"


# Further checks (the broker, SMTP) are registered here by their own packages: each takes the settings and
# returns result lines. An exception in one becomes a FAIL line of its own rather than ending the run.
EXTRA_CHECKS: list[Check] = []


async def run_checks(settings: Settings) -> list[Result]:
    results = await check_database(settings)
    for check in EXTRA_CHECKS:
        try:
            results.extend(await check(settings))
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            name = getattr(check, "__name__", "check").removeprefix("check_")
            results.append((name, "FAIL", f"the check itself failed: {_one_line(exc)}"))
    return results
