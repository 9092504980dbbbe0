"""Scheduled jobs of the events domain, registered with the scheduler by the composition root.

No job keeps a timer: each tick derives from the database what is due and enqueues it under a dedup key,
so a restart loses nothing and two schedulers running at once send nothing twice.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agora.db import transaction
from agora.settings import Settings
from events import followup, retention, services
from events.models import (
    ATTENDED,
    CANCELLED,
    CONFIRMED,
    DRAFT,
    PUBLISHED,
    REG_CANCELLED,
    WAITLISTED,
    Registration,
    Series,
    Session,
)
from events.services.common import notify
from notifications import api

REMINDER = "session_reminder"
FOLLOWUP = "session_followup"
SUMMARY = "organiser_summary"
for _kind in (REMINDER, FOLLOWUP, SUMMARY):
    api.register_kind(_kind)

DEFAULT_REMINDER_HOURS = 24
# Mail after the end goes out only for sessions that ended this recently: switching the scheduler on for an
# old database must not thank people for a breakfast last year.
AFTER_END_WINDOW = timedelta(days=7)


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


async def _series_of(session: Session, cache: dict[int, Series | None]) -> Series | None:
    series_id = session.series_id
    if series_id is None:
        return None
    if series_id not in cache:
        cache[series_id] = await Series.get_or_none(id=series_id)
    return cache[series_id]


def reminder_key(registration_id: int, session: Session) -> str:
    # starts_at is part of the key: after a reschedule, people are reminded of the new date.
    return f"events.reminder:{registration_id}:{session.id}:{session.starts_at.astimezone(UTC).isoformat()}"


async def send_reminders(settings: Settings, now: datetime | None = None) -> None:
    """Remind confirmed people once the series' offset before the start is reached."""
    now = _now(now)
    cache: dict[int, Series | None] = {}
    for session in await Session.filter(status=PUBLISHED, starts_at__gt=now).order_by("starts_at"):
        series = await _series_of(session, cache)
        hours = series.reminder_offset_hours if series else DEFAULT_REMINDER_HOURS
        if hours <= 0 or now < session.starts_at - timedelta(hours=hours):
            continue
        registrations = await Registration.filter(session_id=session.id, status=CONFIRMED)
        keys = {registration.id: reminder_key(registration.id, session) for registration in registrations}
        # The window stays open for hours and the job runs every few minutes: only the new ones are built.
        done = await api.queued_keys(list(keys.values()))
        for registration in registrations:
            if keys[registration.id] in done:
                continue
            async with transaction():
                await notify(
                    settings, REMINDER, registration, session, with_calendar=True, dedup_key=keys[registration.id]
                )


async def _ended_sessions(now: datetime) -> list[Session]:
    return await Session.filter(
        ends_at__lte=now, ends_at__gt=now - AFTER_END_WINDOW, status__not_in=(DRAFT, CANCELLED)
    ).order_by("ends_at")


async def send_followups(settings: Settings, now: datetime | None = None) -> None:
    """Thank the attendees, each with a personal link to the follow-up survey of the session (or its series).

    Where staff did not check anyone in, the confirmed people are thanked instead.
    """
    now = _now(now)
    cache: dict[int, Series | None] = {}
    for session in await _ended_sessions(now):
        series = await _series_of(session, cache)
        attended = await Registration.filter(session_id=session.id, status=ATTENDED, anonymised_at=None)
        people = attended or await Registration.filter(session_id=session.id, status=CONFIRMED, anonymised_at=None)
        keys = {registration.id: f"events.followup:{registration.id}:{session.id}" for registration in people}
        done = await api.queued_keys(list(keys.values()))
        for registration in people:
            key = keys[registration.id]
            if key in done:
                continue
            async with transaction():
                # Each attendee gets an own link (one response each); asking again gives the same link.
                survey = await followup.survey_link(settings, session, series, registration)
                await notify(settings, FOLLOWUP, registration, session, extra={"survey_url": survey}, dedup_key=key)


async def summary_counts(session_id: int) -> dict[str, int]:
    rows = await Registration.filter(session_id=session_id).values_list("status", "seats")
    registered = sum(1 for status, _ in rows if status in (CONFIRMED, ATTENDED))
    attended = sum(1 for status, _ in rows if status == ATTENDED)
    return {
        "registered": registered,
        "attended": attended,
        "no_shows": registered - attended,
        "waitlisted": sum(1 for status, _ in rows if status == WAITLISTED),
        "cancelled": sum(1 for status, _ in rows if status == REG_CANCELLED),
        "seats": sum(seats for status, seats in rows if status in (CONFIRMED, ATTENDED)),
    }


async def send_summaries(settings: Settings, now: datetime | None = None) -> int:
    """Tell the organiser (the session's contact, else the series') how the session went."""
    now = _now(now)
    cache: dict[int, Series | None] = {}
    count = 0
    for session in await _ended_sessions(now):
        series = await _series_of(session, cache)
        to = session.contact_email or (series.contact_email if series else "")
        if not to or "@" not in to:
            continue
        key = f"events.summary:{session.id}"
        async with transaction():
            context = {
                "session_id": session.id,
                "session_title": session.title,
                "starts_at": session.starts_at.astimezone(UTC).isoformat(),
                "ends_at": session.ends_at.astimezone(UTC).isoformat(),
                "capacity": session.capacity,
                "staff_url": f"{settings.base_url}/staff/events/sessions/{session.id}",
                **await summary_counts(session.id),
            }
            if await api.enqueue(SUMMARY, to=to, locale=settings.default_language, context=context, dedup_key=key):
                count += 1
    return count


async def expire_holds(settings: Settings, now: datetime | None = None) -> object:
    return await services.expire_holds(settings, now=now)


async def purge(settings: Settings, now: datetime | None = None) -> int:
    return await retention.purge_personal_data(settings.events_retention_days, now=now)


def register_jobs(settings: Settings) -> None:
    """Register every events job (hold expiry, reminders, follow-ups, organiser summaries, retention)."""
    api.register_job("events.expire_holds", 60, lambda: expire_holds(settings))
    api.register_job("events.reminders", 300, lambda: send_reminders(settings))
    api.register_job("events.followups", 600, lambda: send_followups(settings))
    api.register_job("events.organiser_summaries", 600, lambda: send_summaries(settings))
    api.register_job("events.retention", 24 * 3600, lambda: purge(settings))
