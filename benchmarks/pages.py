"""Public session page: requests per second and latency of GET /termine/{id} under concurrent readers.

Starts `agora serve` (embedded SQLite by default, or PostgreSQL with --postgres) on a scratch database
with one published session that has an agenda of six items with speakers and two workshop tracks, warms up,
then keeps --concurrency readers busy for --seconds. In the same run it measures the ceiling
(benchmarks/ceiling.py: the same stack and number of processes serving a page of the same size from memory).
Prints one JSON line: {"path", "page", "database", "web_processes", "concurrency", "requests", "errors",
"requests_per_second", "p50_ms", "p95_ms", "page_bytes", "ceiling_rps", "ceiling_p95_ms", "ratio_to_ceiling",
"rss_mb_per_process"}. "page" says what was measured: "public session page", or "api session endpoint" if the
public page does not exist. rss_mb_per_process is the largest resident set of a web process at the end of the load.
Stops by itself.

    python benchmarks/pages.py [--seconds 20] [--concurrency 16] [--postgres] [--processes 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
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
from benchmarks.registration_burst import (  # noqa: E402
    DEFAULT_POSTGRES,
    SECRET,
    _free_port,
    _p95,
    _serve,
    _stop,
    _wait_ready,
)


async def _session() -> int:
    from events import services

    starts = (datetime.now(UTC) + timedelta(days=14)).replace(hour=7, minute=0, second=0, microsecond=0)
    series = await services.create_series(title="Wirtschaft trifft Verwaltung", office="Wirtschaftsförderung")
    session = await services.create_session(
        series_id=series.id,
        kind="workshop",
        title="Wirtschaft trifft Verwaltung: Digitalisierung im Mittelstand",
        description="Ein **Frühstück** im Rathaus mit Vorträgen und Workshops.\n\n- Austausch\n- Netzwerken",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        capacity=80,
        venue_name="Rathaus",
        venue_address="Marktplatz 1, 12345 Musterstadt",
    )
    tracks = [await services.add_track(session.id, title=f"Workshop {n}", capacity=40) for n in (1, 2)]
    for index in range(6):
        await services.add_agenda_item(
            session.id,
            starts_at=starts + timedelta(minutes=30 * index),
            ends_at=starts + timedelta(minutes=30 * index + 25),
            title=f"Programmpunkt {index + 1}",
            description="Kurzer Impuls und Diskussion.",
            kind="talk" if index % 2 == 0 else "discussion",
            room="Ratssaal",
            track_id=tracks[index % 2].id if index >= 4 else None,
            speakers=[{"name": f"Referentin {index + 1}", "role": "Leitung", "organisation": "Stadt"}],
        )
    return (await services.publish_session(session.id)).id


async def _load(url: str, concurrency: int, seconds: float) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    stop_at = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def reader() -> None:
            nonlocal errors
            while time.monotonic() < stop_at:
                started = time.perf_counter()
                try:
                    response = await client.get(url)
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append((time.perf_counter() - started) * 1000)
                errors += not ok

        await asyncio.gather(*(reader() for _ in range(concurrency)))
    return latencies, errors


def rss_mb(process: subprocess.Popen) -> float | None:
    """The largest resident set (MB) among the processes of the server's process group (Linux /proc)."""
    largest = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) != process.pid:  # the process group id
                continue
            status = (stat.parent / "status").read_text()
        except (OSError, IndexError, ValueError):
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                largest = max(largest, int(line.split()[1]))
    return round(largest / 1024, 1) if largest else None


async def ceiling(args: argparse.Namespace, page_bytes: int, seconds: float) -> tuple[float, float | None]:
    """Requests per second and p95 of benchmarks/ceiling.py serving a page of page_bytes, with the same load."""
    port = _free_port()
    command = [sys.executable, str(ROOT / "benchmarks" / "ceiling.py"), "--port", str(port)]
    command += ["--processes", str(args.processes), "--bytes", str(page_bytes)]
    server = subprocess.Popen(  # noqa: ASYNC220 - started once, before the load
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        async with httpx.AsyncClient() as probe:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if (await probe.get(url)).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.2)
        await _load(url, args.concurrency, min(2.0, seconds))
        started = time.perf_counter()
        latencies, _errors = await _load(url, args.concurrency, seconds)
        elapsed = time.perf_counter() - started
    finally:
        _stop(server)
    latencies.sort()
    return round(len(latencies) / elapsed, 1), _p95(latencies)


async def run(args: argparse.Namespace) -> dict:
    name = f"agora_pages_{uuid.uuid4().hex[:8]}"
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
    try:
        await db.migrate(settings)
        await db.close_db()
        await db.init_db(settings)
        session_id = await _session()
        await db.close_db()
        server = _serve(settings, port, data_dir / "serve.log", processes=args.processes)
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient() as probe:
            await _wait_ready(probe, base, time.monotonic() + 120)
            path, page = f"/termine/{session_id}", "public session page"
            first = await probe.get(base + path)
            page_bytes = len(first.content)
            if first.status_code != 200:
                path, page = (
                    f"/api/v1/sessions/{session_id}",
                    "api session endpoint (no public session page found)",
                )
        await _load(base + path, args.concurrency, min(3.0, args.seconds))  # warm-up, not counted
        started = time.perf_counter()
        latencies, errors = await _load(base + path, args.concurrency, args.seconds)
        elapsed = time.perf_counter() - started
        memory = rss_mb(server)
        _stop(server)
        server = None
        ceiling_rps, ceiling_p95 = await ceiling(args, page_bytes, args.seconds)
    finally:
        if server is not None:
            _stop(server)
        if args.postgres:
            await admin_execute(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(data_dir, ignore_errors=True)
    latencies.sort()
    rps = round(len(latencies) / elapsed, 1)
    return {
        "path": "/termine/{id}" if path.startswith("/termine/") else "/api/v1/sessions/{id}",
        "page": page,
        "database": "postgresql" if args.postgres else "sqlite",
        "web_processes": args.processes,
        "concurrency": args.concurrency,
        "requests": len(latencies),
        "errors": errors,
        "requests_per_second": rps,
        "p50_ms": round(latencies[len(latencies) // 2], 1) if latencies else None,
        "p95_ms": _p95(latencies),
        "page_bytes": page_bytes,
        "ceiling_rps": ceiling_rps,
        "ceiling_p95_ms": ceiling_p95,
        "ratio_to_ceiling": round(rps / ceiling_rps, 3) if ceiling_rps else None,
        "rss_mb_per_process": memory,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20, help="how long to measure")
    parser.add_argument("--concurrency", "-c", type=int, default=16, help="readers at once")
    parser.add_argument("--processes", type=int, default=1, help="web processes of `agora serve`")
    parser.add_argument("--postgres", action="store_true", help="use PostgreSQL instead of the embedded SQLite")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("AGORA_TEST_POSTGRES_URL", DEFAULT_POSTGRES),
        help="PostgreSQL server for --postgres",
    )
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args))), flush=True)


if __name__ == "__main__":
    main()
