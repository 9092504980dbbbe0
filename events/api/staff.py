"""Staff API for integrations (the town's website, the CRM): create and change sessions, read registrations.

Authorised by a bearer API token with scopes (agora.accounts.tokens), declared with access=api_token(...);
no cookie is read, so no CSRF token is needed.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from agora.i18n import gettext as _
from agora.web import NotFound, page_params, paged, path_id
from events import services
from events.api.common import (
    BadBody,
    failure,
    invalid,
    iso,
    json_object,
    ok,
    parse_datetime,
)
from events.api.public import session_json
from events.errors import EventError
from events.models import REGISTRATION_STATUSES, Registration, Series, Session

TEXT_FIELDS = (
    "kind",
    "title",
    "description",
    "venue_name",
    "venue_address",
    "venue_room",
    "venue_accessibility",
    "online_url",
    "contact_email",
)
TEXT_LIMITS = {"description": 20_000, "venue_accessibility": 5_000}
REQUIRED_TIMES = ("starts_at", "ends_at")
OPTIONAL_TIMES = ("registration_opens_at", "registration_closes_at", "cancel_deadline")
NUMBERS = ("capacity", "max_colleagues")
MAX_NUMBER = 100_000


def _session_fields(data: dict[str, Any], *, creating: bool) -> tuple[dict[str, Any], dict[str, str]]:
    """JSON types to model values. Content rules (end after start, ...) stay with the service."""
    errors: dict[str, str] = {}
    known = {*TEXT_FIELDS, *REQUIRED_TIMES, *OPTIONAL_TIMES, *NUMBERS, "requires_approval"}
    if creating:
        known |= {"series_id", "publish"}
    fields: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            errors[key] = _("This field is not known.")
        elif key in TEXT_FIELDS:
            if not isinstance(value, str):
                errors[key] = _("This field has the wrong type.")
            elif len(value) > TEXT_LIMITS.get(key, 500):
                errors[key] = _("This text is too long.")
            else:
                fields[key] = value.strip() if key != "description" else value
        elif key in REQUIRED_TIMES or key in OPTIONAL_TIMES:
            if value is None and key in OPTIONAL_TIMES:
                fields[key] = None
                continue
            moment = parse_datetime(value)
            if moment is None:
                errors[key] = _("Please give a date and time with a time zone (ISO 8601).")
            else:
                fields[key] = moment
        elif key in NUMBERS or key == "series_id":
            if value is None and key == "series_id":
                fields[key] = None
            elif not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_NUMBER:
                errors[key] = _("Please give a whole number from 0 to %(max)s.", max=MAX_NUMBER)
            else:
                fields[key] = value
        elif not isinstance(value, bool):
            errors[key] = _("Please give true or false.")
        else:
            fields[key] = value
    if creating:
        for key in ("title", *REQUIRED_TIMES):
            if key not in data:
                errors.setdefault(key, _("This field is required."))
    return fields, errors


def staff_session_json(request: Request, session: Session) -> dict[str, Any]:
    return {
        **session_json(request, session),
        "status": session.status,
        "online_url": session.online_url,
        "contact_email": session.contact_email,
        "seats_taken": session.seats_taken,
        "cancel_deadline": iso(session.cancel_deadline),
        "sequence": session.ics_sequence,
        "created_at": iso(session.created_at),
        "updated_at": iso(session.updated_at),
    }


def registration_json(registration: Registration) -> dict[str, Any]:
    return {
        "id": registration.id,
        "status": registration.status,
        "name": registration.name,
        "email": registration.email,
        "organisation": registration.organisation,
        "role": registration.role,
        "language": registration.language,
        "seats": registration.seats,
        "colleagues": registration.colleagues,
        "track_id": registration.track_id,  # type: ignore[attr-defined]
        "answers": registration.answers,
        "consent_version": registration.consent_version,
        "created_at": iso(registration.created_at),
        "confirmed_at": iso(registration.confirmed_at),
        "waitlisted_at": iso(registration.waitlisted_at),
        "cancelled_at": iso(registration.cancelled_at),
        "checked_in_at": iso(registration.checked_in_at),
    }


async def create_session(request: Request) -> Response:
    try:
        data = await json_object(request)
    except BadBody as bad:
        return bad.response
    fields, errors = _session_fields(data, creating=True)
    series_id = fields.get("series_id")
    if series_id is not None and not await Series.exists(id=series_id):
        errors["series_id"] = _("This series does not exist.")
    if errors:
        return invalid(errors)
    publish = fields.pop("publish", False)
    if publish:
        fields["status"] = "published"
    try:
        session = await services.create_session(**fields)
    except EventError as exc:
        return invalid(exc.errors)
    return ok(staff_session_json(request, session), 201, private=True)


async def update_session(request: Request) -> Response:
    session_id = path_id(request, "session_id")
    if not await Session.exists(id=session_id):
        raise NotFound(_("This session does not exist."))
    try:
        data = await json_object(request)
    except BadBody as bad:
        return bad.response
    fields, errors = _session_fields(data, creating=False)
    if errors:
        return invalid(errors)
    try:
        session = await services.update_session(request.app.state.settings, session_id, **fields)
    except NotFound:
        raise
    except EventError as exc:
        return invalid(exc.errors)
    return ok(staff_session_json(request, session), private=True)


async def session_registrations(request: Request) -> Response:
    session = await Session.get_or_none(id=path_id(request, "session_id"))
    if session is None:
        raise NotFound(_("This session does not exist."))
    errors: dict[str, str] = {}
    number, per_page = page_params(request, errors)
    query = Registration.filter(session_id=session.id)
    status = request.query_params.get("status")
    if status is not None:
        if status not in REGISTRATION_STATUSES:
            errors["status"] = _("Please give one of the registration statuses.")
        else:
            query = query.filter(status=status)
    if errors:
        return failure(400, _("Please check the query parameters named in errors."), errors)
    items, meta = await paged(query.order_by("id"), number, per_page)
    return ok(
        {
            "session": staff_session_json(request, session),
            "items": [registration_json(r) for r in items],
            **meta,
        },
        private=True,
    )
