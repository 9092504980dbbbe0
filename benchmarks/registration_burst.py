"""Registration burst: C concurrent registrations through the JSON API at a session with 100 seats,
spread over two `agora serve` processes on one PostgreSQL database (a fresh one, created and dropped here).

Prints one JSON line: {"registrations", "capacity", "web_processes", "confirmed_plus_held", "waitlisted",
"overbooked", "counter_matches", "errors", "registrations_per_second", "p95_ms", "seconds", "client_cpu_s",
"client_cpu_share", "server_cpu_ms_per_registration"}. overbooked must be 0: it is how far the session's seat
counter or the seats of the registrations that hold one go past the capacity. The CPU figures cover the burst
only: the client's own CPU seconds and their share of the machine's CPU time over the burst, and the web
processes' CPU time (from /proc) divided by the number of registrations.
Every registration comes from its own client address (X-Forwarded-For through the trusted proxy setting),
as it would behind the town's reverse proxy, so the per-address limit of the API does not refuse them, and on
its own connection. The client writes requests built beforehand on plain asyncio streams: an HTTP client
library would cost more CPU than the servers on the same machine.
With --broker-url the web processes hand each mail to Redis as in production (nobody consumes it here);
without, they deliver it themselves, as `agora serve` does without a broker. A pool size for the web processes
goes into the database URL (`?maxsize=20`, --pool-size). Stops by itself (--timeout).

    python benchmarks/registration_burst.py [--concurrency 1000] [--capacity 100] [--broker-url redis://...]
                                            [--pool-size 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
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

SECRET = "benchmark-secret-" + "x" * 40
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(settings: Settings, port: int, log_path: Path, *, processes: int = 1) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGORA_")}
    env.update(
        AGORA_DATA_DIR=str(settings.data_dir),
        AGORA_DATABASE_URL=settings.database_url,
        AGORA_SECRET_KEY=SECRET,
        AGORA_BASE_URL=settings.base_url,
        AGORA_LOG_LEVEL="WARNING",
    )
    if settings.broker_url:
        env.update(AGORA_BROKER_URL=settings.broker_url, AGORA_MAIL_QUEUE=settings.mail_queue)
    command = [sys.executable, "-m", "agora.cli", "serve", "--port", str(port), "--proxy-headers"]
    command += ["--forwarded-allow-ips", "127.0.0.1", "--workers", str(processes)]
    return subprocess.Popen(  # noqa: SIM115 - the log stays open for the life of the process
        command, env=env, stdout=open(log_path, "ab"), stderr=subprocess.STDOUT, start_new_session=True
    )


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)


async def _wait_ready(client: httpx.AsyncClient, url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            if (await client.get(url + "/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise SystemExit(f"{url} did not start in time")


async def _session(capacity: int) -> int:
    from events import services

    starts = (datetime.now(UTC) + timedelta(days=14)).replace(microsecond=0)
    session = await services.create_session(
        title="Wirtschaft trifft Verwaltung (Lasttest)",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=capacity,
        venue_name="Rathaus",
    )
    return (await services.publish_session(session.id)).id


def _request(url: str, session_id: int, n: int) -> bytes:
    """The whole HTTP request of registration n, built before the burst: the client then only writes bytes."""
    body = json.dumps(
        {"name": f"Person {n}", "email": f"p{n}@bench.example.org", "organisation": "Firma", "consent": True}
    ).encode()
    host = url.removeprefix("http://")
    # TEST-NET-2 addresses: one client per registration, as behind the reverse proxy.
    address = f"198.51.{100 + n // 250}.{n % 250 + 1}"
    head = (
        f"POST /api/v1/sessions/{session_id}/registrations HTTP/1.1\r\nHost: {host}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        f"X-Forwarded-For: {address}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


async def _burst(urls: list[str], session_id: int, concurrency: int, deadline: float) -> tuple[list[float], dict]:
    """Each registration on a connection of its own, as from separate people. The client is plain asyncio
    streams with the requests built beforehand, so that it takes as little of the machine's CPU as it can."""
    outcomes: dict[str, int] = {}
    latencies: list[float] = []
    requests = [_request(urls[n % len(urls)], session_id, n) for n in range(concurrency)]
    addresses = [urls[n % len(urls)].removeprefix("http://").rsplit(":", 1) for n in range(concurrency)]
    timeout = max(5.0, deadline - time.monotonic())

    async def exchange(n: int) -> str:
        host, port = addresses[n]
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            writer.write(requests[n])
            answer = await reader.read()  # the server closes after answering (Connection: close)
        finally:
            writer.close()
        status = answer.split(b" ", 2)[1] if answer.startswith(b"HTTP/1.1 ") else b"garbled"
        return status.decode()

    async def one(n: int) -> None:
        started = time.perf_counter()
        try:
            key = await asyncio.wait_for(exchange(n), timeout)
        except (OSError, TimeoutError) as exc:
            key = type(exc).__name__
        latencies.append((time.perf_counter() - started) * 1000)
        outcomes[key] = outcomes.get(key, 0) + 1

    await asyncio.gather(*(one(n) for n in range(concurrency)))
    return latencies, outcomes


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process (Linux /proc), to say where the machine's CPU went."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run(args: argparse.Namespace) -> dict:
    from events.models import SEATED, WAITLISTED, Registration, Session

    name = f"agora_bench_{uuid.uuid4().hex[:8]}"
    data_dir = Path(f"/tmp/{name}")
    data_dir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once, before anything runs
    await admin_execute(args.database_url, f'CREATE DATABASE "{name}"')
    ports = [_free_port() for _ in range(args.processes)]
    settings = Settings(
        data_dir=data_dir,
        database_url=_with_pool(with_db_name(args.database_url, name), args.pool_size),
        base_url=f"http://127.0.0.1:{ports[0]}",
        secret_key=SECRET,
        broker_url=args.broker_url,
        mail_queue=f"agora-bench-{uuid.uuid4().hex[:8]}",
    )
    servers: list[subprocess.Popen] = []
    deadline = time.monotonic() + args.timeout
    try:
        await db.migrate(settings)
        await db.close_db()
        await db.init_db(settings)
        session_id = await _session(args.capacity)
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for index, port in enumerate(ports):
            servers.append(_serve(settings, port, data_dir / f"serve-{index}.log"))
        async with httpx.AsyncClient() as probe:
            for url in urls:
                await _wait_ready(probe, url, deadline)
        servers_cpu = sum(_cpu_seconds(server.pid) for server in servers)
        client_cpu = time.process_time()
        started = time.perf_counter()
        latencies, outcomes = await asyncio.wait_for(
            _burst(urls, session_id, args.concurrency, deadline),
            timeout=max(1.0, deadline - time.monotonic()),
        )
        elapsed = time.perf_counter() - started
        client_cpu = time.process_time() - client_cpu
        servers_cpu = sum(_cpu_seconds(server.pid) for server in servers) - servers_cpu
        session = await Session.get(id=session_id)
        seated = await Registration.filter(session_id=session_id, status__in=SEATED)
        seated_seats = sum(r.seats for r in seated)
        waitlisted = await Registration.filter(session_id=session_id, status=WAITLISTED).count()
    finally:
        for server in servers:
            _stop(server)
        await db.close_db()
        await admin_execute(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if args.broker_url:
            from benchmarks.mail_fanout import _clean_redis

            _clean_redis(args.broker_url, settings.mail_queue)
    # Reached only when the run went through: after a failure the server logs stay for reading.
    shutil.rmtree(data_dir, ignore_errors=True)

    latencies.sort()
    created = outcomes.get("201", 0)
    return {
        "registrations": args.concurrency,
        "capacity": args.capacity,
        "web_processes": args.processes,
        "mail": "broker" if args.broker_url else "delivered by the web processes",
        "confirmed_plus_held": len(seated),
        "waitlisted": waitlisted,
        "overbooked": max(0, session.seats_taken - session.capacity, seated_seats - session.capacity),
        "counter_matches": session.seats_taken == seated_seats,
        "errors": args.concurrency - created,
        "outcomes": outcomes,
        "registrations_per_second": round(created / elapsed, 1) if elapsed else None,
        "p95_ms": _p95(latencies),
        "seconds": round(elapsed, 2),
        # CPU seconds spent during the burst, and the client's share of the machine's CPU time over it.
        "client_cpu_s": round(client_cpu, 2),
        "client_cpu_share": round(client_cpu / (elapsed * (os.cpu_count() or 1)), 3) if elapsed else None,
        "server_cpu_ms_per_registration": round(servers_cpu * 1000 / args.concurrency, 2),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _with_pool(url: str, size: int) -> str:
    return f"{url}{'&' if '?' in url else '?'}maxsize={size}"


def _p95(values: list[float]) -> float | None:
    return round(values[min(len(values) - 1, int(len(values) * 0.95))], 1) if values else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", "-c", type=int, default=1000, help="registrations fired at once")
    parser.add_argument("--capacity", type=int, default=100, help="seats of the session")
    parser.add_argument("--processes", type=int, default=2, help="`agora serve` processes (default 2)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("AGORA_TEST_POSTGRES_URL", DEFAULT_POSTGRES),
        help="PostgreSQL server to create the scratch database on",
    )
    parser.add_argument("--pool-size", type=int, default=20, help="database connections per web process")
    parser.add_argument("--timeout", type=float, default=300, help="give up after this many seconds")
    parser.add_argument(
        "--broker-url",
        default="",
        help="Redis URL: the web processes hand mail to the broker (as in production) instead of delivering it",
    )
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args))), flush=True)


if __name__ == "__main__":
    main()
