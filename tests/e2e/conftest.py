"""Browser tests against the real running app: `agora serve --demo` in a subprocess, headless Debian Chromium.

Needs /usr/bin/chromium, axe-core (axe.min.js) and the Nu HTML Checker (vnu.jar, run with java). Without them
the tests skip and say how to enable them; with AGORA_E2E_REQUIRED=1 (set by .ci/run) they fail instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("AGORA_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
NODE_MODULES = ROOT / ".ci" / "node" / "node_modules"
AXE_JS = Path(os.environ.get("AGORA_TEST_AXE_JS") or NODE_MODULES / "axe-core" / "axe.min.js")
VNU_JAR = Path(os.environ.get("AGORA_TEST_VNU_JAR") or NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar")
REQUIRED = os.environ.get("AGORA_E2E_REQUIRED") == "1"
HOW_TO = (
    "install Debian's chromium (apt-get install chromium) and run "
    "`npm install --prefix .ci/node axe-core vnu-jar` (or set AGORA_TEST_AXE_JS / AGORA_TEST_VNU_JAR); "
    "`bash .ci/run` does all of it"
)

ORGANIZER_EMAIL = "redaktion@agora.example"
ADMIN_EMAIL = "e2e-admin@agora.example"
ADMIN_PASSWORD = "e2e admin passphrase for the crawl"  # noqa: S105 - test only
ADMIN_TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

# Creates the admin with a known second factor before the server starts, so the crawl can sign in as admin.
_CREATE_ADMIN = f"""
import asyncio
from datetime import UTC, datetime
from agora import db
from agora.accounts import services
from agora.accounts.models import User
from agora.settings import load_settings

async def main():
    settings = load_settings()
    await db.migrate(settings)
    await db.close_db()
    await db.init_db(settings)
    try:
        user = await services.create_user({ADMIN_EMAIL!r}, "E2E Admin", {ADMIN_PASSWORD!r}, ["admin"])
        await User.filter(id=user.id).update(totp_secret={ADMIN_TOTP!r}, totp_confirmed_at=datetime.now(UTC))
    finally:
        await db.close_db()

asyncio.run(main())
"""


def _unavailable(reason: str) -> None:
    message = f"{reason}; to run the browser tests {HOW_TO}"
    if REQUIRED:
        pytest.fail(f"AGORA_E2E_REQUIRED=1 but {message}", pytrace=False)
    pytest.skip(message)


@dataclass(frozen=True)
class Tools:
    axe_js: Path
    vnu_jar: Path
    java: str


@pytest.fixture(scope="session")
def tools() -> Tools:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the Python package playwright is not installed (pip install -e '.[test]')")
    if not CHROMIUM.is_file():
        _unavailable(f"{CHROMIUM} is missing")
    if not AXE_JS.is_file():
        _unavailable(f"axe-core not found at {AXE_JS}")
    if not VNU_JAR.is_file():
        _unavailable(f"the Nu HTML Checker not found at {VNU_JAR}")
    java = shutil.which("java")
    if java is None:
        _unavailable("java is missing (the Nu HTML Checker runs on it; apt-get install default-jre-headless)")
    return Tools(axe_js=AXE_JS, vnu_jar=VNU_JAR, java=str(java))


def _agora_command() -> list[str]:
    """The `agora` script of the interpreter running the tests, so the server runs the code under test."""
    beside = Path(sys.executable).parent / "agora"
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("agora")
    if found:
        return [found]
    return [sys.executable, "-m", "agora.cli"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_env(data_dir: Path, base_url: str) -> dict[str, str]:
    # Settings refuse unknown AGORA_* variables: test switches such as AGORA_E2E_REQUIRED stay out of the
    # server's environment.
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGORA_")}
    env.update(
        AGORA_DATA_DIR=str(data_dir),
        AGORA_BASE_URL=base_url,
        AGORA_LOG_FORMAT="text",
        AGORA_LOG_LEVEL="WARNING",
    )
    return env


@dataclass(frozen=True)
class Server:
    base_url: str
    data_dir: Path


@pytest.fixture(scope="session")
def server(tools: Tools, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("e2e-data")
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = _server_env(data_dir, base_url)
    setup = subprocess.run(
        [sys.executable, "-c", _CREATE_ADMIN],
        env=env,
        cwd=data_dir,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert setup.returncode == 0, f"creating the e2e admin failed:\n{setup.stdout}\n{setup.stderr}"
    log_path = data_dir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*_agora_command(), "serve", "--demo", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=data_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"agora serve exited with {process.returncode}:\n{log_path.read_text()}")
            try:
                if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"agora serve did not answer /healthz within 60 s:\n{log_path.read_text()}")
            time.sleep(0.2)
        yield Server(base_url=base_url, data_dir=data_dir)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture(scope="module")
def browser(tools: Tools):  # noqa: ANN201 - playwright's Browser
    # Module scope, not session: while the sync API is open it keeps an asyncio loop marked as running in this
    # thread, and every later test that calls asyncio.run() would fail.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield instance
        finally:
            instance.close()


def organizer_password() -> str:
    from agora.demo import DEMO_PASSWORD

    return DEMO_PASSWORD


def mailed_link(mail_dir: Path, address: str, pattern: str, timeout: float = 30.0) -> str:
    """The first link matching `pattern` in the plain text of the mail to `address` (the embedded mode writes
    delivered mail as .eml files into the data directory, shortly after the request commits)."""
    import email
    import re
    from email.policy import default

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.glob("**/*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=default)
            if address in str(message["To"]):
                body = message.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
                found = re.search(pattern, body.get_content() if body is not None else "")
                assert found, f"the mail to {address} has no link matching {pattern}"
                return found.group(0)
        time.sleep(0.2)
    pytest.fail(f"no mail to {address} appeared in {mail_dir} within {timeout} s")
