"""Scheduled jobs of the events domain, registered with the scheduler by the composition root."""

from __future__ import annotations

from agora.settings import Settings


def register_jobs(settings: Settings) -> None:
    """Register every events job (hold expiry, reminders, follow-ups, organiser summaries, retention)."""
