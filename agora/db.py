"""Tortoise configuration built from Settings, initialisation, migrations and transaction helpers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from tortoise import Tortoise, connections
from tortoise.transactions import in_transaction

from agora.settings import Settings

log = logging.getLogger(__name__)

# Each Tortoise app: its model modules and its migrations package. Domains add themselves here as they arrive.
APPS: dict[str, dict[str, Any]] = {
    "agora": {
        "models": [
            "agora.accounts.models",
            "agora.accounts.participants.models",
            "agora.pages.models",
            "agora.accounts.tokens",
            "agora.ratelimit",
            "agora.pagecache",
            "agora.face.models",
        ],
        "migrations": "agora.migrations",
    },
    "events": {
        "models": ["events.models"],
        "migrations": "events.migrations",
    },
    "surveys": {
        "models": ["surveys.models"],
        "migrations": "surveys.migrations",
    },
    "notifications": {
        "models": ["notifications.models"],
        "migrations": "notifications.migrations",
    },
    "participation": {
        "models": ["participation.models"],
        "migrations": "participation.migrations",
    },
}


async def _keep_session_state(connection: Any) -> None:
    """Reset of a PostgreSQL connection given back to the pool: nothing beyond the rollback of an open transaction,
    which asyncpg does before calling this. Its default also closes cursors, drops LISTENs, advisory locks and
    session settings, which Agora never uses, with one more round trip after every query outside a transaction."""


def tortoise_config(settings: Settings) -> dict[str, Any]:
    url = settings.database_url
    if url.startswith("sqlite://") and not url.startswith("sqlite://:memory:"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    connection: str | dict[str, Any] = url
    if url.startswith(("postgres://", "asyncpg://")):
        from tortoise.backends.base.config_generator import expand_db_url

        connection = expand_db_url(url)
        connection["credentials"]["reset"] = _keep_session_state
    return {
        "connections": {"default": connection},
        "apps": {label: {**app, "default_connection": "default"} for label, app in APPS.items()},
        "use_tz": True,
        "timezone": "UTC",
    }


async def init_db(settings: Settings) -> None:
    # Tortoise 1.x keeps its state in a context variable; the lifespan runs in another task than the
    # requests, so the context must also be the process-wide fallback for requests to see it.
    from agora import ratelimit

    ratelimit.configure(settings)
    await Tortoise.init(config=tortoise_config(settings), _enable_global_fallback=True)


async def close_db() -> None:
    await Tortoise.close_connections()


async def migrate(settings: Settings, progress: Any = None) -> None:
    """Apply every pending migration (the same code `python -m tortoise migrate` runs)."""
    from tortoise.migrations.api.migrate import migrate as run_migrations

    await run_migrations(config=tortoise_config(settings), progress=progress)


async def pending_migrations(settings: Settings) -> list[str]:
    """Names of migrations not yet applied, for `agora check` and /readyz diagnostics."""
    from tortoise.migrations.executor import MigrationExecutor

    config = tortoise_config(settings)
    pending: list[str] = []
    executor = MigrationExecutor(connections.get("default"), config["apps"])
    for step in await executor.plan(None):
        if not step.backward:
            pending.append(f"{step.migration.app_label}.{step.migration.name}")
    return pending


_after_commit: ContextVar[list[Callable[[], Awaitable[None]]] | None] = ContextVar("agora_after_commit", default=None)


@asynccontextmanager
async def transaction() -> AsyncIterator[Any]:
    """A transaction on the default connection; services own their transactions through this.

    Callbacks registered with on_commit() run after the outermost transaction commits, and never
    if it rolls back (an outbox row is dispatched only once it really exists).
    """
    outer = _after_commit.get()
    callbacks: list[Callable[[], Awaitable[None]]] = []
    token = _after_commit.set(callbacks)
    try:
        async with in_transaction("default") as conn:
            yield conn
    finally:
        _after_commit.reset(token)
    # Reached only when the block committed (an exception skips this).
    if outer is not None:
        outer.extend(callbacks)
        return
    for callback in callbacks:
        try:
            await callback()
        except Exception:  # noqa: BLE001 - the sweeper retries whatever a callback failed to do
            log.exception("after-commit callback failed")


async def on_commit(callback: Callable[[], Awaitable[None]]) -> None:
    """Run callback after the current transaction commits; outside a transaction, run it now."""
    pending = _after_commit.get()
    if pending is None:
        await callback()
    else:
        pending.append(callback)


class _Collected:
    """One after-commit callback gathering the items of one key, so they are handed on together."""

    def __init__(self, key: str, flush: Callable[[list[Any]], Awaitable[None]]) -> None:
        self.key = key
        self.flush = flush
        self.items: list[Any] = []

    async def __call__(self) -> None:
        await self.flush(self.items)


async def on_commit_collect(key: str, item: Any, flush: Callable[[list[Any]], Awaitable[None]]) -> None:
    """Like on_commit, but the items a transaction collects under one key reach flush together, once
    (a fan-out of many outbox rows becomes a few hand-overs). Outside a transaction: flush([item]) now."""
    pending = _after_commit.get()
    if pending is None:
        await flush([item])
        return
    for callback in pending:
        if isinstance(callback, _Collected) and callback.key == key:
            callback.items.append(item)
            return
    collected = _Collected(key, flush)
    collected.items.append(item)
    pending.append(collected)


async def ping() -> bool:
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        return False
    return True


def __getattr__(name: str) -> Any:
    # `python -m tortoise -c agora.db.TORTOISE_ORM makemigrations` reads the config from the environment.
    if name == "TORTOISE_ORM":
        from agora.settings import load_settings

        return tortoise_config(load_settings())
    raise AttributeError(name)
