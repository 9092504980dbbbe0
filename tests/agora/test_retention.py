"""Retention runs: every purge or retention function is a scheduled job, and each job removes only what expired."""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
from datetime import UTC, datetime, timedelta
from pathlib import Path

from agora.accounts.models import WebSession
from agora.accounts.participants.models import SigninToken
from agora.app import register_domain_hooks
from agora.ratelimit import RateHit
from events import services as events_services
from events.models import Registration
from notifications import scheduler
from tests.conftest import make_user, replace_settings
from tests.events.helpers import published_session, register

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("agora", "events", "notifications", "participation", "surveys")


def retention_functions() -> list[tuple[str, str]]:
    """(module, function) for every top-level function named purge* or *retention* in the packages."""
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            for node in tree.body:
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and (
                    node.name.startswith("purge") or "retention" in node.name
                ):
                    found.append((module, node.name))
    return found


def test_the_enumeration_finds_the_known_purges():
    found = set(retention_functions())
    assert {
        ("agora.ratelimit", "purge"),
        ("agora.accounts.sessions", "purge_expired"),
        ("agora.accounts.participants.services", "purge"),
        ("events.retention", "purge_personal_data"),
        ("events.tasks", "purge"),
        ("surveys.people", "purge_token_addresses"),
    } <= found


async def test_every_purge_function_is_registered_with_the_scheduler(database, monkeypatch):
    called: set[tuple[str, str]] = set()
    for module_name, name in retention_functions():
        module = importlib.import_module(module_name)
        original = getattr(module, name)
        assert inspect.iscoroutinefunction(original), f"{module_name}.{name} is not a job"

        def spy(original=original, key=(module_name, name)):  # noqa: ANN001, ANN202
            @functools.wraps(original)
            async def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
                called.add(key)
                return await original(*args, **kwargs)

            return wrapper

        monkeypatch.setattr(module, name, spy())
    monkeypatch.setattr(scheduler, "_JOBS", {})
    scheduler.register_default_jobs(database)
    register_domain_hooks(database)
    for job in scheduler.jobs():
        await job.fn()
    missing = sorted(set(retention_functions()) - called)
    assert not missing, f"not run by any scheduled job: {missing}"


async def test_each_retention_job_removes_only_what_expired(database, monkeypatch):
    settings = replace_settings(database, events_retention_days=30)
    now = datetime.now(UTC)
    user = await make_user()
    for days, name in ((-1, "expired"), (1, "fresh")):
        await WebSession.create(
            token_hash=name.ljust(64, "0"),
            user=user,
            csrf_token="c",
            created_at=now - timedelta(hours=1),
            last_seen_at=now,
            expires_at=now + timedelta(days=days),
        )
    await RateHit.create(
        bucket="b", key="expired", created_at=now - timedelta(hours=2), expires_at=now - timedelta(hours=1)
    )
    await RateHit.create(bucket="b", key="fresh", created_at=now, expires_at=now + timedelta(hours=1))
    for days, email in ((-31, "expired@example.org"), (-29, "fresh@example.org")):
        await SigninToken.create(
            token_hash=email.ljust(64, "0")[:64],
            email=email,
            created_at=now + timedelta(days=days, minutes=-30),
            expires_at=now + timedelta(days=days),
        )
    old, recent = await published_session(capacity=5), await published_session(capacity=5)
    gone = await register(settings, old.id, 1)
    kept = await register(settings, recent.id, 2)
    await events_services.update_session(
        settings, old.id, starts_at=now - timedelta(days=40), ends_at=now - timedelta(days=40, hours=-2)
    )

    monkeypatch.setattr(scheduler, "_JOBS", {})
    register_domain_hooks(settings)
    retention_jobs = [j for j in scheduler.jobs() if "purge" in j.name or "retention" in j.name]
    assert {j.name for j in retention_jobs} == {
        "accounts.purge_sessions",
        "agora.purge_rate_limits",
        "participants.purge",
        "events.retention",
        "surveys.retention",
    }
    for job in retention_jobs:
        await job.fn()

    assert [s.token_hash[:5] for s in await WebSession.all()] == ["fresh"]
    assert [h.key for h in await RateHit.all()] == ["fresh"]
    assert [t.email for t in await SigninToken.all()] == ["fresh@example.org"]
    assert (await Registration.get(id=gone.id)).anonymised_at is not None
    fresh = await Registration.get(id=kept.id)
    assert fresh.anonymised_at is None and fresh.email == "person2@example.com"
