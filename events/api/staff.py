"""Staff API for integrations (the town's website, the CRM): create and change sessions, read registrations.

Authorised by a bearer API token with scopes (agora.accounts.tokens), declared with scope=...; no cookie is read,
so no CSRF token is needed. The request models are the staff pages' own (events.forms.planning).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response

from agora.api import PageMeta, PageQuery, invalid, ok
from agora.forms import OneOf
from agora.i18n import gettext as _
from agora.web import NotFound, paged, path_id
from events import services
from events.api.public import SessionOut, session_fields
from events.errors import EventError
from events.forms import SessionChange, SessionCreate
from events.models import ATTENDANCES, PUBLISHED, REGISTRATION_STATUSES, SESSION_STATUSES, Registration, Series, Session


class StaffSession(SessionOut):
    status: str = Field(json_schema_extra={"enum": list(SESSION_STATUSES)})
    online_url: str
    contact_email: str
    seats_taken: int
    online_seats_taken: int
    cancel_deadline: datetime | None
    sequence: int = Field(description="The calendar SEQUENCE, raised on every change.")
    created_at: datetime
    updated_at: datetime


class ColleagueOut(BaseModel):
    name: str
    email: str


class RegistrationOut(BaseModel):
    id: int
    status: str = Field(json_schema_extra={"enum": list(REGISTRATION_STATUSES)})
    name: str
    email: str
    organisation: str
    role: str
    language: str
    seats: int
    attendance: str = Field(json_schema_extra={"enum": list(ATTENDANCES)}, description="in_person or online.")
    colleagues: list[ColleagueOut]
    track_id: int | None
    answers: dict[str, str | float | list[str]] = Field(description="Question id (as text) -> answer.")
    consent_version: str
    created_at: datetime
    confirmed_at: datetime | None
    waitlisted_at: datetime | None
    cancelled_at: datetime | None
    checked_in_at: datetime | None


class RegistrationPage(PageMeta):
    session: StaffSession
    items: list[RegistrationOut]


class RegistrationQuery(PageQuery):
    status: Annotated[str, OneOf(*REGISTRATION_STATUSES)] | None = Field(default=None, description="Only this status.")


def staff_session(request: Request, session: Session) -> StaffSession:
    return StaffSession.model_validate(
        {
            **session_fields(request, session),
            "status": session.status,
            "online_url": session.online_url,
            "contact_email": session.contact_email,
            "seats_taken": session.seats_taken,
            "online_seats_taken": session.online_seats_taken,
            "cancel_deadline": session.cancel_deadline,
            "sequence": session.ics_sequence,
            "created_at": session.created_at,
            "updated_at": session.updated_at,
        }
    )


def registration_out(registration: Registration) -> RegistrationOut:
    fields: dict[str, Any] = {name: getattr(registration, name) for name in RegistrationOut.model_fields}
    fields["track_id"] = registration.track_id
    return RegistrationOut.model_validate(fields)


async def create_session(request: Request, body: SessionCreate) -> Response:
    if body.series_id is not None and not await Series.exists(id=body.series_id):
        return invalid({"series_id": _("This series does not exist.")})
    fields = body.fields()
    if body.publish:
        fields["status"] = PUBLISHED
    try:
        session = await services.create_session(**fields)
    except EventError as exc:
        return invalid(exc.errors)
    return ok(staff_session(request, session), 201, private=True)


async def update_session(request: Request, body: SessionChange) -> Response:
    session_id = path_id(request, "session_id")
    if not await Session.exists(id=session_id):
        raise NotFound(_("This session does not exist."))
    try:
        session = await services.update_session(request.app.state.settings, session_id, **body.changes())
    except NotFound:
        raise
    except EventError as exc:
        return invalid(exc.errors)
    return ok(staff_session(request, session), private=True)


async def session_registrations(request: Request, query: RegistrationQuery) -> Response:
    session = await Session.get_or_none(id=path_id(request, "session_id"))
    if session is None:
        raise NotFound(_("This session does not exist."))
    registrations = Registration.filter(session_id=session.id)
    if query.status is not None:
        registrations = registrations.filter(status=query.status)
    items, meta = await paged(registrations.order_by("id"), query.page, query.per_page)
    page = RegistrationPage(session=staff_session(request, session), items=[registration_out(r) for r in items], **meta)
    return ok(page, private=True)
