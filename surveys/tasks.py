"""Scheduled job of surveys: one reminder to those who have not answered through their personal link.

The reminder is derived from the database each tick: tokens unused after the survey's reminder_days, not yet
reminded, of a survey still open. Marking the token and writing the outbox row happen in one transaction, under a
dedup key, so two schedulers remind nobody twice.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agora.db import transaction
from agora.settings import Settings
from notifications import api
from surveys import people, services
from surveys.models import Survey, Token

REMINDER = "survey_reminder"
api.register_kind(REMINDER)


async def send_reminders(settings: Settings, now: datetime | None = None) -> int:
    now = now or datetime.now(UTC)
    sent = 0
    for survey in await Survey.filter(published=True, reminder_days__gt=0):
        if not services.is_open(survey, now):
            continue
        due = now - timedelta(days=survey.reminder_days)
        tokens = await Token.filter(
            survey_id=survey.id, used_on=None, reminded_at=None, created_at__lte=due, email__not=""
        )
        for token in tokens:
            raw = services.token_for(settings, survey.id, token.session_id, token.email)
            async with transaction():
                if not await Token.filter(id=token.id, reminded_at=None).update(reminded_at=now):
                    continue
                context = {
                    "survey_title": survey.title,
                    "survey_url": f"{settings.base_url.rstrip('/')}/surveys/{survey.id}?t={raw}",
                    "closes_at": survey.closes_at.astimezone(UTC).isoformat() if survey.closes_at else None,
                }
                if await api.enqueue(
                    REMINDER,
                    to=token.email,
                    locale=token.locale,
                    context=context,
                    dedup_key=f"surveys.reminder:{token.id}",
                ):
                    sent += 1
    return sent


def register_jobs(settings: Settings) -> None:
    api.register_job("surveys.reminders", 3600, lambda: send_reminders(settings))
    api.register_job("surveys.retention", 86400, people.purge_token_addresses)
