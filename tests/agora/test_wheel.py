"""A non-editable install (the wheel, as in the Docker image) carries the templates and serves every public page."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project built as a wheel and installed (without its dependencies, which the venv has) into a folder."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work), str(ROOT)],
        check=True,
        cwd=work,
    )
    wheel = next(work.glob("agora-*.whl"))
    target = work / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        cwd=work,
    )
    return target


def test_wheel_holds_the_templates_and_nothing_is_left_in_the_package(installed: Path):
    assert (installed / "agora_templates" / "base.html").is_file()
    assert (installed / "agora_templates" / "events" / "session.html").is_file()
    assert (installed / "agora_templates" / "notifications" / "mail").is_dir()
    assert not (ROOT / "agora" / "templates").exists()


def test_installed_wheel_serves_the_public_pages(installed: Path, tmp_path: Path):
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AGORA_")},
        "PYTHONPATH": str(installed),
        "AGORA_DATA_DIR": str(tmp_path / "data"),
        "AGORA_BASE_URL": f"http://127.0.0.1:{port}",
        "AGORA_LOG_LEVEL": "WARNING",
    }
    probe = subprocess.run(
        [sys.executable, "-c", "import agora, agora.web as w; print(agora.__file__); print(w.TEMPLATE_DIR)"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    module_file, template_dir = probe.stdout.split()
    assert module_file.startswith(str(installed)), "the checkout was imported instead of the wheel"
    assert template_dir.startswith(str(installed))

    server = subprocess.Popen(
        [sys.executable, "-c", "from agora.cli import main; raise SystemExit(main())", "serve", "--demo"]
        + ["--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=10) as client:
            for _ in range(300):
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None:
                    pytest.fail(server.stderr.read().decode() if server.stderr else "server exited")
                time.sleep(0.2)
            home = client.get("/")
            assert home.status_code == 200
            # Every page linked from the home page, in both languages, renders from the installed templates.
            links = sorted(
                {h for h in re.findall(r'href="(/[^"#?]*)"', home.text) if not h.startswith(("/static", "/api"))}
            )
            assert len(links) >= 5, links
            pages = [*links, "/termine", "/staff/login", "/signin", "/api/v1/openapi.json"]
            for path in pages:
                for lang in ("de", "en"):
                    response = client.get(path, cookies={"agora_lang": lang})
                    assert response.status_code == 200, (path, lang, response.status_code)
            session_links = re.findall(r'href="(/termine/\d+[^"]*)"', client.get("/termine").text)
            assert session_links, "the demo has no public session"
            assert client.get(session_links[0]).status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=20)
