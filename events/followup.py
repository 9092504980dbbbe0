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


async def create_demo() -> None:
    """Three past sessions of the demo series with answered follow-up surveys (once), and an open survey."""
    from datetime import UTC, datetime, timedelta

    from events import demo, services
    from surveys import demo as survey_demo

    await survey_demo.create_open_survey()
    series = await Series.get_or_none(title=demo.SERIES_TITLE)
    if series is None or series.followup_survey_id is not None:
        return
    now = datetime.now(UTC).replace(hour=7, minute=0, second=0, microsecond=0)
    past = []
    for days in (270, 180, 90):
        session = await services.create_session(
            series_id=series.id, starts_at=now - timedelta(days=days), ends_at=now - timedelta(days=days, hours=-2)
        )
        await services.publish_session(session.id)
        await services.complete_session(session.id)
        past.append(session.id)
    # The last session had few answers: the trend hides it rather than show a handful of people.
    survey_id = await survey_demo.followup_with_responses(list(zip(past, (14, 11, 3), strict=True)))
    await services.update_series(series.id, followup_survey_id=survey_id)
