"""Staff pages for series, sessions, agenda, registrations, check-in and exports.

Organizers and admins plan and manage events; moderators do not. Every write goes through one function of
events.services (or events.recurrence, events.checkin) via a POST form with the CSRF token.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute

from agora.i18n import gettext as _
from agora.nav import StaffLink
from agora.web import Endpoint, page, session_of, staff
from events.models import PENDING_APPROVAL, PUBLISHED, Registration, Session
from events.staff import agenda, checkin, registrations, series, sessions

ROLES = ("organizer", "admin")
NAV = [
    StaffLink("Sessions", "/staff/events/sessions", frozenset(ROLES)),
    StaffLink("Series", "/staff/events/series", frozenset(ROLES)),
]


async def dashboard_widget(request: Request) -> dict[str, Any] | None:
    user = session_of(request).user
    if user is None or not user.has_role(*ROLES):
        return None
    upcoming = await Session.filter(status=PUBLISHED, ends_at__gte=datetime.now(UTC)).count()
    waiting = await Registration.filter(status=PENDING_APPROVAL).count()
    return {
        "title": _("Events"),
        "text": _(
            "%(upcoming)d upcoming published sessions, %(waiting)d registrations awaiting approval",
            upcoming=upcoming,
            waiting=waiting,
        ),
        "url": "/staff/events/sessions",
        "link_text": _("Show the sessions"),
    }


def routes() -> list[BaseRoute]:
    access = staff(*ROLES)

    def get(path: str, endpoint: Endpoint) -> BaseRoute:
        return page(path, endpoint, access=access)

    def post(path: str, endpoint: Endpoint, name: str | None = None) -> BaseRoute:
        return page(path, endpoint, access=access, methods=["POST"], name=name)

    s = "/staff/events/series"
    e = "/staff/events/sessions/{session_id}"
    return [
        get(s, series.series_list),
        get(s + "/new", series.series_new),
        post(s + "/new", series.series_create, "series_create"),
        get(s + "/{series_id}", series.series_detail),
        get(s + "/{series_id}/edit", series.series_edit),
        post(s + "/{series_id}/edit", series.series_update, "series_update"),
        post(s + "/{series_id}/generate", series.series_generate),
        post(s + "/{series_id}/skip", series.series_skip),
        post(s + "/{series_id}/questions", series.series_question_add),
        post(s + "/{series_id}/questions/{question_id}/delete", series.series_question_delete),
        get("/staff/events/sessions", sessions.session_list),
        get("/staff/events/sessions/new", sessions.session_new),
        post("/staff/events/sessions/new", sessions.session_create, "session_create"),
        get(e, sessions.session_detail),
        get(e + "/edit", sessions.session_edit),
        post(e + "/edit", sessions.session_update, "session_update"),
        post(e + "/publish", sessions.session_publish),
        post(e + "/cancel", sessions.session_cancel),
        post(e + "/complete", sessions.session_complete),
        post(e + "/move", sessions.session_move),
        post(e + "/copy-agenda", sessions.session_copy_agenda),
        get(e + "/agenda", agenda.agenda_page),
        post(e + "/agenda", agenda.item_add, "agenda_item_add"),
        get(e + "/agenda/{item_id}", agenda.item_edit),
        post(e + "/agenda/{item_id}", agenda.item_update, "agenda_item_update"),
        post(e + "/agenda/{item_id}/delete", agenda.item_delete),
        post(e + "/tracks", agenda.track_add),
        post(e + "/tracks/{track_id}", agenda.track_update),
        post(e + "/tracks/{track_id}/delete", agenda.track_delete),
        post(e + "/questions", agenda.question_add),
        post(e + "/questions/{question_id}/delete", agenda.question_delete),
        get(e + "/registrations", registrations.registrations_page),
        post(e + "/registrations", registrations.registration_add, "registration_add"),
        get(e + "/registrations/{registration_id}/cancel", registrations.cancel_confirm),
        post(e + "/registrations/{registration_id}/{action}", registrations.registration_action),
        get(e + "/export/{kind}.{fmt}", registrations.export),
        get(e + "/checkin", checkin.checkin_page),
        post(e + "/checkin", checkin.checkin_post, "checkin_post"),
        post(e + "/checkin/scan", checkin.checkin_scan, "checkin_scan"),
        get(e + "/checkin/counts", checkin.checkin_counts),
        get(e + "/attendees", checkin.attendee_list),
    ]
