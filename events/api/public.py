"""Public API: series, published sessions with agenda and seats, and registering for a session.

These endpoints read no cookie and set none (the session middleware skips /api/), so a cross-site request
cannot act with anybody's sign-in: that is why registering needs no CSRF token.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from agora import i18n
from agora.accounts.sessions import client_ip
from agora.i18n import gettext as _
from agora.web import NotFound, page_params, paged, path_id
from events import services
from events.api.common import BadBody, failure, invalid, iso, json_object, ok
from events.errors import EventError, RegistrationClosed
from events.forms import CONSENT_TEXT, CONSENT_VERSION
from events.models import CANCELLED, COMPLETED, PUBLISHED, Series, Session, Track
from events.services import common, limits, signup, validation

# Statuses a reader may know about. Only published sessions are shown; the others are refused as closed.
KNOWN_STATUSES = (PUBLISHED, CANCELLED, COMPLETED)
REGISTRATION_FIELDS = {
    "name": str,
    "email": str,
    "organisation": str,
    "role": str,
    "answers": dict,
    "colleagues": list,
    "track_id": int,
    "consent": bool,
}


def _public_url(request: Request, path: str) -> str:
    return request.app.state.settings.base_url.rstrip("/") + path


def series_json(request: Request, series: Series) -> dict[str, Any]:
    return {
        "id": series.id,
        "title": series.title,
        "description": series.description,
        "office": series.office,
        "contact_email": series.contact_email,
        "venue": {
            "name": series.venue_name,
            "address": series.venue_address,
            "room": series.venue_room,
            "accessibility": series.venue_accessibility,
        },
        "url": _public_url(request, f"/reihen/{series.id}"),
    }


def registration_state(session: Session) -> str:
    """open, waitlist (full: new registrations join the waitlist), not_open, closed or past."""
    now = common.now_utc()
    if now >= session.starts_at:
        return "past"
    if session.registration_opens_at and now < session.registration_opens_at:
        return "not_open"
    if now >= (session.registration_closes_at or session.starts_at):
        return "closed"
    return "waitlist" if services.seats_left(session) <= 0 else "open"


def session_json(request: Request, session: Session) -> dict[str, Any]:
    return {
        "id": session.id,
        "series_id": session.series_id,  # type: ignore[attr-defined]
        "kind": session.kind,
        "title": session.title,
        "description": session.description,
        "starts_at": iso(session.starts_at),
        "ends_at": iso(session.ends_at),
        "venue": {
            "name": session.venue_name,
            "address": session.venue_address,
            "room": session.venue_room,
            "accessibility": session.venue_accessibility,
        },
        # The link itself goes only to registered people (in their mails), not to the public.
        "online": bool(session.online_url),
        "capacity": session.capacity,
        "seats_left": services.seats_left(session),
        "registration": {
            "state": registration_state(session),
            "opens_at": iso(session.registration_opens_at),
            "closes_at": iso(session.registration_closes_at or session.starts_at),
            "requires_approval": session.requires_approval,
            "max_colleagues": session.max_colleagues,
        },
        "url": _public_url(request, f"/termine/{session.id}"),
    }


async def series_list(request: Request) -> Response:
    errors: dict[str, str] = {}
    number, per_page = page_params(request, errors)
    if errors:
        return failure(400, _("Please check the query parameters named in errors."), errors)
    items, meta = await paged(Series.all().order_by("title", "id"), number, per_page)
    return ok({"items": [series_json(request, s) for s in items], **meta})


async def session_list(request: Request) -> Response:
    errors: dict[str, str] = {}
    number, per_page = page_params(request, errors)
    query = Session.filter(status=PUBLISHED)
    series = request.query_params.get("series")
    if series is not None:
        if not series.isdigit() or len(series) > 10:
            errors["series"] = _("Please give the id of a series.")
        else:
            query = query.filter(series_id=int(series))
    upcoming = request.query_params.get("upcoming")
    if upcoming == "true":
        query = query.filter(ends_at__gte=common.now_utc())
    elif upcoming == "false":
        query = query.filter(ends_at__lt=common.now_utc())
    elif upcoming is not None:
        errors["upcoming"] = _("Please give true or false.")
    if errors:
        return failure(400, _("Please check the query parameters named in errors."), errors)
    items, meta = await paged(query.order_by("starts_at", "id"), number, per_page)
    return ok({"items": [session_json(request, s) for s in items], **meta})


async def session_detail(request: Request) -> Response:
    session = await Session.get_or_none(id=path_id(request, "session_id"), status=PUBLISHED)
    if session is None:
        raise NotFound(_("This session does not exist."))
    tracks = await Track.filter(session_id=session.id).order_by("id")
    questions = await validation.questions_for(session)
    agenda = await services.agenda_of(session.id)
    return ok(
        {
            **session_json(request, session),
            "tracks": [
                {
                    "id": t.id,
                    "title": t.title,
                    "capacity": t.capacity,
                    "seats_left": max(0, t.capacity - t.seats_taken),
                }
                for t in tracks
            ],
            "questions": [
                {"id": q.id, "label": q.label, "kind": q.kind, "options": q.options, "required": q.required}
                for q in questions
            ],
            "agenda": [
                {
                    "starts_at": iso(item.starts_at),
                    "ends_at": iso(item.ends_at),
                    "title": item.title,
                    "description": item.description,
                    "kind": item.kind,
                    "room": item.room,
                    "track_id": item.track_id,  # type: ignore[attr-defined]
                    "speakers": [
                        {"name": p.name, "role": p.role, "organisation": p.organisation} for p in item.speakers
                    ],
                }
                for item in agenda
            ],
        }
    )


def _registration_input(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Field types checked before the service sees them; the service checks the content."""
    errors: dict[str, str] = {}
    for key in data:
        if key not in REGISTRATION_FIELDS:
            errors[key] = _("This field is not known.")
    values: dict[str, Any] = {}
    for key, kind in REGISTRATION_FIELDS.items():
        value = data.get(key)
        if value is None:
            continue
        # bool is an int in Python: a track id of true must not pass.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            errors[key] = _("This field has the wrong type.")
            continue
        values[key] = value
    for index, colleague in enumerate(values.get("colleagues", [])):
        if not isinstance(colleague, dict) or not all(isinstance(v, str) for v in colleague.values()):
            errors["colleagues"] = _("Each colleague is an object with a name and an email address.")
            break
        if index >= 50:
            errors["colleagues"] = _("Too many colleagues.")
            break
    return values, errors


async def register(request: Request) -> Response:
    settings = request.app.state.settings
    session_id = path_id(request, "session_id")
    if not await Session.exists(id=session_id, status__in=KNOWN_STATUSES):
        raise NotFound(_("This session does not exist."))
    try:
        data = await json_object(request)
    except BadBody as bad:
        return bad.response
    wait = await limits.registration_wait(client_ip(request.scope))
    if wait is not None:
        refusal = failure(429, _("Too many registrations from your address. Please wait a few minutes."))
        refusal.headers["Retry-After"] = str(wait)
        return refusal
    values, errors = _registration_input(data)
    if errors:
        return invalid(errors)
    consent = values.pop("consent", False)
    values.setdefault("name", "")
    values.setdefault("email", "")
    try:
        receipt = await signup.register_publicly(
            settings,
            session_id,
            **values,
            consent=consent,
            consent_version=CONSENT_VERSION if consent else "",
            consent_text=str(CONSENT_TEXT) if consent else "",
            language=i18n.current_locale.get(),
        )
    except NotFound:
        raise
    except RegistrationClosed as exc:
        return failure(409, next(iter(exc.errors.values())), exc.errors)
    except EventError as exc:
        return invalid(exc.errors)
    # No id: ids are counted up, so one would tell a new registration from an address registered before.
    return ok({"status": receipt.status, "waitlist_position": receipt.waitlist_position}, 201)
