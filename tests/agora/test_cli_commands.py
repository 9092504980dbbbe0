"""The `agora` commands beyond the first start: the scheduler process, the worker without a broker, production
refusals and the interactive password prompt, each in a subprocess as a user runs them."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from agora import db
from agora.db import transaction
from notifications import api
from tests.agora.test_cli import _env, _user_count, agora
from tests.conftest import base_settings

STRONG = "Rathausplatz-Laterne-Morgennebel-42"


def test_worker_without_a_broker_explains_what_to_do(tmp_path):
    result = agora(tmp_path, "worker")
    assert result.returncode == 2
    assert "AGORA_BROKER_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_worker_refuses_an_invalid_setting_with_one_line(tmp_path):
    result = agora(tmp_path, "worker", AGORA_BROKER_URL="http://broker.example.org")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "agora: invalid setting: AGORA_BROKER_URL: scheme must be one of redis, rediss, amqp, amqps, "
        "got 'http://broker.example.org'"
    ]


def test_production_serve_refuses_pending_migrations_and_changes_nothing(tmp_path):
    result = agora(tmp_path, "serve", "--port", "1", AGORA_MODE="production", AGORA_SECRET_KEY="k" * 40)
    assert result.returncode == 1
    assert "migrations are pending" in result.stderr and "agora migrate" in result.stderr
    assert "Agora is starting" not in result.stdout
    assert "Traceback" not in result.stderr


def test_production_needs_a_secret_key(tmp_path):
    result = agora(tmp_path, "migrate", AGORA_MODE="production")
    assert result.returncode == 2
    assert "AGORA_SECRET_KEY" in result.stderr
    assert not (tmp_path / "data" / "agora.sqlite3").exists()


def test_createadmin_prompts_twice_and_refuses_different_passwords(tmp_path):
    assert agora(tmp_path, "migrate").returncode == 0
    # Without a terminal, getpass reads the two answers from standard input.
    mismatch = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "agora.cli", "createadmin", "--email", "chefin@example.org"],
        cwd=tmp_path,
        env=_env(tmp_path / "data"),
        input=f"{STRONG}\n{STRONG}x\n",
        capture_output=True,
        text=True,
        timeout=120,
        start_new_session=True,
    )
    assert mismatch.returncode == 1
    assert "do not match" in mismatch.stderr
    assert _user_count(tmp_path) == 0

    ok = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "agora.cli", "createadmin", "--email", "chefin@example.org"],
        cwd=tmp_path,
        env=_env(tmp_path / "data"),
        input=f"{STRONG}\n{STRONG}\n",
        capture_output=True,
        text=True,
        timeout=120,
        start_new_session=True,
    )
    assert ok.returncode == 0, ok.stderr
    assert _user_count(tmp_path) == 1


def _enqueue_without_dispatcher(data_dir: Path) -> int:
    """Queue one mail in the command's database, as a web process would whose hand-over got lost."""
    settings = base_settings(data_dir, f"sqlite://{data_dir / 'agora.sqlite3'}")

    async def run() -> int:
        await db.init_db(settings)
        try:
            async with transaction():
                row_id = await api.enqueue("test_message", to="kaemmerei@example.org", context={"n": 1})
            assert row_id is not None
            return row_id
        finally:
            await db.close_db()

    return asyncio.run(run())


def test_scheduler_delivers_what_was_left_and_stops_on_sigterm(tmp_path):
    assert agora(tmp_path, "migrate").returncode == 0
    row_id = _enqueue_without_dispatcher(tmp_path / "data")
    delivered = tmp_path / "data" / "mail" / f"outbox-{row_id}.eml"
    log_path = tmp_path / "scheduler.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "-m", "agora.cli", "scheduler", "--tick", "0.2", "--sweep-every", "0.2"],
            cwd=tmp_path,
            env=_env(tmp_path / "data"),
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        try:
            first = proc.stdout.readline()
            assert first.startswith("agora scheduler: running"), first + log_path.read_text()
            assert "tick 0.2s" in first
            deadline = time.monotonic() + 60
            while not delivered.exists() and time.monotonic() < deadline:
                time.sleep(0.2)
            assert delivered.exists(), log_path.read_text()
            assert "kaemmerei@example.org" in delivered.read_text()
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0, log_path.read_text()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert "Traceback" not in log_path.read_text()


def test_main_runs_in_process_and_reports_the_command_exit_code(tmp_path, monkeypatch, capsys):
    from agora import cli

    monkeypatch.chdir(tmp_path)
    for key in [k for k in os.environ if k.startswith("AGORA_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("AGORA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("AGORA_BROKER_URL", "")
    assert cli.main(["worker"]) == 2
    assert "no broker configured" in capsys.readouterr().err
