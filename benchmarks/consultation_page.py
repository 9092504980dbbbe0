"""Public consultation page with 500 published contributions: requests per second, p95, SQL statements per page.

Builds a scratch database (embedded SQLite by default, or PostgreSQL with --postgres) with a consultation of five
sections and --contributions published contributions (a third of them replies, every tenth with a published
response), counts the SQL statements one rendering of the page issues for 50 and for --contributions
contributions (in process, through the ORM's query log; `?sort=newest` makes the page bypass the page cache, so
this is the cost of rendering it) and those of a reader served from the page cache, then starts `agora serve`
and keeps --concurrency anonymous readers busy for --seconds, first on the page as the public reads it (from the
cache after the first view), then on its rendering. Prints one JSON line: {"path", "database", "contributions",
"concurrency", "requests", "errors", "requests_per_second", "p50_ms", "p95_ms", "rendered_requests_per_second",
"rendered_p95_ms", "sql_per_page", "sql_per_page_at_50", "sql_constant", "orm_sql_per_cached_page"}. Stops by
itself.

    python benchmarks/consultation_page.py [--contributions 500] [--seconds 15] [--concurrency 8] [--postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import shutil
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from agora import db  # noqa: E402
from agora.dbadmin import admin_execute, with_db_name  # noqa: E402
from agora.settings import Settings  # noqa: E402
from benchmarks.pages import _load  # noqa: E402
from benchmarks.registration_burst import (  # noqa: E402
    DEFAULT_POSTGRES,
    SECRET,
    _free_port,
    _p95,
    _serve,
    _stop,
    _wait_ready,
)

BODY = "\n\n".join(f"# Abschnitt {n}\n\nText des Abschnitts {n}." for n in range(1, 6))


async def _consultation(slug: str, count: int) -> None:
    from participation.models import PUBLISHED, Contribution, Response
    from participation.services import consultations

    now = datetime.now(UTC)
    consultation = await consultations.create_consultation(
        slug=slug,
        title=f"Digitalstrategie ({count} Beiträge)",
        summary="Der Entwurf",
        office="Amt",
        contact_name="",
        contact_email="",
        topics=[],
        body=BODY,
        moderation="post",
        flag_threshold=3,
        published_at=now - timedelta(days=3),
        opens_at=now - timedelta(days=2),
        closes_at=now + timedelta(days=20),
        evaluation_at=None,
        result_published_at=None,
        result_summary="",
    )
    sections = await consultations.sections_of(consultation.id)
    tops: list[Contribution] = []
    for n in range(count):
        parent = tops[n % len(tops)] if n % 3 == 2 and tops else None
        row = await Contribution.create(
            consultation_id=consultation.id,
            section_id=(parent.section_id if parent else sections[n % len(sections)].id),
            parent_id=parent.id if parent else None,
            depth=1 if parent else 0,
            number=n + 1,
            body=f"Beitrag {n + 1}: Bitte mehr Online-Dienste und schnelleres Internet in allen Ortsteilen.",
            author_name=f"Person {n}",
            show_name=n % 2 == 0,
            status=PUBLISHED,
            supports_count=n % 7,
            received_at=now,
        )
        if parent is None:
            tops.append(row)
            if n % 10 == 0:
                await Response.create(
                    contribution_id=row.id, vote="noted", text="Danke.", state="published", published_at=now
                )


# A query string keeps a page out of the page cache: the reader gets a fresh rendering.
RENDER = "?sort=newest"


class _Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


async def _statements(settings: Settings, path: str) -> int:
    """SQL statements for one rendering of the page, counted through Tortoise's query log."""
    from agora.app import create_app

    app = create_app(settings, manage_db=False)
    counter = _Counter()
    logger = logging.getLogger("tortoise.db_client")
    level = logger.level
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            await client.get(path)  # warm-up: statement caches
            counter.count = 0
            response = await client.get(path)
            assert response.status_code == 200, response.status_code
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)
    return counter.count


async def run(args: argparse.Namespace) -> dict:
    name = f"agora_consult_{uuid.uuid4().hex[:8]}"
    data_dir = Path(f"/tmp/{name}")
    data_dir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once, before anything runs
    port = _free_port()
    if args.postgres:
        await admin_execute(args.database_url, f'CREATE DATABASE "{name}"')
        database_url = with_db_name(args.database_url, name)
    else:
        database_url = f"sqlite://{data_dir / 'agora.sqlite3'}"
    settings = Settings(
        data_dir=data_dir, database_url=database_url, base_url=f"http://127.0.0.1:{port}", secret_key=SECRET
    )
    server = None
    path = "/beteiligung/gross"
    try:
        await db.migrate(settings)
        await db.close_db()
        await db.init_db(settings)
        await _consultation("klein", 50)
        await _consultation("gross", args.contributions)
        small = await _statements(settings, "/beteiligung/klein" + RENDER)
        large = await _statements(settings, path + RENDER)
        cached = await _statements(settings, path)
        await db.close_db()
        server = _serve(settings, port, data_dir / "serve.log", processes=1)
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient() as probe:
            await _wait_ready(probe, base, time.monotonic() + 120)
        await _load(base + path, args.concurrency, min(3.0, args.seconds))  # warm-up, not counted
        started = time.perf_counter()
        latencies, errors = await _load(base + path, args.concurrency, args.seconds)
        elapsed = time.perf_counter() - started
        started = time.perf_counter()
        rendered, rendered_errors = await _load(base + path + RENDER, args.concurrency, args.seconds)
        rendered_elapsed = time.perf_counter() - started
    finally:
        if server is not None:
            _stop(server)
        if args.postgres:
            await admin_execute(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(data_dir, ignore_errors=True)
    latencies.sort()
    rendered.sort()
    return {
        "path": "/beteiligung/{slug}",
        "database": "postgresql" if args.postgres else "sqlite",
        "contributions": args.contributions,
        "concurrency": args.concurrency,
        "requests": len(latencies),
        "errors": errors + rendered_errors,
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(latencies[len(latencies) // 2], 1) if latencies else None,
        "p95_ms": round(_p95(latencies), 1) if latencies else None,
        "rendered_requests_per_second": round(len(rendered) / rendered_elapsed, 1),
        "rendered_p95_ms": round(_p95(rendered), 1) if rendered else None,
        "sql_per_page": large,
        "sql_per_page_at_50": small,
        "sql_constant": large == small,
        # The content-version read of a cached page goes past the ORM's log: one primary-key read, not counted here.
        "orm_sql_per_cached_page": cached,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contributions", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--database-url", default=DEFAULT_POSTGRES)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args))))


if __name__ == "__main__":
    main()
