"""`agora check` for mail: the SMTP relay and the broker, each OK, SKIP (with the reason) or FAIL."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from agora.settings import Settings

Result = tuple[str, str, str]
TIMEOUT = 10.0


async def check_smtp(settings: Settings) -> list[Result]:
    if not settings.smtp_url:
        return [("smtp", "SKIP", f"AGORA_SMTP_URL not set: mail is written to {settings.mail_dir}")]
    from notifications.delivery import new_client, parse_smtp_url

    config = parse_smtp_url(settings.smtp_url, timeout=TIMEOUT)
    client = new_client(config)
    steps = ["connect", "EHLO"]
    try:
        # connect() does EHLO, STARTTLS and login as configured.
        await client.connect()
        if config.start_tls or config.use_tls:
            steps.append("TLS")
        if config.username:
            steps.append("login")
        if client.is_ehlo_or_helo_needed:
            await client.ehlo()
        lacking = [name for name in ("8BITMIME", "SMTPUTF8") if not client.supports_extension(name.lower())]
        await client.quit()
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        client.close()
        return [("smtp", "FAIL", f"{config.hostname}:{config.port}: {type(exc).__name__}: {exc}")]
    # Both are optional: mail still goes out, but a person should know what the relay cannot do.
    notes = {
        "8BITMIME": "without 8BITMIME: mail bodies go base64-encoded",
        "SMTPUTF8": "without SMTPUTF8: addresses with non-ASCII characters cannot be served",
    }
    detail = f"{config.hostname}:{config.port} ({', '.join(steps)})"
    return [("smtp", "OK", "; ".join([detail, *(notes[name] for name in lacking)]))]


def _ping_broker(url: str) -> str:
    if url.startswith(("redis://", "rediss://")):
        import redis

        client = redis.Redis.from_url(url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)
        try:
            client.ping()
        finally:
            client.close()
        return "Redis answered PING"
    import pika

    params = pika.URLParameters(url)
    params.socket_timeout = TIMEOUT
    params.blocked_connection_timeout = TIMEOUT
    connection = pika.BlockingConnection(params)
    connection.close()
    return "AMQP connection opened"


async def check_broker(settings: Settings) -> list[Result]:
    if not settings.broker_url:
        return [("broker", "SKIP", "AGORA_BROKER_URL not set: the web process delivers mail itself")]
    parts = urlsplit(settings.broker_url)
    where = f"{parts.hostname}:{parts.port or ''}".rstrip(":")
    try:
        detail = await asyncio.to_thread(_ping_broker, settings.broker_url)
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return [("broker", "FAIL", f"{where}: {type(exc).__name__}: {exc}")]
    return [("broker", "OK", f"{where}: {detail}")]


def register() -> None:
    from agora import checks

    for check in (check_broker, check_smtp):
        if check not in checks.EXTRA_CHECKS:
            checks.EXTRA_CHECKS.append(check)
