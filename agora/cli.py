"""The `agora` command."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Callable, Coroutine, MutableMapping
from typing import Any

from agora.settings import Settings, SettingsError, is_set, load_settings


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        print(f"agora: invalid setting: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _run(coro_factory: Callable[[Settings], Coroutine[Any, Any, int | None]]) -> int:
    settings = _settings()
    from agora.app import configure

    configure(settings)
    return asyncio.run(coro_factory(settings)) or 0


async def _with_db(settings: Settings, body: Callable[[], Coroutine[Any, Any, int | None]]) -> int | None:
    from agora import db

    await db.init_db(settings)
    try:
        return await body()
    finally:
        await db.close_db()


def cmd_migrate(args: argparse.Namespace) -> int:
    async def run(settings: Settings) -> int:
        from agora import db

        def progress(event: str, app_label: str, name: str) -> None:
            if event == "apply_done":
                print(f"applied {app_label}.{name}")

        await db.migrate(settings, progress=progress)
        await db.close_db()
        print("database is up to date")
        return 0

    return _run(run)


def cmd_createadmin(args: argparse.Namespace) -> int:
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
    if password is None:
        password = getpass.getpass("Password (at least 12 characters): ")
        if password != getpass.getpass("Repeat password: "):
            print("agora: the passwords do not match", file=sys.stderr)
            return 1

    async def run(settings: Settings) -> int:
        from agora.accounts import services

        async def body() -> int:
            try:
                user, created = await services.ensure_admin(args.email, args.name, password)
            except services.AccountError as exc:
                for field, message in exc.errors.items():
                    print(f"agora: {field}: {message}", file=sys.stderr)
                return 1
            if not created:
                print(
                    f"a user with the email address {user.email} already exists; nothing changed",
                    file=sys.stderr,
                )
                return 1
            print(f"created administrator {user.email}; a second factor is set up at the first sign-in")
            return 0

        return await _with_db(settings, body) or 0

    return _run(run)


def _print_demo_logins(settings: Settings, logins: list[Any]) -> None:
    print("Demo staff sign-in (demo only, change or remove before real use):")
    for login in logins:
        print(f"  {login.email}  password: {login.password}  roles: {', '.join(login.roles)}")
    print("  (administrators set up a second factor with an authenticator app at their first sign-in)")


DEMO_IN_PRODUCTION = (
    "agora: the demo is not available in production mode (AGORA_MODE=production): "
    "its accounts have a published password; nothing was created"
)


def _refuse_demo_in_production(settings: Settings) -> None:
    """Checked before anything touches the database, so a refused demo leaves no trace."""
    if settings.is_production:
        print(DEMO_IN_PRODUCTION, file=sys.stderr)
        raise SystemExit(2)


def cmd_demo(args: argparse.Namespace) -> int:
    _refuse_demo_in_production(_settings())

    async def run(settings: Settings) -> int:
        from agora import db
        from agora.demo import create_demo_content

        await db.migrate(settings)
        await db.close_db()

        async def body() -> int:
            from agora.app import register_domain_hooks

            register_domain_hooks(settings)  # the domains add their demo steps there
            logins = await create_demo_content()
            print("demo content is in place")
            _print_demo_logins(settings, logins)
            return 0

        return await _with_db(settings, body) or 0

    return _run(run)


def follow_port(host: str, port: int, environ: MutableMapping[str, str], *, dotenv: bool = True) -> None:
    """Embedded mode: the links in mails point at the port the server listens on, unless AGORA_BASE_URL is set
    (behind a proxy, or in production, the public address is configured)."""
    if is_set("AGORA_BASE_URL", None if environ is os.environ else environ, dotenv=dotenv):
        return
    if environ.get("AGORA_MODE", "embedded").strip() == "production":
        return
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - listening everywhere: links use the loopback address
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    environ["AGORA_BASE_URL"] = f"http://{host}:{port}"


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    # Before the settings are read: the app factory in uvicorn (and its workers) reads them again.
    follow_port(args.host, args.port, os.environ)
    settings = _settings()
    if args.demo:
        _refuse_demo_in_production(settings)
    from agora.app import configure

    configure(settings)

    async def prepare() -> list[Any]:
        from agora import db

        if not settings.is_production or args.migrate:
            await db.migrate(settings)
            await db.close_db()
        await db.init_db(settings)
        try:
            pending = await db.pending_migrations(settings)
            if pending:
                print(
                    f"agora: {len(pending)} migrations are pending; run `agora migrate` first",
                    file=sys.stderr,
                )
                raise SystemExit(1)
            if args.demo:
                from agora.app import register_domain_hooks
                from agora.demo import create_demo_content

                register_domain_hooks(settings)  # the domains add their demo steps there
                return await create_demo_content()
            return []
        finally:
            await db.close_db()

    logins = asyncio.run(prepare())
    url = f"http://{args.host}:{args.port}/" if args.host not in ("0.0.0.0", "::") else f"{settings.base_url}/"  # noqa: S104
    print(f"Agora is starting at {url}  (staff area: {url}staff)", flush=True)
    if logins:
        _print_demo_logins(settings, logins)
    sys.stdout.flush()
    uvicorn.run(
        "agora.app:from_environment",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=args.proxy_headers,
        forwarded_allow_ips=args.forwarded_allow_ips,
        log_config=None,
        server_header=False,
    )
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    import agora.app  # noqa: F401 - the composition root registers the domains' checks
    from agora.checks import run_checks
    from notifications.checks import register

    register()

    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"settings    FAIL  {exc}")
        return 1
    print("settings    OK    " + ("production mode" if settings.is_production else "embedded mode"))
    results = asyncio.run(run_checks(settings))
    ok = True
    for name, status, detail in results:
        print(f"{name:<11} {status:<5} {detail}")
        ok = ok and status != "FAIL"
    return 0 if ok else 1


def cmd_worker(args: argparse.Namespace) -> int:

    settings = _settings()
    if not settings.broker_url:
        print(
            "agora worker: no broker configured (set AGORA_BROKER_URL to redis://... or amqp://...); "
            "without a broker `agora serve` delivers mail itself",
            file=sys.stderr,
        )
        return 2
    argv = [
        sys.executable,
        "-m",
        "dramatiq",
        "notifications.worker",
        "--processes",
        str(args.processes),
        "--threads",
        str(args.threads),
    ]
    os.execv(sys.executable, argv)  # noqa: S606 - dramatiq's own CLI supervises the worker processes
    return 0  # pragma: no cover


def cmd_scheduler(args: argparse.Namespace) -> int:
    async def run(settings: Settings) -> int:
        import signal

        from notifications import scheduler
        from notifications.runtime import start_scheduler_process

        async def body() -> int:
            from agora.app import register_domain_hooks

            register_domain_hooks(settings)
            loop = scheduler.Scheduler(tick_seconds=args.tick)
            running = await start_scheduler_process(settings, sweep_every=args.sweep_every)
            for sig in (signal.SIGINT, signal.SIGTERM):
                asyncio.get_running_loop().add_signal_handler(sig, loop.stop)
            print(f"agora scheduler: running {len(scheduler.jobs())} jobs, tick {args.tick:g}s", flush=True)
            try:
                await loop.run()
            finally:
                await running()
            return 0

        return await _with_db(settings, body) or 0

    return _run(run)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agora",
        description="Agora: participation and business dialogue. Settings come from AGORA_* environment variables.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the web application (embedded mode migrates the database first)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument("--workers", type=int, default=1, help="number of web processes (default 1)")
    serve.add_argument("--demo", action="store_true", help="create demo content before starting (idempotent)")
    serve.add_argument("--migrate", action="store_true", help="in production mode, apply pending migrations first")
    serve.add_argument("--proxy-headers", action="store_true", help="trust X-Forwarded-* from the reverse proxy")
    serve.add_argument("--forwarded-allow-ips", default="127.0.0.1", help="proxies whose headers are trusted")
    serve.set_defaults(func=cmd_serve)

    migrate = sub.add_parser("migrate", help="apply pending database migrations")
    migrate.set_defaults(func=cmd_migrate)

    admin = sub.add_parser("createadmin", help="create a staff user with the admin role")
    admin.add_argument("--email", required=True, help="email address used to sign in")
    admin.add_argument("--name", default="Administrator", help="display name")
    admin.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    admin.set_defaults(func=cmd_createadmin)

    demo = sub.add_parser("demo", help="create demo content (safe to run more than once)")
    demo.set_defaults(func=cmd_demo)

    worker = sub.add_parser("worker", help="run dramatiq workers that deliver mail (needs AGORA_BROKER_URL)")
    worker.add_argument("--processes", type=int, default=2, help="worker processes (default 2)")
    worker.add_argument("--threads", type=int, default=4, help="threads per process (default 4)")
    worker.set_defaults(func=cmd_worker)

    sched = sub.add_parser("scheduler", help="run the scheduler: reminders, retention jobs, the outbox sweeper")
    sched.add_argument("--tick", type=float, default=5.0, help="seconds between ticks (default 5)")
    sched.add_argument("--sweep-every", type=float, default=15.0, help="seconds between outbox sweeps (default 15)")
    sched.set_defaults(func=cmd_scheduler)

    check = sub.add_parser("check", help="check settings, database, migrations, broker and SMTP; exit 1 on failure")
    check.set_defaults(func=cmd_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
