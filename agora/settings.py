"""One frozen Settings object, read from AGORA_* environment variables (and an optional .env)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ENV_PREFIX = "AGORA_"
SUPPORTED_LANGUAGES = ("de", "en")
MIN_SECRET_KEY_LENGTH = 32
# Variables of the test and install scripts share the prefix but are not settings: never refuse them.
NOT_SETTINGS = ("AGORA_TEST_", "AGORA_E2E_", "AGORA_VENV")


class SettingsError(ValueError):
    """A setting is invalid; the message is one line naming the variable and what is wrong."""


@dataclass(frozen=True)
class Settings:
    mode: str = "embedded"  # "embedded" or "production"
    data_dir: Path = Path("data")
    database_url: str = ""
    base_url: str = "http://127.0.0.1:8000"
    secret_key: str = ""
    time_zone: str = "Europe/Berlin"
    languages: tuple[str, ...] = SUPPORTED_LANGUAGES
    default_language: str = "de"
    broker_url: str = ""
    smtp_url: str = ""
    mail_from: str = "Agora <noreply@agora.invalid>"
    mail_reply_to: str = ""  # the organising office; replies to automatic mail go there
    # The town's map service; {address} is replaced by the venue's address (URL-encoded).
    map_url: str = "https://www.openstreetmap.org/search?query={address}"
    # The public face: the town's name, coat of arms or logo (an image file), main website and agency contact.
    town_name: str = ""
    town_logo: str = ""
    town_website: str = ""
    agency_contact: str = ""
    # Where reports of accessibility barriers are mailed (the staff member answering them); empty: no mail.
    accessibility_email: str = ""
    # German Sign Language: the video (and its captions) shown on /gebaerdensprache, served from this instance.
    dgs_video: str = ""
    dgs_captions: str = ""
    # The enforcement body of the town's Land named in the accessibility statement (default: North Rhine-Westphalia).
    enforcement_body: str = "Ombudsstelle für barrierefreie Informationstechnik des Landes Nordrhein-Westfalen"
    enforcement_url: str = "https://www.lbbp.nrw.de/ombudsstelle"
    mail_claim_timeout: int = 300  # seconds before a claimed but unfinished delivery is taken over
    mail_retry_base: float = 30.0  # seconds before the first retry; doubles with each attempt
    mail_queue: str = "agora.mail"  # dramatiq queue name (and Redis namespace)
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    max_request_bytes: int = 2 * 1024 * 1024
    log_format: str = "auto"  # auto, json, text
    log_level: str = "INFO"
    events_retention_days: int = 180  # personal data of registrations is anonymised this long after the session
    survey_min_group: int = 5  # survey results never show a group of fewer respondents than this

    @property
    def is_production(self) -> bool:
        return self.mode == "production"

    @property
    def https(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def base_origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"


# Environment variable name for every field, in one place so docs and compose files can be checked against it.
ENV_NAMES: dict[str, str] = {f.name: ENV_PREFIX + f.name.upper() for f in fields(Settings)}


def _int(name: str, raw: str, minimum: int, maximum: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}: expected a whole number, got {raw!r}") from None
    if not minimum <= value <= maximum:
        raise SettingsError(f"{name}: must be between {minimum} and {maximum}, got {value}")
    return value


def _float(name: str, raw: str, minimum: float, maximum: float) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name}: expected a number, got {raw!r}") from None
    if not minimum <= value <= maximum:
        raise SettingsError(f"{name}: must be between {minimum:g} and {maximum:g}, got {value:g}")
    return value


def _name(name: str, raw: str) -> str:
    if not raw or len(raw) > 80 or not all(c.isalnum() or c in "._-" for c in raw):
        raise SettingsError(f"{name}: letters, digits, '.', '_' and '-' only (at most 80), got {raw!r}")
    return raw


def _url(name: str, raw: str, schemes: tuple[str, ...]) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in schemes:
        raise SettingsError(f"{name}: scheme must be one of {', '.join(schemes)}, got {raw!r}")
    if parts.scheme not in ("sqlite",) and not parts.netloc:
        raise SettingsError(f"{name}: missing host in {raw!r}")
    return raw


def _secret_from_data_dir(data_dir: Path) -> str:
    """Embedded mode keeps a generated key in the data directory so sessions survive restarts."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(key)
    return key


