"""Scheduled jobs of consultations: the followers' daily digest and the moderators' daily reminder.

Both run hourly and enqueue under a key per day, so each goes out at most once a day whatever the number of
schedulers, and never when there is nothing to tell."""

from __future__ import annotations

from agora.settings import Settings
from notifications import api
from participation import mail


def register_jobs(settings: Settings) -> None:
    api.register_job("participation.digests", 3600, lambda: mail.send_digests(settings))
    api.register_job("participation.moderation_reminder", 3600, lambda: mail.remind_moderators(settings))
