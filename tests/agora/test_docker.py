"""The docker/ files agree with the code: setting names, commands, a non-root runtime stage."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from agora.cli import build_parser
from agora.settings import ENV_NAMES

DOCKER = Path(__file__).resolve().parents[2] / "docker"
AGORA_NAME = re.compile(r"\bAGORA_[A-Z0-9_]+")


def _compose() -> dict:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text(encoding="utf-8"))


def _environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def test_every_agora_variable_in_compose_is_a_setting():
    text = (DOCKER / "compose.yaml").read_text(encoding="utf-8")
    used = set(AGORA_NAME.findall(text))
    assert used, "compose.yaml sets no AGORA_* variable"
    unknown = sorted(used - set(ENV_NAMES.values()))
    assert unknown == [], f"not settings of agora.settings: {unknown}"


def test_compose_has_the_production_topology():
    services = _compose()["services"]
    assert {"postgres", "redis", "migrate", "web", "worker", "scheduler"} <= set(services)
    for name in ("migrate", "web", "worker", "scheduler"):
        env = _environment(services[name])
        assert env.get("AGORA_MODE") == "production", name
        assert env["AGORA_DATABASE_URL"].startswith("postgres://"), name
        assert env["AGORA_BROKER_URL"].startswith("redis://"), name
        assert "AGORA_SECRET_KEY" in env, name
        assert set(env) <= set(ENV_NAMES.values()), name
    assert services["migrate"]["command"][:2] == ["agora", "migrate"]
    assert services["web"]["command"][:2] == ["agora", "serve"]
    assert services["worker"]["command"][:2] == ["agora", "worker"]
    assert services["scheduler"]["command"][:2] == ["agora", "scheduler"]
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_compose_commands_are_agora_commands():
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")  # noqa: SLF001
    known = set(subparsers.choices)
    for name, service in _compose()["services"].items():
        command = service.get("command")
        if command and command[0] == "agora":
            assert command[1] in known, f"{name}: agora {command[1]} does not exist"
            parser.parse_args(command[1:])  # exits (fails the test) on an unknown option


def test_dockerfile_is_multi_stage_and_runs_as_non_root():
    text = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\w+))?", text, flags=re.M | re.I)
    assert len(stages) >= 2, "expected a builder and a runtime stage"
    assert stages[-1][0] == "python:3.11-slim"
    runtime = text[text.rindex("\nFROM ") :]
    users = re.findall(r"^USER\s+(\S+)", runtime, flags=re.M)
    assert users, "the runtime stage sets no USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0"), f"runtime runs as {user}"
    assert "build-essential" not in runtime and "gcc" not in runtime, "build tools in the runtime stage"
    assert re.search(r"^HEALTHCHECK .*\n?.*?/healthz", runtime, flags=re.M), "no HEALTHCHECK on /healthz"
    cmd = re.search(r"^CMD\s+(\[.*\])", runtime, flags=re.M)
    assert cmd and yaml.safe_load(cmd.group(1))[:4] == ["agora", "serve", "--host", "0.0.0.0"]


def test_dockerignore_keeps_secrets_and_local_state_out():
    ignored = (DOCKER.parent / ".dockerignore").read_text(encoding="utf-8").split()
    for entry in (".git", ".venv", "data", ".env"):
        assert entry in ignored
