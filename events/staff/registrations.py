"""Registrations of a session for staff: counts, decisions, moving between waitlist and seats, adding by hand,
and the exports."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from agora.forms import FieldErrors, max_lengths, parse_form
from agora.i18n import gettext as _
from agora.i18n import lazy_gettext
from agora.web import NotFound, get_or_404, path_id, redirect, render, session_of
from events import checkin, exports, forms
from events import services as event_services
from events.errors import EventError
from events.models import Registration, Session, Track, attendances
from events.services import common, planning

STATUS_LABELS = {
    "pending_confirmation": lazy_gettext("Held, awaiting email confirmation"),
    "confirmed": lazy_gettext("Confirmed"),
    "waitlisted": lazy_gettext("Waitlisted"),
    "pending_approval": lazy_gettext("Awaiting approval"),
    "cancelled": lazy_gettext("Cancelled"),
    "declined": lazy_gettext("Declined"),
    "attended": lazy_gettext("Attended"),
}
# action -> (service, the flash after it)
ACTIONS = {
    "approve": (event_services.approve, lazy_gettext("The registration has been approved.")),
    "decline": (event_services.decline, lazy_gettext("The registration has been declined.")),
    "confirm": (event_services.move_to_confirmed, lazy_gettext("The person now has a seat.")),
    "waitlist": (
        event_services.move_to_waitlist,
        lazy_gettext("The person has been moved to the end of the waitlist."),
    ),
    "attended-online": (checkin.mark_attended_online, lazy_gettext("The online attendance has been recorded.")),
}


async def registrations_page(
    request: Request, *, errors: dict | None = None, values: dict | None = None, status: int = 200
) -> Response:
    session = await get_or_404(Session, id=path_id(request, "session_id"))
    registrations = (
        await Registration.filter(session_id=session.id).order_by("created_at", "id").prefetch_related("track")
    )
    waiting = await planning.waitlist_of(session.id)
    return await render(
        request,
        "events/staff/registrations.html",
        {
            "session": session,
            "registrations": [r for r in registrations if r.status != "waitlisted"],
            "waitlist": waiting,
            "positions": planning.waitlist_positions(waiting),
            "counts": await planning.status_counts(session.id),
            "seats_left": event_services.seats_left(session),
            "labels": STATUS_LABELS,
            "tracks": await Track.filter(session_id=session.id).order_by("id"),
            "questions": await common.questions_for(session),
            "errors": errors or {},
            "values": values or {"name": "", "email": "", "organisation": "", "role": "", "track_id": ""},
            "export_kinds": exports.KINDS,
            "limits": max_lengths(forms.RegistrationInput),
        },
        status,
    )


async def registration_add(request: Request) -> Response:
    session = await get_or_404(Session, id=path_id(request, "session_id"))
    tracks = [track.id for track in await Track.filter(session_id=session.id)]
    model = forms.with_questions(forms.RegistrationInput, await common.questions_for(session), strict=False)
    rules = forms.session_rules(
        tracks=tracks, max_colleagues=session.max_colleagues, by_staff=True, attendances=attendances(session.mode)
    )
    try:
        data = await parse_form(request, model, **rules)
    except FieldErrors as exc:
        return await registrations_page(request, errors=exc.errors, values=exc.values, status=400)
    try:
        registration = await event_services.register(
            request.app.state.settings, session.id, **data.registrant(), by_staff=True
        )
    except EventError as exc:
        return await registrations_page(request, errors=exc.errors, values=data.shown(), status=400)
    await session_of(request).flash(
        _(
            "%(name)s has been added: %(status)s.",
            name=registration.name,
            status=STATUS_LABELS[registration.status],
        )
    )
    return redirect(f"/staff/events/sessions/{session.id}/registrations")


async def cancel_confirm(request: Request) -> Response:
    """The step before staff cancel someone: whose registration, and what follows."""
    session = await get_or_404(Session, id=path_id(request, "session_id"))
    registration = await get_or_404(Registration, id=path_id(request, "registration_id"), session_id=session.id)
    return await render(
        request, "events/staff/cancel_registration.html", {"session": session, "registration": registration}
    )


async def registration_action(request: Request) -> Response:
    session = await get_or_404(Session, id=path_id(request, "session_id"))
    registration_id = path_id(request, "registration_id")
    action = request.path_params.get("action", "")
    if action not in ACTIONS and action != "cancel":
        raise NotFound()
    if not await Registration.exists(id=registration_id, session_id=session.id):
        raise NotFound()
    settings = request.app.state.settings
    try:
        if action == "cancel":
            await event_services.cancel_registration(settings, registration_id, by_staff=True)
            message = _("The registration has been cancelled.")
        else:
            service, done = ACTIONS[action]
            await service(settings, registration_id)
            message = str(done)
    except EventError as exc:
        return await registrations_page(request, errors={"decision": " ".join(exc.errors.values())}, status=400)
    await session_of(request).flash(message)
    return redirect(f"/staff/events/sessions/{session.id}/registrations")


async def export(request: Request) -> Response:
    session = await get_or_404(Session, id=path_id(request, "session_id"))
    kind = request.path_params.get("kind", "")
    fmt = request.path_params.get("fmt", "")
    if kind not in exports.KINDS or fmt not in exports.FORMATS:
        raise NotFound()
    content, media_type, name = await exports.export(session, kind, fmt)
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )
