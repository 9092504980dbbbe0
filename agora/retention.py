"""The kernel's retention jobs: what expires is deleted on schedule, not only when someone happens to look.

Registered through notifications.api by the composition root (agora.app.register_domain_hooks), for the web process
and for `agora scheduler` alike; the domains register their own retention jobs the same way.
"""

from __future__ import annotations

from agora import ratelimit
from agora.accounts import sessions
from agora.accounts.participants import services as participants
from agora.settings import Settings
from notifications import api

HOURLY = 3600


def register_jobs(settings: Settings) -> None:
    # Lambdas look the functions up when they run, so each job always calls the module's current function.
    api.register_job("accounts.purge_sessions", HOURLY, lambda: sessions.purge_expired(settings))
    api.register_job("agora.purge_rate_limits", HOURLY, lambda: ratelimit.purge())
    api.register_job("participants.purge", HOURLY, lambda: participants.purge(settings))
