from __future__ import annotations

from collections.abc import Iterator

import pytest

from agora.settings import Settings
from notifications import api
from tests.conftest import replace_settings
from tests.notifications.smtp_sink import SmtpSink

api.register_kind("test_digest", category="digests", template="test_message")


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture
def mail_settings(database: Settings, smtp: SmtpSink) -> Settings:
    settings = replace_settings(
        database,
        smtp_url=smtp.url,
        mail_claim_timeout=3,
        mail_retry_base=0.02,
        mail_reply_to="Wirtschaftsförderung <wf@example.org>",
        mail_from="Agora <agora@example.org>",
    )
    api.configure(settings)
    return settings
