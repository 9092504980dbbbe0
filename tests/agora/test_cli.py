"""The `agora` command as a user runs it: in a subprocess, with its data directory in a temporary place."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from agora.demo import DEMO_PASSWORD, DEMO_USERS
from tests.conftest import POSTGRES_URL

COMMANDS = ("serve", "migrate", "createadmin", "demo", "check", "worker", "scheduler")
STRONG = "Marktplatz-Brunnen-Abendsonne-17"


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGORA_")}
    env.update({"AGORA_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1", **extra})
    return env


def agora(tmp_path: Path, *args: str, stdin: str | None = None, timeout: float = 120, **env: str):
    """Run `agora ARGS` in tmp_path (so no .env of the checkout is read)."""
    return subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "agora.cli", *args],
        cwd=tmp_path,
        env=_env(tmp_path / "data", **env),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def createadmin(tmp_path: Path, email: str, password: str) -> subprocess.CompletedProcess:
    return agora(tmp_path, "createadmin", "--email", email, "--password-stdin", stdin=password + "\n")


def _verdicts(stdout: str) -> dict[str, str]:
    verdicts = {}
    for line in stdout.splitlines():
        parts = line.split(None, 2)
        if len(parts) >= 2 and parts[1] in ("OK", "SKIP", "FAIL"):
            verdicts[parts[0]] = parts[1]
    return verdicts


def _user_count(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / "data" / "agora.sqlite3") as conn:
        return conn.execute("SELECT count(*) FROM accounts_user").fetchone()[0]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_help_documents_every_command(tmp_path):
    result = agora(tmp_path, "--help")
    assert result.returncode == 0
    for command in COMMANDS:
        assert command in result.stdout
    from agora.cli import build_parser

    subparsers = next(a for a in build_parser()._actions if a.dest == "command")  # noqa: SLF001
    helps = {choice.dest: choice.help for choice in subparsers._choices_actions}  # noqa: SLF001
    assert set(COMMANDS) <= set(helps)
    for command, text in helps.items():
        assert text and len(text) > 15, f"agora {command} has no real help text"
        assert text in " ".join(result.stdout.split()) or text[:40] in result.stdout, command
        sub = agora(tmp_path, command, "--help")
        assert sub.returncode == 0 and "usage: agora " + command in sub.stdout


def test_check_on_a_healthy_embedded_setup(tmp_path):
    assert agora(tmp_path, "migrate").returncode == 0
    result = agora(tmp_path, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    verdicts = _verdicts(result.stdout)
    assert verdicts["settings"] == "OK" and verdicts["database"] == "OK" and verdicts["migrations"] == "OK"
    assert "FAIL" not in verdicts.values()
    assert "SQLite at" in result.stdout and "embedded mode" in result.stdout


def test_check_names_an_invalid_setting_in_one_line(tmp_path):
    result = agora(tmp_path, "check", AGORA_SESSION_IDLE_MINUTES="soon")
    assert result.returncode != 0
    lines = [line for line in result.stdout.splitlines() if "FAIL" in line]
    assert len(lines) == 1, result.stdout
    assert lines[0].startswith("settings") and "AGORA_SESSION_IDLE_MINUTES" in lines[0]
    assert "whole number" in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["migrate", "serve"])
def test_other_commands_refuse_an_invalid_setting_with_one_line(tmp_path, command):
    result = agora(tmp_path, command, AGORA_TIME_ZONE="Mars/Olympus")
    assert result.returncode != 0
    expected = "agora: invalid setting: AGORA_TIME_ZONE: unknown time zone 'Mars/Olympus'"
    assert result.stderr.strip().splitlines() == [expected]


def test_check_reports_pending_migrations(tmp_path):
    result = agora(tmp_path, "check")
    assert result.returncode == 1
    verdicts = _verdicts(result.stdout)
    assert verdicts["database"] == "OK"
    assert verdicts["migrations"] == "FAIL"
    assert "pending" in result.stdout and "agora migrate" in result.stdout


def test_check_reports_an_unreachable_postgres(tmp_path):
    url = f"postgres://agora:secret@127.0.0.1:{_free_port()}/agora"
    result = agora(tmp_path, "check", AGORA_DATABASE_URL=url)
    assert result.returncode == 1
    verdicts = _verdicts(result.stdout)
    assert verdicts["database"] == "FAIL"
    assert verdicts["migrations"] == "SKIP"
    line = next(x for x in result.stdout.splitlines() if x.startswith("database"))
    assert "secret" not in result.stdout, "the password must not be printed"
    assert "127.0.0.1" in line or "connect" in line
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(not POSTGRES_URL, reason="set AGORA_TEST_POSTGRES_URL to check against PostgreSQL")
def test_check_on_reachable_postgres(tmp_path):
    result = agora(tmp_path, "check", AGORA_DATABASE_URL=POSTGRES_URL)
    assert _verdicts(result.stdout)["database"] == "OK", result.stdout


def test_migrate_then_demo_twice_is_idempotent(tmp_path):
    migrate = agora(tmp_path, "migrate")
    assert migrate.returncode == 0, migrate.stderr
    assert "database is up to date" in migrate.stdout
    again = agora(tmp_path, "migrate")
    assert again.returncode == 0 and "applied" not in again.stdout.replace("up to date", "")
    first = agora(tmp_path, "demo")
    assert first.returncode == 0, first.stderr
    count = _user_count(tmp_path)
    assert count == len(DEMO_USERS)
    second = agora(tmp_path, "demo")
    assert second.returncode == 0, second.stderr
    assert _user_count(tmp_path) == count
    for login in DEMO_USERS:
        assert login.email in second.stdout
    assert DEMO_PASSWORD in second.stdout


def test_createadmin(tmp_path):
    assert agora(tmp_path, "migrate").returncode == 0
    weak = createadmin(tmp_path, "chef@example.org", "password")
    assert weak.returncode == 1
    assert "password" in weak.stderr.lower() and "12" in weak.stderr, weak.stderr
    assert _user_count(tmp_path) == 0

    common = createadmin(tmp_path, "chef@example.org", "password1234")
    assert common.returncode == 1 and _user_count(tmp_path) == 0, common.stderr

    bad_mail = createadmin(tmp_path, "not-an-address", STRONG)
    assert bad_mail.returncode == 1 and "email" in bad_mail.stderr.lower()
    assert _user_count(tmp_path) == 0

    ok = createadmin(tmp_path, "chef@example.org", STRONG)
    assert ok.returncode == 0, ok.stderr
    assert "chef@example.org" in ok.stdout
    with sqlite3.connect(tmp_path / "data" / "agora.sqlite3") as conn:
        stored = conn.execute("SELECT password_hash FROM accounts_user").fetchone()[0]
    assert stored.startswith("$argon2") and STRONG not in stored

    duplicate = createadmin(tmp_path, "Chef@Example.org", STRONG)
    assert duplicate.returncode == 1
    assert "already exists" in duplicate.stderr
    assert _user_count(tmp_path) == 1


def test_serve_demo_prints_url_and_login_and_answers(tmp_path):
    port = _free_port()
    stderr_path = tmp_path / "stderr.log"
    with stderr_path.open("w") as stderr:
        proc = subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "-m", "agora.cli", "serve", "--demo", "--port", str(port)],
            cwd=tmp_path,
            env=_env(tmp_path / "data"),
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        try:
            seen: list[str] = []
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and not any(DEMO_PASSWORD in line for line in seen):
                line = proc.stdout.readline()
                if not line and proc.poll() is not None:
                    break
                seen.append(line)
            output = "".join(seen)
            assert f"http://127.0.0.1:{port}/" in output, output + stderr_path.read_text()
            assert DEMO_USERS[0].email in output and DEMO_PASSWORD in output

            response = None
            while time.monotonic() < deadline:
                try:
                    response = httpx.get(f"http://127.0.0.1:{port}/healthz", headers={"X-Request-ID": "cli-test-1"})
                    break
                except httpx.TransportError:
                    time.sleep(0.2)
            assert response is not None and response.status_code == 200
            assert response.json() == {"status": "ok"}
            assert response.headers["x-request-id"] == "cli-test-1"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    # stderr is a file, not a terminal: the logs are JSON lines, with the access line of our request.
    import json

    records = []
    for line in stderr_path.read_text().splitlines():
        if line.startswith("{"):
            records.append(json.loads(line))
    access = [r for r in records if r.get("logger") == "agora.access" and r.get("path") == "/healthz"]
    assert access and access[0]["request_id"] == "cli-test-1" and access[0]["status"] == 200


@pytest.mark.parametrize("command", [("demo",), ("serve", "--demo", "--port", "1")])
def test_the_demo_refuses_to_run_in_production_mode(tmp_path, command):
    result = agora(
        tmp_path,
        *command,
        AGORA_MODE="production",
        AGORA_SECRET_KEY="p" * 40,
        AGORA_BASE_URL="https://agora.example.org",
        AGORA_DATABASE_URL=f"sqlite://{tmp_path / 'data' / 'agora.sqlite3'}",
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "agora: the demo is not available in production mode (AGORA_MODE=production): "
        "its accounts have a published password; nothing was created"
    ]
    assert "password" not in result.stdout and DEMO_PASSWORD not in result.stdout + result.stderr
    assert not (tmp_path / "data" / "agora.sqlite3").exists()  # not even a database file
