"""`agora serve --port` in the embedded mode: mailed links follow the port unless AGORA_BASE_URL is set."""

from __future__ import annotations

from agora.cli import follow_port
from agora.settings import is_set, load_settings


def test_the_base_url_follows_the_port_in_the_embedded_mode() -> None:
    env: dict[str, str] = {}
    follow_port("127.0.0.1", 8152, env, dotenv=False)
    assert env["AGORA_BASE_URL"] == "http://127.0.0.1:8152"
    assert load_settings(env, dotenv=False).base_url == "http://127.0.0.1:8152"

    everywhere: dict[str, str] = {}
    follow_port("0.0.0.0", 9000, everywhere, dotenv=False)  # noqa: S104
    assert everywhere["AGORA_BASE_URL"] == "http://127.0.0.1:9000"
    ipv6: dict[str, str] = {}
    follow_port("::1", 9001, ipv6, dotenv=False)
    assert ipv6["AGORA_BASE_URL"] == "http://[::1]:9001"


def test_a_configured_base_url_or_the_production_mode_is_left_alone() -> None:
    given = {"AGORA_BASE_URL": "https://agora.musterstadt.de"}
    follow_port("127.0.0.1", 8152, given, dotenv=False)
    assert given["AGORA_BASE_URL"] == "https://agora.musterstadt.de"
    production = {"AGORA_MODE": "production"}
    follow_port("127.0.0.1", 8152, production, dotenv=False)
    assert "AGORA_BASE_URL" not in production
    assert not is_set("AGORA_BASE_URL", {"AGORA_BASE_URL": "  "})


def test_is_set_reads_the_environment_and_the_env_file(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AGORA_BASE_URL", raising=False)
    assert not is_set("AGORA_BASE_URL")
    (tmp_path / ".env").write_text("AGORA_BASE_URL=https://example.org\n")
    assert is_set("AGORA_BASE_URL") and not is_set("AGORA_BASE_URL", dotenv=False)
    monkeypatch.setenv("AGORA_BASE_URL", "https://other.example.org")
    assert is_set("AGORA_BASE_URL", dotenv=False)
    env = {"AGORA_MODE": "embedded"}
    follow_port("127.0.0.1", 8000, env)  # a plain mapping is read as it is, without the .env file
    assert env["AGORA_BASE_URL"] == "http://127.0.0.1:8000"


def test_the_map_service_is_a_setting() -> None:
    import pytest

    from agora.settings import SettingsError

    custom = load_settings({"AGORA_MAP_URL": "https://maps.example.org/?q={address}"}, dotenv=False)
    assert custom.map_url == "https://maps.example.org/?q={address}"
    for bad in ("http://maps.example.org/?q={address}", "https://maps.example.org/"):
        with pytest.raises(SettingsError, match="AGORA_MAP_URL"):
            load_settings({"AGORA_MAP_URL": bad}, dotenv=False)
