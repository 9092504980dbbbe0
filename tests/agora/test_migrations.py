"""The committed migrations and the models agree, and the migrations build every database from scratch."""

from __future__ import annotations

import importlib
import pkgutil
import uuid

import pytest
from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector

from agora import db
from agora.dbadmin import admin_execute, with_db_name
from tests.conftest import POSTGRES_URL, base_settings


async def _detected_changes(tmp_path, extra_apps: dict | None = None) -> dict[str, list[str]]:
    """What `python -m tortoise makemigrations` would write, per app (the same calls, nothing written)."""
    config = db.tortoise_config(base_settings(tmp_path, "sqlite://:memory:"))
    config["apps"].update(extra_apps or {})
    apps = {label: dict(app) for label, app in config["apps"].items()}
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        writers = await MigrationAutodetector(ctx.apps, apps).changes()
    return {w.app_label: [_describe(op) for op in w.operations] for w in writers}


def _describe(operation: object) -> str:
    describe = getattr(operation, "describe", None)
    return describe() if callable(describe) else repr(operation)


def test_every_app_has_a_migrations_package():
    assert db.APPS
    for label, app in db.APPS.items():
        assert app.get("migrations"), f"app {label} has no migrations package"
        __import__(app["migrations"])


async def test_models_and_committed_migrations_agree(tmp_path):
    changes = await _detected_changes(tmp_path)
    assert changes == {}, "models differ from the committed migrations; run makemigrations for: " + "; ".join(
        f"{label}: {ops}" for label, ops in changes.items()
    )


async def test_the_comparison_notices_a_model_without_migration(tmp_path, monkeypatch):
    """Guards the test above: an app whose model has no migration must be reported."""
    package = tmp_path / "unmigrated_app"
    (package / "migrations").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "migrations" / "__init__.py").write_text("")
    (package / "models.py").write_text(
        "from tortoise import fields\nfrom tortoise.models import Model\n\n\n"
        "class Gadget(Model):\n    id = fields.IntField(primary_key=True)\n"
        "    name = fields.CharField(max_length=20)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    extra = {
        "unmigrated": {
            "models": ["unmigrated_app.models"],
            "migrations": "unmigrated_app.migrations",
            "default_connection": "default",
        }
    }
    changes = await _detected_changes(tmp_path, extra)
    assert "unmigrated" in changes
    assert any("Gadget" in op or "gadget" in op.lower() for op in changes["unmigrated"]), changes


async def _apply_from_scratch(settings) -> tuple[list[str], set[str]]:
    applied: list[str] = []

    def progress(event: str, app_label: str, name: str) -> None:
        if event == "apply_done":
            applied.append(f"{app_label}.{name}")

    EXECUTOR_CACHE.clear()
    await db.migrate(settings, progress=progress)
    await db.close_db()
    await db.init_db(settings)
    try:
        pending = await db.pending_migrations(settings)
        assert pending == []
        # Every model's table exists and can be queried.
        tables = set()
        for app_models in Tortoise.apps.values():
            for model in app_models.values():
                await model.all().limit(1)
                tables.add(model._meta.db_table)
        assert await db.ping()
    finally:
        await Tortoise.close_connections()
    return applied, tables


def _expected_migrations() -> set[str]:
    names = set()
    for label, app in db.APPS.items():
        package = importlib.import_module(app["migrations"])
        for info in pkgutil.iter_modules(package.__path__):
            if info.name[:4].isdigit():
                names.add(f"{label}.{info.name}")
    return names


async def test_all_migrations_apply_on_sqlite_from_scratch(tmp_path):
    settings = base_settings(tmp_path, f"sqlite://{tmp_path / 'fresh.sqlite3'}")
    applied, tables = await _apply_from_scratch(settings)
    assert set(applied) == _expected_migrations()
    assert "accounts_user" in tables
    # A second run has nothing left to do.
    again, _ = await _apply_from_scratch(settings)
    assert again == []


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="set AGORA_TEST_POSTGRES_URL to run against PostgreSQL")
async def test_all_migrations_apply_on_postgres_from_scratch(tmp_path):
    name = f"agora_mig_{uuid.uuid4().hex[:10]}"
    await admin_execute(POSTGRES_URL, f'CREATE DATABASE "{name}"')
    try:
        settings = base_settings(tmp_path, with_db_name(POSTGRES_URL, name))
        applied, tables = await _apply_from_scratch(settings)
        assert set(applied) == _expected_migrations()
        assert "accounts_user" in tables
    finally:
        await admin_execute(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
