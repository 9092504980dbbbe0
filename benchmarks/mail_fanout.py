"""Mail fan-out: N outbox messages through W dramatiq workers on Redis to an aiosmtpd sink (PostgreSQL).

Prints one JSON line: {"messages", "workers", "per_second", "lost", "duplicated", "p95_latency_ms"}.
Latency is enqueue (the row's creation) to acceptance by the SMTP sink. Stops by itself (--timeout).

    python benchmarks/mail_fanout.py --n 10000 --workers 2 [--faults]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agora import db  # noqa: E402
from agora.dbadmin import admin_execute, with_db_name  # noqa: E402
from agora.settings import Settings  # noqa: E402
from tests.notifications.smtp_sink import FaultyHandler, SmtpSink  # noqa: E402

SECRET = "benchmark-secret-" + "x" * 40


def _start_workers(settings: Settings, workers: int, threads: int, log_path: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGORA_")}
    env.update(
        AGORA_DATA_DIR=str(settings.data_dir),
        AGORA_DATABASE_URL=settings.database_url,
        AGORA_SECRET_KEY=SECRET,
        AGORA_BASE_URL=settings.base_url,
        AGORA_BROKER_URL=settings.broker_url,
        AGORA_SMTP_URL=settings.smtp_url,
        AGORA_MAIL_QUEUE=settings.mail_queue,
        AGORA_MAIL_CLAIM_TIMEOUT=str(settings.mail_claim_timeout),
        AGORA_MAIL_RETRY_BASE=str(settings.mail_retry_base),
        AGORA_LOG_LEVEL="WARNING",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "agora.cli", "worker", "--processes", str(workers), "--threads", str(threads)],
        env=env,
        stdout=open(log_path, "ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # noqa: SIM115
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


async def run(args: argparse.Namespace) -> dict:
    from notifications import api, dispatch, tasks
    from notifications.models import SENT, OutboxMessage

    name = f"agora_bench_{uuid.uuid4().hex[:8]}"
    queue = f"agora-bench-{uuid.uuid4().hex[:8]}"
    data_dir = Path(f"/tmp/{name}")
    # Only the headers are parsed: the sink shares this process with the enqueuing loop and must not be
    # what limits the figure.
    handler = FaultyHandler(seed=7, headers_only=True)
    if args.faults:
        handler.set_fractions(**{"451": 0.20, "drop": 0.05})
    sink = SmtpSink(handler).start()
    await admin_execute(args.database_url, f'CREATE DATABASE "{name}"')
    settings = Settings(
        data_dir=data_dir,
        database_url=with_db_name(args.database_url, name),
        base_url="http://bench.invalid",
        secret_key=SECRET,
        broker_url=args.redis_url,
        smtp_url=sink.url,
        mail_queue=queue,
        mail_claim_timeout=60,
        mail_retry_base=0.2,
    )
    data_dir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once, before anything runs
    workers = None
    try:
        await db.migrate(settings)
        await db.close_db()
        await db.init_db(settings)
        api.configure(settings)
        dispatch.install(tasks.BrokerDispatcher(settings))
        workers = _start_workers(settings, args.workers, args.threads, data_dir / "workers.log")

        # Wait until the workers are up (one warm-up message went through), so boot time is not counted.
        async with db.transaction():
            warm_id = await api.enqueue("test_message", to="warmup@bench.invalid")
        boot_deadline = time.monotonic() + 180
        while not await OutboxMessage.filter(id=warm_id, status=SENT).exists():
            if time.monotonic() > boot_deadline:
                raise SystemExit("workers did not start; see " + str(data_dir / "workers.log"))
            await asyncio.sleep(0.1)
        with handler.lock:
            handler.received.clear()
            handler.actions_taken.clear()
        await OutboxMessage.filter(id=warm_id).delete()

        started = time.time()
        deadline = time.monotonic() + args.timeout
        sweep_at = time.monotonic() + 10
        # As an invitation run writes its mails: api.enqueue_many, 1,000 to a transaction (one by one with
        # api.enqueue where the code under test has no enqueue_many).
        many = getattr(api, "enqueue_many", None)
        for offset in range(0, args.n, 1000):
            numbers = range(offset, min(args.n, offset + 1000))
            async with db.transaction():
                if many is not None:
                    await many("test_message", [api.Outgoing(f"p{i}@bench.invalid", f"bench-{i}") for i in numbers])
                    continue
                for i in numbers:
                    await api.enqueue("test_message", to=f"p{i}@bench.invalid", dedup_key=f"bench-{i}")
        print(f"enqueued {args.n} in {time.time() - started:.1f}s", file=sys.stderr)
        while time.monotonic() < deadline:
            # len(received) first: counting Message-IDs reads every message received so far.
            if (
                len(handler.received) >= args.n
                and len(handler.message_ids()) >= args.n
                and await OutboxMessage.filter(status=SENT).count() >= args.n
            ):
                break
            if time.monotonic() > sweep_at:  # what `agora scheduler` does in production
                await dispatch.redispatch_stale(settings)
                sweep_at = time.monotonic() + 10
            await asyncio.sleep(0.2)
        created = {row_id: at.timestamp() for row_id, at in await OutboxMessage.all().values_list("id", "created_at")}
    finally:
        if workers is not None:
            _stop(workers)
        dispatch.install(None)
        await db.close_db()
        sink.stop()
        await admin_execute(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _clean_redis(args.redis_url, queue)
    # Reached only when the run went through: after a failure the workers' log stays for reading.
    shutil.rmtree(data_dir, ignore_errors=True)

    first_seen: dict[int, float] = {}
    with handler.lock:
        received = list(handler.received)
    for item in received:
        row_id = int(item.message["Message-ID"].strip("<>").split(".")[0].removeprefix("outbox-"))
        first_seen.setdefault(row_id, item.at)
    latencies = sorted((first_seen[i] - created[i]) * 1000 for i in first_seen if i in created)
    end = max(first_seen.values()) if first_seen else time.time()
    p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))] if latencies else None
    return {
        "messages": args.n,
        "workers": args.workers,
        "per_second": round(len(first_seen) / max(1e-9, end - started), 1),
        "lost": args.n - len(first_seen),
        "duplicated": len(received) - len(first_seen),
        "p95_latency_ms": round(p95, 1) if p95 is not None else None,
        "faults": bool(args.faults),
        "faults_injected": {k: v for k, v in handler.actions_taken.items() if k != "accepted"},
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _clean_redis(url: str, namespace: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(f"{namespace}:*"))
    if keys:
        client.delete(*keys)
    client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000, help="messages to send (default 10000)")
    parser.add_argument("--workers", type=int, default=2, help="dramatiq worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker process (default 8)")
    parser.add_argument("--faults", action="store_true", help="sink answers 20%% of transactions 451, drops 5%%")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--timeout", type=float, default=900, help="give up after this many seconds (default 900)")
    args = parser.parse_args()
    import logging

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    print(json.dumps(asyncio.run(run(args))), flush=True)


if __name__ == "__main__":
    main()
