"""What the public pages read: visible sessions and series, a session with everything its page shows.

Only published, cancelled and completed sessions are public; a draft is as absent as a missing id.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime

from agora.i18n import gettext as _
from agora.pagecache import current_version
from agora.settings import Settings
from events import calendar
from events.errors import NotFound
from events.models import (
    CANCELLED,
    COMPLETED,
    PUBLISHED,
    AgendaItem,
    Question,
    Registration,
    Series,
    Session,
    Track,
)
from events.services import common
from events.services.feeds import PUBLIC_STATUSES

# Sessions whose registration form a web process keeps (events.services.public.signup_form).
MAX_KEPT_FORMS = 256

# Registration states of a session as the page explains them.
OPEN, WAITLIST, NOT_OPEN, CLOSED, PAST, SESSION_CANCELLED = (
    "open",
    "waitlist",
    "not_open",
    "closed",
    "past",
    "cancelled",
)


@dataclass
class TrackView:
    id: int
    title: str
    capacity: int
    seats_left: int


@dataclass
class SessionView:
    session: Session
    series: Series | None
    agenda: list[AgendaItem]
    tracks: list[TrackView]
    questions: list[Question]
    seats_left: int
    state: str
    parallel: bool = False
    rooms: list[str] = field(default_factory=list)

    @property
    def takes_registrations(self) -> bool:
        return self.state in (OPEN, WAITLIST)


def registration_state(session: Session, now: datetime) -> str:
    if session.status == CANCELLED:
        return SESSION_CANCELLED
    if session.status == COMPLETED or now >= session.starts_at:
        return PAST
    if session.status != PUBLISHED:
        return CLOSED
    if session.registration_opens_at and now < session.registration_opens_at:
        return NOT_OPEN
    if now >= (session.registration_closes_at or session.starts_at):
        return CLOSED
    return WAITLIST if session.offered_left() <= 0 else OPEN


async def public_session(session_id: int | None) -> Session:
    session = await Session.get_or_none(id=session_id, status__in=PUBLIC_STATUSES) if session_id else None
    if session is None:
        raise NotFound({"session": _("This session does not exist.")})
    return session


async def session_view(session_id: int | None, *, now: datetime | None = None) -> SessionView:
    """Everything the public session page shows."""
    session = await public_session(session_id)
    series = await Series.get_or_none(id=session.series_id) if session.series_id else None
    agenda = list(
        await AgendaItem.filter(session_id=session.id)
        .order_by("starts_at", "position", "id")
        .prefetch_related("speakers", "track")
    )
    tracks = [
        TrackView(t.id, t.title, t.capacity, max(0, t.capacity - t.seats_taken))
        for t in await Track.filter(session_id=session.id).order_by("id")
    ]
    # Items that overlap in time run in parallel: the page then groups the agenda by track.
    parallel = any(
        a.starts_at < b.ends_at and b.starts_at < a.ends_at for i, a in enumerate(agenda) for b in agenda[i + 1 :]
    )
    rooms = sorted({item.room for item in agenda if item.room})
    return SessionView(
        session=session,
        series=series,
        agenda=agenda,
        tracks=tracks,
        questions=await common.questions_for(session),
        seats_left=session.offered_left(),
        state=registration_state(session, now or common.now_utc()),
        parallel=parallel,
        rooms=rooms,
    )


async def upcoming_sessions(*, limit: int = 100, now: datetime | None = None) -> list[Session]:
    now = now or common.now_utc()
    return list(await Session.filter(status=PUBLISHED, ends_at__gte=now).order_by("starts_at", "id").limit(limit))


async def series_view(
    series_id: int | None, *, now: datetime | None = None
) -> tuple[Series, list[Session], list[Session]]:
    """A series with its upcoming and its past public sessions (newest past first)."""
    now = now or common.now_utc()
    series = await Series.get_or_none(id=series_id) if series_id else None
    if series is None:
        raise NotFound({"series": _("This series does not exist.")})
    sessions = await Session.filter(series_id=series.id, status__in=PUBLIC_STATUSES).order_by("starts_at", "id")
    upcoming = [s for s in sessions if s.ends_at >= now and s.status != COMPLETED]
    past = [s for s in reversed(sessions) if s not in upcoming]
    return series, upcoming, past


async def session_calendar(settings: Settings, session_id: int | None) -> tuple[Session, bytes]:
    """The "add to calendar" file of a public session (METHOD:PUBLISH, the UID of the public feeds)."""
    session = await public_session(session_id)
    series = await Series.get_or_none(id=session.series_id) if session.series_id else None
    data = calendar.feed_ics(
        [(session, series)], name=session.title, organizer_email=common.organizer_email(settings), zone=settings.zone
    )
    return session, data


async def manage_view(settings: Settings, token: str) -> tuple[Registration, Session, Series | None, int | None]:
    """The manage page: the registration, its session and series, and the waitlist position."""
    from events.services.registration import by_token, waitlist_position

    registration = await by_token(settings, token)
    session = await Session.get(id=registration.session_id)
    series = await Series.get_or_none(id=session.series_id) if session.series_id else None
    return registration, session, series, await waitlist_position(registration)


@dataclass(frozen=True)
class SignupForm:
    """What registering through the API checks a body against: the session, its questions and its tracks."""

    session: Session
    questions: list[Question]
    track_ids: list[int]


KeptForms = dict[int, tuple[str, "asyncio.Future[SignupForm | None]"]]


async def signup_form(session_id: int, kept: KeptForms) -> SignupForm | None:
    """The public session (None when there is none) with its questions and tracks.

    Kept per web process in `kept` under the content version of the public pages (agora.pagecache), which moves
    with every change of these rows, the seat counters included: while nothing changed, one read of the version
    stands in for three, and requests that arrive together share one load. The copy is never more stale than
    a fresh read would be by the time of the seat claim, and the claim decides anyway."""
    version = await current_version()
    if version is None:
        return await _load_signup_form(session_id)
    found = kept.get(session_id)
    if found is None or found[0] != version:
        if len(kept) >= MAX_KEPT_FORMS:
            kept.clear()
        found = kept[session_id] = (version, asyncio.ensure_future(_load_signup_form(session_id)))
    try:
        # Shielded: one waiter going away (a client hanging up) does not cancel the load for the others.
        return await asyncio.shield(found[1])
    except Exception:
        if kept.get(session_id) is found:
            del kept[session_id]
        raise


async def _load_signup_form(session_id: int) -> SignupForm | None:
    session = await Session.get_or_none(id=session_id, status__in=PUBLIC_STATUSES)
    if session is None:
        return None
    tracks = [track.id for track in await Track.filter(session_id=session.id).only("id")]
    return SignupForm(session, await common.questions_for(session), tracks)
