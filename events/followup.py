"""The follow-up survey of sessions: each attendee's personal link, and the sessions of a series as waves.

A session's own survey wins over its series' one. The links come from surveys.api; this module is the only
place where events meets surveys.
"""

from __future__ import annotations

from agora.i18n import format_d
from agora.settings import Settings
from events.models import Registration, Series, Session
from surveys import api as surveys


def survey_of(session: Session, series: Series | None) -> int | None:
    return session.followup_survey_id or (series.followup_survey_id if series else None)


async def survey_link(settings: Settings, session: Session, series: Series | None, registration: Registration) -> str:
    """The attendee's own link to the follow-up survey (the same link when asked again), or "" without one."""
    survey_id = survey_of(session, series)
    if survey_id is None:
        return ""
    return await surveys.personal_link(
        settings, survey_id, email=registration.email, session_id=session.id, locale=registration.language
    )


async def series_waves(session_ids: list[int]) -> list[tuple[int, str]]:
    """Every session of the series of the given sessions (and the given ones without a series), by date."""
    sessions = await Session.filter(id__in=session_ids)
    series_ids = {s.series_id for s in sessions if s.series_id is not None}
    if series_ids:
        sessions = list({s.id: s for s in [*sessions, *await Session.filter(series_id__in=series_ids)]}.values())
    return [(s.id, f"{s.title}, {format_d(s.starts_at)}") for s in sorted(sessions, key=lambda s: s.starts_at)]
