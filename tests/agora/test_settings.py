"""Settings: one clear line naming the variable for every bad value, and the secret key rules."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

from agora.settings import ENV_NAMES, Settings, SettingsError, load_settings

KEY = "k" * 40


def env(tmp_path: Path, **values: str) -> dict[str, str]:
    return {"AGORA_DATA_DIR": str(tmp_path), "AGORA_SECRET_KEY": KEY, **values}


def test_defaults_for_the_embedded_mode(tmp_path):
    settings = load_settings({"AGORA_DATA_DIR": str(tmp_path)}, dotenv=False)
    assert settings.mode == "embedded"
    assert settings.database_url == f"sqlite://{tmp_path.resolve() / 'agora.sqlite3'}"
    assert settings.time_zone == "Europe/Berlin"
    assert settings.languages == ("de", "en") and settings.default_language == "de"
    assert not settings.https


def test_settings_are_frozen(tmp_path):
    settings = load_settings(env(tmp_path), dotenv=False)
    with pytest.raises(AttributeError):
        settings.secret_key = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("variable", "value", "fragment"),
    [
        ("AGORA_BASE_URL", "ftp://agora.example", "scheme"),
        ("AGORA_BASE_URL", "https://", "host"),
        ("AGORA_DATABASE_URL", "mysql://db/agora", "scheme"),
        ("AGORA_TIME_ZONE", "Europe/Atlantis", "time zone"),
        ("AGORA_SECRET_KEY", "too-short", "32"),
        ("AGORA_MODE", "staging", "embedded"),
        ("AGORA_LANGUAGES", "de,fr", "fr"),
        ("AGORA_DEFAULT_LANGUAGE", "en", "AGORA_LANGUAGES"),
        ("AGORA_SESSION_IDLE_MINUTES", "ten", "whole number"),
        ("AGORA_SESSION_ABSOLUTE_HOURS", "0", "between"),
        ("AGORA_BROKER_URL", "http://redis", "scheme"),
        ("AGORA_SMTP_URL", "mail.example", "scheme"),
        ("AGORA_LOG_LEVEL", "LOUD", "DEBUG"),
    ],
)
def test_invalid_values_name_the_variable(tmp_path, variable, value, fragment):
    values = env(tmp_path, **{variable: value})
    if variable == "AGORA_DEFAULT_LANGUAGE":
        values["AGORA_LANGUAGES"] = "de"
    with pytest.raises(SettingsError) as error:
        load_settings(values, dotenv=False)
    message = str(error.value)
    assert message.startswith(variable + ":")
    assert fragment in message
    assert "\n" not in message


def test_unknown_agora_variable_is_refused(tmp_path):
    with pytest.raises(SettingsError) as error:
        load_settings(env(tmp_path, AGORA_SECERT_KEY="typo"), dotenv=False)
    assert str(error.value).startswith("AGORA_SECERT_KEY: unknown setting")


def test_test_variables_and_other_prefixes_are_ignored(tmp_path):
    settings = load_settings(env(tmp_path, AGORA_TEST_POSTGRES_URL="x", HOME="/root"), dotenv=False)
    assert settings.secret_key == KEY


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(SettingsError) as error:
        load_settings({"AGORA_DATA_DIR": str(tmp_path), "AGORA_MODE": "production"}, dotenv=False)
    assert str(error.value).startswith("AGORA_SECRET_KEY:")
    assert not (tmp_path / "secret_key").exists()
    settings = load_settings(env(tmp_path, AGORA_MODE="production"), dotenv=False)
    assert settings.is_production and settings.secret_key == KEY


def test_embedded_mode_generates_and_keeps_a_key(tmp_path):
    data_dir = tmp_path / "fresh"
    first = load_settings({"AGORA_DATA_DIR": str(data_dir)}, dotenv=False)
    key_file = data_dir / "secret_key"
    assert key_file.exists()
    assert len(first.secret_key) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = load_settings({"AGORA_DATA_DIR": str(data_dir)}, dotenv=False)
    assert second.secret_key == first.secret_key
    other = load_settings({"AGORA_DATA_DIR": str(tmp_path / "elsewhere")}, dotenv=False)
    assert other.secret_key != first.secret_key


def test_https_base_url(tmp_path):
    settings = load_settings(env(tmp_path, AGORA_BASE_URL="https://beteiligung.example.de/"), dotenv=False)
    assert settings.https and settings.base_origin == "https://beteiligung.example.de"


def test_every_field_has_a_variable():
    assert set(ENV_NAMES) == {f for f in Settings.__dataclass_fields__}
    assert all(name.startswith("AGORA_") for name in ENV_NAMES.values())


def test_dotenv_file_is_read_and_the_environment_wins(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text(f"AGORA_TIME_ZONE=Europe/Vienna\nAGORA_SECRET_KEY={KEY}\nAGORA_LOG_LEVEL=DEBUG\n")
    monkeypatch.chdir(tmp_path)
    for name in ENV_NAMES.values():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AGORA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AGORA_LOG_LEVEL", "WARNING")
    settings = load_settings()
    assert settings.time_zone == "Europe/Vienna"
    assert settings.log_level == "WARNING"


def test_the_command_line_stops_with_one_clear_line(tmp_path):
    """What an operator sees: no traceback, one line naming the variable, a non-zero exit."""
    environment = {
        "PATH": "/usr/bin:/bin",
        "AGORA_DATA_DIR": str(tmp_path),
        "AGORA_TIME_ZONE": "Mars/Olympus",
    }
    done = subprocess.run(
        [sys.executable, "-m", "agora.cli", "migrate"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "AGORA_TIME_ZONE" in lines[0], done.stderr
