"""Public event pages: series, sessions, registration, confirmation, the personal manage page, calendar feeds.

German-first addresses: /termine (upcoming sessions), /termine/{id} (a session with its registration form),
/reihen/{id} (a series); calendar files next to them. The mailed links live under /events/registrations/
(events.public.manage).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from agora.i18n import gettext as _
from agora.web import PUBLIC, page, path_id, render
from events.public import manage, session
from events.public.common import (
    MANAGE_PATH,
    SERIES_PATH,
    SESSIONS_PATH,
    changes_with,
    ics_response,
    series_url,
    session_url,
)
from events.services import feeds
from events.services.public import series_view, session_calendar, upcoming_sessions

HOME_LIMIT = 5


async def home_sessions() -> list[dict[str, Any]]:
    """Upcoming published sessions for the home page."""
    sessions = changes_with(await upcoming_sessions(limit=HOME_LIMIT))
    return [{"title": s.full_title, "url": session_url(s.id), "when": s.starts_at} for s in sessions]


async def sessions_overview(request: Request) -> Response:
    return await render(
        request,
        "events/sessions.html",
        {
            "sessions": changes_with(await upcoming_sessions()),
            "breadcrumbs": [(_("Home"), "/"), (_("Sessions"), None)],
        },
    )


async def series_page(request: Request) -> Response:
    series, upcoming, past = await series_view(path_id(request, "id"))
    changes_with(upcoming)
    return await render(
        request,
        "events/series.html",
        {
            "series": series,
            "upcoming": upcoming,
            "past": past,
            "feed_url": f"{series_url(series.id)}/kalender.ics",
            "breadcrumbs": [(_("Home"), "/"), (_("Sessions"), SESSIONS_PATH), (series.title, None)],
        },
    )


async def session_ics(request: Request) -> Response:
    item, data = await session_calendar(request.app.state.settings, path_id(request, "id"))
    return ics_response(data, f"session-{item.id}.ics")


async def series_feed(request: Request) -> Response:
    series_id = path_id(request, "id")
    data = await feeds.series_feed(request.app.state.settings, series_id)
    return ics_response(data, f"series-{series_id}.ics")


async def sessions_feed(request: Request) -> Response:
    return ics_response(await feeds.sessions_feed(request.app.state.settings), "sessions.ics")


def routes() -> list[BaseRoute]:
    token = MANAGE_PATH + "/{token}"
    return [
        page(SESSIONS_PATH, sessions_overview, access=PUBLIC, name="events_sessions", cached=True),
        page(SESSIONS_PATH + ".ics", sessions_feed, access=PUBLIC, name="events_sessions_feed", cached=True),
        page(SESSIONS_PATH + "/{id}", session.session_page, access=PUBLIC, name="events_session", cached=True),
        page(SESSIONS_PATH + "/{id}/kalender.ics", session_ics, access=PUBLIC, name="events_session_ics", cached=True),
        page(
            SESSIONS_PATH + "/{id}/anmeldung",
            session.register_submit,
            access=PUBLIC,
            methods=["POST"],
            name="events_register",
        ),
        page(SERIES_PATH + "/{id}", series_page, access=PUBLIC, name="events_series", cached=True),
        page(SERIES_PATH + "/{id}/kalender.ics", series_feed, access=PUBLIC, name="events_series_feed", cached=True),
        page(token, manage.manage_page, access=PUBLIC, name="events_manage"),
        page(token, manage.manage_submit, access=PUBLIC, methods=["POST"], name="events_manage_submit"),
        page(token + "/cancel", manage.cancel_submit, access=PUBLIC, methods=["POST"], name="events_cancel"),
        page(token + "/confirm", manage.confirm_page, access=PUBLIC, name="events_confirm"),
        page(
            token + "/confirm",
            manage.confirm_submit,
            access=PUBLIC,
            methods=["POST"],
            name="events_confirm_submit",
        ),
        page(
            token + "/calendar.ics",
            manage.registration_calendar,
            access=PUBLIC,
            name="events_registration_ics",
        ),
        page(token + "/feed.ics", manage.personal_feed, access=PUBLIC, name="events_personal_feed"),
    ]
