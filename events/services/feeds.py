"""Calendar files for the pages: a registration's invitation, public feeds, a person's private feed."""

from __future__ import annotations

from agora.i18n import gettext as _
from agora.settings import Settings
from events import calendar
from events.errors import NotFound
from events.models import CANCELLED, COMPLETED, PUBLISHED, Registration, Series, Session
from events.services import common
from events.services.registration import by_token

PUBLIC_STATUSES = (PUBLISHED, CANCELLED, COMPLETED)


async def registration_calendar(settings: Settings, token: str) -> bytes:
    """The manage page's "add to calendar": REQUEST while the seat is held, CANCEL once it is not."""
    registration = await by_token(settings, token)
    session = await Session.get(id=registration.session_id)
    series = await Series.get_or_none(id=session.series_id) if session.series_id else None
    return calendar.registration_ics(
        registration,
        session,
        series,
        organizer_email=common.organizer_email(settings),
        zone=settings.zone,
        manage_url=common.manage_url(settings, registration),
    )


async def _with_series(sessions: list[Session]) -> list[tuple[Session, Series | None]]:
    ids = {s.series_id for s in sessions if s.series_id}
    series = {s.id: s for s in await Series.filter(id__in=ids)} if ids else {}
    return [(s, series.get(s.series_id) if s.series_id else None) for s in sessions]


async def series_feed(settings: Settings, series_id: int) -> bytes:
    series = await Series.get_or_none(id=series_id)
    if series is None:
        raise NotFound({"series": _("This series does not exist.")})
    sessions = await Session.filter(series_id=series_id, status__in=PUBLIC_STATUSES).order_by("starts_at")
    return calendar.feed_ics(
        await _with_series(sessions),
        name=series.title,
        organizer_email=common.organizer_email(settings),
        zone=settings.zone,
    )


async def sessions_feed(settings: Settings) -> bytes:
    sessions = await Session.filter(status__in=PUBLIC_STATUSES).order_by("starts_at")
    return calendar.feed_ics(
        await _with_series(sessions),
        name=_("Events"),
        organizer_email=common.organizer_email(settings),
        zone=settings.zone,
    )


async def personal_feed(settings: Settings, token: str) -> bytes:
    """Every registration of the person behind a manage token, in one feed.

    The secret URL is the manage link's token: whoever can manage one registration may see the others
    of the same address, and nothing new has to be stored or mailed."""
    owner = await by_token(settings, token)
    rows = await Registration.filter(email=owner.email, anonymised_at=None).order_by("id")
    sessions = {s.id: s for s in await Session.filter(id__in=[r.session_id for r in rows])}
    pairs = await _with_series(list(sessions.values()))
    series_of = {s.id: series for s, series in pairs}
    entries = [(r, sessions[r.session_id], series_of[r.session_id]) for r in rows]
    return calendar.personal_feed_ics(
        entries, name=_("My registrations"), organizer_email=common.organizer_email(settings), zone=settings.zone
    )
