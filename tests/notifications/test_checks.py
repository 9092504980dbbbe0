"""`agora check` for SMTP and the broker, the SMTP URL forms, and the mail settings."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from agora.settings import Settings, SettingsError, load_settings
from notifications.checks import check_broker, check_smtp
from notifications.delivery import parse_smtp_url
from tests.conftest import RABBITMQ_URL, REDIS_URL, TEST_SECRET
from tests.notifications.smtp_sink import SmtpSink, free_port


def plain(tmp_path: Path, **changes) -> Settings:  # noqa: ANN003
    return replace(Settings(data_dir=tmp_path, secret_key=TEST_SECRET), **changes)


async def test_smtp_check_ok_fail_and_skip(tmp_path: Path, smtp: SmtpSink) -> None:
    [(name, status, detail)] = await check_smtp(plain(tmp_path, smtp_url=smtp.url))
    assert (name, status) == ("smtp", "OK") and "EHLO" in detail and "without" not in detail
    limited = SmtpSink(decode_data=True, enable_SMTPUTF8=False).start()
    try:
        [(_, status, detail)] = await check_smtp(plain(tmp_path, smtp_url=limited.url))
    finally:
        limited.stop()
    assert status == "OK" and "without 8BITMIME" in detail and "without SMTPUTF8" in detail
    [(_, status, detail)] = await check_smtp(plain(tmp_path, smtp_url=f"smtp://127.0.0.1:{free_port()}"))
    assert status == "FAIL" and "127.0.0.1" in detail
    [(_, status, detail)] = await check_smtp(plain(tmp_path))
    assert status == "SKIP" and "AGORA_SMTP_URL" in detail


async def test_broker_check_skip_and_fail(tmp_path: Path) -> None:
    [(_, status, detail)] = await check_broker(plain(tmp_path))
    assert status == "SKIP" and "AGORA_BROKER_URL" in detail
    [(_, status, _detail)] = await check_broker(plain(tmp_path, broker_url=f"redis://127.0.0.1:{free_port()}/0"))
    assert status == "FAIL"


@pytest.mark.skipif(not REDIS_URL, reason="set AGORA_TEST_REDIS_URL to check against Redis")
async def test_broker_check_redis(tmp_path: Path) -> None:
    [(_, status, detail)] = await check_broker(plain(tmp_path, broker_url=REDIS_URL))
    assert status == "OK" and "PING" in detail


@pytest.mark.skipif(not RABBITMQ_URL, reason="set AGORA_TEST_RABBITMQ_URL to check against RabbitMQ")
async def test_broker_check_rabbitmq(tmp_path: Path) -> None:
    [(_, status, detail)] = await check_broker(plain(tmp_path, broker_url=RABBITMQ_URL))
    assert status == "OK" and "AMQP" in detail


def test_smtp_url_forms() -> None:
    relay = parse_smtp_url("smtp+starttls://user%40org:p%3Ass@mail.example.org")
    assert (relay.hostname, relay.port, relay.start_tls, relay.use_tls) == (
        "mail.example.org",
        587,
        True,
        False,
    )
    assert (relay.username, relay.password) == ("user@org", "p:ss")
    implicit = parse_smtp_url("smtps://mail.example.org")
    assert (implicit.port, implicit.use_tls, implicit.start_tls, implicit.username) == (
        465,
        True,
        False,
        None,
    )
    local = parse_smtp_url("smtp://127.0.0.1:2525")
    assert (local.port, local.use_tls, local.start_tls) == (2525, False, False)


def test_mail_settings_are_read_and_checked(tmp_path: Path) -> None:
    base = {"AGORA_DATA_DIR": str(tmp_path), "AGORA_SECRET_KEY": TEST_SECRET}
    settings = load_settings(
        {
            **base,
            "AGORA_MAIL_REPLY_TO": "Wirtschaftsförderung <wf@example.org>",
            "AGORA_MAIL_CLAIM_TIMEOUT": "60",
            "AGORA_MAIL_RETRY_BASE": "2.5",
            "AGORA_MAIL_QUEUE": "agora.mail-2",
        },
        dotenv=False,
    )
    assert settings.mail_reply_to == "Wirtschaftsförderung <wf@example.org>"
    assert (settings.mail_claim_timeout, settings.mail_retry_base, settings.mail_queue) == (
        60,
        2.5,
        "agora.mail-2",
    )
    for name, bad in (
        ("AGORA_MAIL_CLAIM_TIMEOUT", "0"),
        ("AGORA_MAIL_RETRY_BASE", "soon"),
        ("AGORA_MAIL_QUEUE", "bad queue"),
    ):
        with pytest.raises(SettingsError, match=name):
            load_settings({**base, name: bad}, dotenv=False)