LOGO_TYPES = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


VIDEO_TYPES = {".mp4": "video/mp4", ".webm": "video/webm"}
CAPTION_TYPES = {".vtt": "text/vtt"}


def _file(name: str, value: str, types: dict[str, str]) -> str:
    if not value:
        return ""
    path = Path(value).expanduser()
    if path.suffix.lower() not in types or not path.is_file():
        raise SettingsError(f"{name}: must name an existing {', '.join(sorted(types))} file")
    return str(path.resolve())


def _logo(value: str) -> str:
    return _file("AGORA_TOWN_LOGO", value, LOGO_TYPES)


def _website(value: str, name: str = "AGORA_TOWN_WEBSITE") -> str:
    if value and not value.startswith(("https://", "http://")):
        raise SettingsError(f"{name}: must start with https://")
    return value


def _map_url(value: str) -> str:
    if not value.startswith("https://") or "{address}" not in value:
        raise SettingsError("AGORA_MAP_URL: must start with https:// and contain {address}")
    return value


def is_set(name: str, environ: Mapping[str, str] | None = None, *, dotenv: bool = True) -> bool:
    """Whether the variable is given (in the environment or the .env file), as opposed to its default."""
    if environ is not None:
        return bool(environ.get(name, "").strip())
    if os.environ.get(name, "").strip():
        return True
    if dotenv and Path(".env").is_file():
        from dotenv import dotenv_values

        return bool((dotenv_values(".env").get(name) or "").strip())
    return False


