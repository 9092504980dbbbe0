"""Scheduled jobs of consultations: the followers' daily digest, the moderators' daily reminder and the followers'
mail when a consultation opens, closes or publishes its result.

All run hourly and enqueue under a dedup key (per day; per consultation, phase and person), so each mail goes out
once whatever the number of schedulers, and never when there is nothing to tell."""

from __future__ import annotations

from agora.settings import Settings
from notifications import api
from participation import mail


def register_jobs(settings: Settings) -> None:
    api.register_job("participation.digests", 3600, lambda: mail.send_digests(settings))
    api.register_job("participation.moderation_reminder", 3600, lambda: mail.remind_moderators(settings))
    api.register_job("participation.phase_changes", 3600, lambda: mail.tell_phase_changes(settings))
