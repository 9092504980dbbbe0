"""`agora check` in-process: a broken dependency or a broken check becomes one FAIL line, never an exception."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from agora import checks
from notifications.checks import check_broker
from tests.conftest import base_settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_a_check_that_raises_is_reported_and_the_others_still_run(tmp_path: Path, monkeypatch) -> None:
    ran = []

    async def check_archive(settings):  # noqa: ANN001, ANN202
        raise RuntimeError("archive\nmount   missing")

    async def check_after(settings):  # noqa: ANN001, ANN202
        ran.append(True)
        return [("after", "OK", "fine")]

    monkeypatch.setattr(checks, "EXTRA_CHECKS", [check_archive, check_after])
    settings = base_settings(tmp_path, f"sqlite://{tmp_path / 'agora.sqlite3'}")
    results = await checks.run_checks(settings)
    assert ("archive", "FAIL", "the check itself failed: archive mount missing") in results
    assert ("after", "OK", "fine") in results and ran == [True]
    database = dict((name, status) for name, status, _ in results)
    assert database["database"] == "OK" and database["migrations"] == "FAIL"  # nothing migrated yet
    [pending] = [detail for name, _status, detail in results if name == "migrations"]
    assert pending.endswith("run `agora migrate`") and " ..." in pending  # more than three are shortened


async def test_an_unopenable_sqlite_file_fails_with_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    settings = base_settings(tmp_path, f"sqlite://{blocker / 'agora.sqlite3'}")
    results = await checks.check_database(settings)
    assert [(name, status) for name, status, _ in results] == [("database", "FAIL"), ("migrations", "SKIP")]
    detail = results[0][2]
    assert "\n" not in detail and len(detail) <= 240


def test_long_messages_are_shortened_to_one_line() -> None:
    text = checks._one_line(ValueError("a  b\n" + "x" * 500))  # noqa: SLF001
    assert text.startswith("a b x") and text.endswith("...") and len(text) == 200
    assert checks._one_line(ValueError()) == "ValueError"  # noqa: SLF001


@pytest.mark.timeout(60)
async def test_an_unreachable_amqp_broker_fails_without_raising(tmp_path: Path) -> None:
    settings = base_settings(tmp_path, f"sqlite://{tmp_path / 'agora.sqlite3'}")
    from dataclasses import replace

    port = _free_port()
    [(name, status, detail)] = await check_broker(replace(settings, broker_url=f"amqp://guest:guest@127.0.0.1:{port}/"))
    assert (name, status) == ("broker", "FAIL")
    assert detail.startswith(f"127.0.0.1:{port}:")
    assert "guest:guest" not in detail