def load_settings(environ: Mapping[str, str] | None = None, *, dotenv: bool = True) -> Settings:
    """Read and validate settings. Raises SettingsError with one clear line on the first bad value."""
    if environ is None:
        if dotenv and Path(".env").is_file():
            from dotenv import dotenv_values

            file_values = {k: v for k, v in dotenv_values(".env").items() if v is not None}
            environ = {**file_values, **os.environ}
        else:
            environ = os.environ
    env = {k: v.strip() for k, v in environ.items() if k.startswith(ENV_PREFIX)}
    known = set(ENV_NAMES.values())
    unknown = sorted(k for k in env if k not in known and not k.startswith(NOT_SETTINGS))
    if unknown:
        raise SettingsError(f"{unknown[0]}: unknown setting (known: {', '.join(sorted(known))})")

    def get(field: str, default: str = "") -> str:
        return env.get(ENV_NAMES[field], default)

    mode = get("mode", "embedded")
    if mode not in ("embedded", "production"):
        raise SettingsError(f"AGORA_MODE: must be 'embedded' or 'production', got {mode!r}")

    data_dir = Path(get("data_dir", "data")).expanduser().resolve()

    database_url = get("database_url") or f"sqlite://{data_dir / 'agora.sqlite3'}"
    _url("AGORA_DATABASE_URL", database_url, ("sqlite", "postgres", "asyncpg", "psycopg"))

    base_url = get("base_url", "http://127.0.0.1:8000").rstrip("/")
    _url("AGORA_BASE_URL", base_url, ("http", "https"))

    time_zone = get("time_zone", "Europe/Berlin")
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"AGORA_TIME_ZONE: unknown time zone {time_zone!r}") from None

    languages = tuple(x.strip() for x in get("languages", ",".join(SUPPORTED_LANGUAGES)).split(",") if x.strip())
    bad = [x for x in languages if x not in SUPPORTED_LANGUAGES]
    if not languages or bad:
        raise SettingsError(
            f"AGORA_LANGUAGES: supported are {', '.join(SUPPORTED_LANGUAGES)}, got {', '.join(bad) or 'nothing'}"
        )
    default_language = get("default_language", languages[0])
    if default_language not in languages:
        raise SettingsError(f"AGORA_DEFAULT_LANGUAGE: must be one of AGORA_LANGUAGES, got {default_language!r}")

    broker_url = get("broker_url")
    if broker_url:
        _url("AGORA_BROKER_URL", broker_url, ("redis", "rediss", "amqp", "amqps"))
    smtp_url = get("smtp_url")
    if smtp_url:
        _url("AGORA_SMTP_URL", smtp_url, ("smtp", "smtps", "smtp+starttls"))

    secret_key = get("secret_key")
    if secret_key and len(secret_key) < MIN_SECRET_KEY_LENGTH:
        raise SettingsError(f"AGORA_SECRET_KEY: must be at least {MIN_SECRET_KEY_LENGTH} characters long")
    if not secret_key:
        if mode == "production":
            raise SettingsError("AGORA_SECRET_KEY: required in production mode (at least 32 random characters)")
        secret_key = _secret_from_data_dir(data_dir)

    log_format = get("log_format", "auto")
    if log_format not in ("auto", "json", "text"):
        raise SettingsError(f"AGORA_LOG_FORMAT: must be auto, json or text, got {log_format!r}")
    log_level = get("log_level", "INFO").upper()
    if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise SettingsError(f"AGORA_LOG_LEVEL: must be DEBUG, INFO, WARNING or ERROR, got {log_level!r}")

    return Settings(
        mode=mode,
        data_dir=data_dir,
        database_url=database_url,
        base_url=base_url,
        secret_key=secret_key,
        time_zone=time_zone,
        languages=languages,
        default_language=default_language,
        broker_url=broker_url,
        smtp_url=smtp_url,
        mail_from=get("mail_from", Settings.mail_from),
        mail_reply_to=get("mail_reply_to"),
        map_url=_map_url(get("map_url", "https://www.openstreetmap.org/search?query={address}")),
        town_name=get("town_name")[:100],
        town_logo=_logo(get("town_logo")),
        town_website=_website(get("town_website")),
        agency_contact=get("agency_contact")[:300],
        accessibility_email=get("accessibility_email")[:254],
        dgs_video=_file("AGORA_DGS_VIDEO", get("dgs_video"), VIDEO_TYPES),
        dgs_captions=_file("AGORA_DGS_CAPTIONS", get("dgs_captions"), CAPTION_TYPES),
        enforcement_body=get("enforcement_body", Settings.enforcement_body)[:300],
        enforcement_url=_website(get("enforcement_url", Settings.enforcement_url), "AGORA_ENFORCEMENT_URL"),
        mail_claim_timeout=_int("AGORA_MAIL_CLAIM_TIMEOUT", get("mail_claim_timeout", "300"), 1, 24 * 3600),
        mail_retry_base=_float("AGORA_MAIL_RETRY_BASE", get("mail_retry_base", "30"), 0.0, 3600.0),
        mail_queue=_name("AGORA_MAIL_QUEUE", get("mail_queue", Settings.mail_queue)),
        session_idle_minutes=_int("AGORA_SESSION_IDLE_MINUTES", get("session_idle_minutes", "30"), 1, 24 * 60),
        session_absolute_hours=_int("AGORA_SESSION_ABSOLUTE_HOURS", get("session_absolute_hours", "12"), 1, 24 * 7),
        max_request_bytes=_int(
            "AGORA_MAX_REQUEST_BYTES", get("max_request_bytes", str(2 * 1024 * 1024)), 1024, 1024**3
        ),
        log_format=log_format,
        log_level=log_level,
        events_retention_days=_int("AGORA_EVENTS_RETENTION_DAYS", get("events_retention_days", "180"), 1, 3650),
        survey_min_group=_int("AGORA_SURVEY_MIN_GROUP", get("survey_min_group", "5"), 1, 1000),
    )
