"""Staff pages of a session: list, create, edit, publish, cancel, reschedule, move, complete, copy agenda."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from agora.forms import FieldErrors, max_lengths, parse_form
from agora.i18n import gettext as _
from agora.i18n import lazy_gettext
from agora.web import get_or_404, paginate, path_id, redirect, render, session_of
from events import recurrence
from events import services as event_services
from events.errors import EventError
from events.forms import CancelInput, MoveInput, SessionChange, SessionCreate, shown
from events.models import IN_PERSON, SESSION_STATUSES, Series, Session
from events.services import planning
from surveys import api as surveys

KIND_LABELS = {
    "dialogue": lazy_gettext("Dialogue session"),
    "workshop": lazy_gettext("Workshop"),
    "information": lazy_gettext("Information event"),
}
MODE_LABELS = {
    "in_person": lazy_gettext("In person"),
    "online": lazy_gettext("Online"),
    "hybrid": lazy_gettext("Hybrid: in the room or online"),
}


def mode_labels() -> dict[str, Any]:
    return MODE_LABELS


STATUS_LABELS = {
    "draft": lazy_gettext("Draft"),
    "published": lazy_gettext("Published"),
    "cancelled": lazy_gettext("Cancelled"),
    "completed": lazy_gettext("Completed"),
}
TEXT_FIELDS = (
    "title",
    "topic",
    "description",
    "directions",
    "venue_name",
    "venue_address",
    "venue_room",
    "venue_accessibility",
    "contact_email",
)
TIME_FIELDS = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at", "cancel_deadline")


async def session_list(request: Request) -> Response:
    when = request.query_params.get("when", "upcoming")
    status = request.query_params.get("status", "")
    now = datetime.now(UTC)
    query = Session.all()
    if when == "past":
        query = query.filter(ends_at__lt=now).order_by("-starts_at")
    elif when == "all":
        query = query.order_by("-starts_at")
    else:
        when = "upcoming"
        query = query.filter(ends_at__gte=now).order_by("starts_at")
    if status in SESSION_STATUSES:
        query = query.filter(status=status)
    else:
        status = ""
    result = await paginate(query, request, per_page=50)
    return await render(
        request,
        "events/staff/session_list.html",
        {"page": result, "when": when, "status": status, "statuses": STATUS_LABELS, "kinds": KIND_LABELS},
    )


async def _form(request: Request, session: Session | None, values: dict, errors: dict, status: int = 200) -> Response:
    return await render(
        request,
        "events/staff/session_form.html",
        {
            "session": session,
            "values": shown(values),
            "errors": errors,
            "kinds": KIND_LABELS,
            "modes": mode_labels(),
            "limits": max_lengths(SessionCreate),
            "series_list": await Series.all().order_by("title"),
            "surveys": await surveys.survey_choices(),
        },
        status,
    )


async def session_new(request: Request) -> Response:
    values: dict[str, Any] = {
        **dict.fromkeys(TEXT_FIELDS, ""),
        "kind": "dialogue",
        "online_url": "",
        "mode": IN_PERSON,
        "capacity": 30,
        "online_capacity": 0,
        "max_colleagues": 0,
        "cost": None,
        "cost_note": "",
        "requires_approval": False,
        "series_id": request.query_params.get("series", "")[:10],
    }
    values.update(dict.fromkeys(TIME_FIELDS))
    return await _form(request, None, values, {})


async def session_create(request: Request) -> Response:
    try:
        data = await parse_form(request, SessionCreate)
    except FieldErrors as exc:
        return await _form(request, None, exc.values, exc.errors, 400)
    if data.series_id is not None and not await Series.exists(id=data.series_id):
        return await _form(request, None, data.model_dump(), {"series_id": _("Please choose one of the series.")}, 400)
    try:
        session = await event_services.create_session(**data.fields())
    except EventError as exc:
        return await _form(request, None, data.model_dump(), exc.errors, 400)
    await session_of(request).flash(_("The session has been created as a draft."))
    return redirect(f"/staff/events/sessions/{session.id}")


async def session_detail(request: Request, *, errors: dict | None = None, status: int = 200) -> Response:
    session = await get_or_404(Session, id=path_id(request, "session_id"))
    series = await Series.get_or_none(id=session.series_id) if session.series_id else None
    previous = None
    if series is not None:
        previous = (
            await Session.filter(series_id=series.id, starts_at__lt=session.starts_at).order_by("-starts_at").first()
        )
    return await render(
        request,
        "events/staff/session_detail.html",
        {
            "session": session,
            "series": series,
            "previous": previous,
            "counts": await planning.status_counts(session.id),
            "seats_left": event_services.seats_left(session),
            "kinds": KIND_LABELS,
            "statuses": STATUS_LABELS,
            "errors": errors or {},
            "move_values": shown({"starts_at": session.starts_at, "ends_at": session.ends_at}),
        },
        status,
    )


async def session_edit(request: Request) -> Response:
    session = await get_or_404(Session, id=path_id(request, "session_id"))
    values = {key: getattr(session, key) for key in (*TEXT_FIELDS, *TIME_FIELDS)}
    values.update(
        kind=session.kind,
        online_url=session.online_url,
        mode=session.mode,
        capacity=session.capacity,
        online_capacity=session.online_capacity,
        max_colleagues=session.max_colleagues,
        cost=session.cost,
        cost_note=session.cost_note,
        requires_approval=session.requires_approval,
        followup_survey_id=session.followup_survey_id,
    )
    return await _form(request, session, values, {})


async def session_update(request: Request) -> Response:
    session = await get_or_404(Session, id=path_id(request, "session_id"))
    try:
        data = await parse_form(request, SessionChange)
    except FieldErrors as exc:
        return await _form(request, session, exc.values, exc.errors, 400)
    try:
        await event_services.update_session(request.app.state.settings, session.id, **data.changes())
    except EventError as exc:
        return await _form(request, session, data.model_dump(), exc.errors, 400)
    await session_of(request).flash(_("The session has been saved."))
    return redirect(f"/staff/events/sessions/{session.id}")


async def session_publish(request: Request) -> Response:
    session = await get_or_404(Session, id=path_id(request, "session_id"))
    try:
        await event_services.publish_session(session.id)
    except EventError as exc:
        return await session_detail(request, errors=exc.errors, status=400)
    await session_of(request).flash(_("The session has been published."))
    return redirect(f"/staff/events/sessions/{session.id}")


async def session_cancel(request: Request) -> Response:
    session = await get_or_404(Session, id=path_id(request, "session_id"))
    try:
        data = await parse_form(request, CancelInput)
    except FieldErrors as exc:
        return await session_detail(request, errors=exc.errors, status=400)
    try:
        await event_services.cancel_session(request.app.state.settings, session.id, reason=data.reason)
    except EventError as exc:
        return await session_detail(request, errors=exc.errors, status=400)
    await session_of(request).flash(_("The session has been cancelled and everyone registered is being told."))
    return redirect(f"/staff/events/sessions/{session.id}")


async def session_complete(request: Request) -> Response:
    session = await get_or_404(Session, id=path_id(request, "session_id"))
    if session.status != "published":
        return await session_detail(
            request, errors={"status": _("Only a published session can be completed.")}, status=400
        )
    await event_services.complete_session(session.id)
    await session_of(request).flash(_("The session has been marked as completed."))
    return redirect(f"/staff/events/sessions/{session.id}")


async def session_move(request: Request) -> Response:
    session = await get_or_404(Session, id=path_id(request, "session_id"))
    try:
        data = await parse_form(request, MoveInput)
    except FieldErrors as exc:
        return await session_detail(request, errors=exc.errors, status=400)
    try:
        await recurrence.move_session(request.app.state.settings, session.id, data.move_starts_at, data.move_ends_at)
    except EventError as exc:
        return await session_detail(
            request,
            errors={f"move_{k}" if k in ("starts_at", "ends_at") else k: v for k, v in exc.errors.items()},
            status=400,
        )
    await session_of(request).flash(_("The session has been moved; the agenda moved with it."))
    return redirect(f"/staff/events/sessions/{session.id}")


async def session_copy_agenda(request: Request) -> Response:
    session = await get_or_404(Session, id=path_id(request, "session_id"))
    if not session.series_id:
        return await session_detail(request, errors={"copy": _("This session belongs to no series.")}, status=400)
    previous = (
        await Session.filter(series_id=session.series_id, starts_at__lt=session.starts_at)
        .order_by("-starts_at")
        .first()
    )
    if previous is None:
        return await session_detail(
            request, errors={"copy": _("There is no earlier session in this series.")}, status=400
        )
    count = await recurrence.copy_agenda(previous.id, session.id)
    await session_of(request).flash(_("%(count)s agenda items have been copied.", count=count))
    return redirect(f"/staff/events/sessions/{session.id}/agenda")
