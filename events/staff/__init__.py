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
from agora.web import page, session_of, staff
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
    post = {"access": access, "methods": ["POST"]}
    s = "/staff/events/series"
    e = "/staff/events/sessions/{session_id}"
    return [
        page(s, series.series_list, access=access),
        page(s + "/new", series.series_new, access=access),
        page(s + "/new", series.series_create, name="series_create", **post),
        page(s + "/{series_id}", series.series_detail, access=access),
        page(s + "/{series_id}/edit", series.series_edit, access=access),
        page(s + "/{series_id}/edit", series.series_update, name="series_update", **post),
        page(s + "/{series_id}/generate", series.series_generate, **post),
        page(s + "/{series_id}/skip", series.series_skip, **post),
        page(s + "/{series_id}/questions", series.series_question_add, **post),
        page(s + "/{series_id}/questions/{question_id}/delete", series.series_question_delete, **post),
        page("/staff/events/sessions", sessions.session_list, access=access),
        page("/staff/events/sessions/new", sessions.session_new, access=access),
        page("/staff/events/sessions/new", sessions.session_create, name="session_create", **post),
        page(e, sessions.session_detail, access=access),
        page(e + "/edit", sessions.session_edit, access=access),
        page(e + "/edit", sessions.session_update, name="session_update", **post),
        page(e + "/publish", sessions.session_publish, **post),
        page(e + "/cancel", sessions.session_cancel, **post),
        page(e + "/complete", sessions.session_complete, **post),
        page(e + "/move", sessions.session_move, **post),
        page(e + "/copy-agenda", sessions.session_copy_agenda, **post),
        page(e + "/agenda", agenda.agenda_page, access=access),
        page(e + "/agenda", agenda.item_add, name="agenda_item_add", **post),
        page(e + "/agenda/{item_id}/delete", agenda.item_delete, **post),
        page(e + "/tracks", agenda.track_add, **post),
        page(e + "/tracks/{track_id}/delete", agenda.track_delete, **post),
        page(e + "/questions", agenda.question_add, **post),
        page(e + "/questions/{question_id}/delete", agenda.question_delete, **post),
        page(e + "/registrations", registrations.registrations_page, access=access),
        page(e + "/registrations", registrations.registration_add, name="registration_add", **post),
        page(e + "/registrations/{registration_id}/{action}", registrations.registration_action, **post),
        page(e + "/export/{kind}.{fmt}", registrations.export, access=access),
        page(e + "/checkin", checkin.checkin_page, access=access),
        page(e + "/checkin", checkin.checkin_post, name="checkin_post", **post),
        page(e + "/checkin/counts", checkin.checkin_counts, access=access),
        page(e + "/attendees", checkin.attendee_list, access=access),
    ]
