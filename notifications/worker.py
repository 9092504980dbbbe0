"""Entry module for `dramatiq notifications.worker` (what `agora worker` runs), configured from AGORA_*."""

from __future__ import annotations

from agora.log import configure_logging
from agora.settings import load_settings
from notifications import dispatch, tasks

settings = load_settings()
configure_logging(settings)
if not settings.broker_url:
    raise SystemExit("agora worker: AGORA_BROKER_URL is not set (without a broker, `agora serve` delivers mail itself)")
actor = tasks.setup(settings)
broker = actor.broker
dispatch.install(tasks.BrokerDispatcher(settings))
