"""The agenda editor of a session: items with speakers, parallel tracks, and the session's own questions."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from agora.forms import FieldErrors, local_value, parse_form
from agora.i18n import gettext as _
from agora.i18n import lazy_gettext
from agora.web import NotFound, get_or_404, path_id, redirect, render, session_of
from events import services as event_services
from events.errors import EventError
from events.forms import SPEAKER_ROWS, AgendaItemInput, TrackInput
from events.models import AgendaItem, Question, Session, Track
from events.services import common, planning
from events.staff import questions

AGENDA_KIND_LABELS = {
    "talk": lazy_gettext("Talk"),
    "discussion": lazy_gettext("Discussion"),
    "break": lazy_gettext("Break"),
    "networking": lazy_gettext("Networking"),
}


async def agenda_page(
    request: Request, *, errors: dict | None = None, values: dict | None = None, status: int = 200
) -> Response:
    session = await get_or_404(Session, id=path_id(request, "session_id"))
    defaults: dict[str, Any] = {
        "starts_at": local_value(session.starts_at),
        "ends_at": local_value(session.ends_at),
        "title": "",
        "description": "",
        "kind": "talk",
        "room": "",
        "track_id": "",
        "speakers": [{"name": "", "role": "", "organisation": ""} for _i in range(SPEAKER_ROWS)],
    }
    defaults.update(values or {})
    series_questions = [q for q in await common.questions_for(session) if q.session_id is None]
    return await render(
        request,
        "events/staff/agenda.html",
        {
            "session": session,
            "items": await event_services.agenda_of(session.id),
            "tracks": await Track.filter(session_id=session.id).order_by("id"),
            "questions": await Question.filter(session_id=session.id).order_by("position", "id"),
            "series_questions": series_questions,
            "agenda_kinds": AGENDA_KIND_LABELS,
            "question_kinds": questions.KIND_LABELS,
            "errors": errors or {},
            "values": defaults,
        },
        status,
    )


def _service_errors(exc: EventError) -> dict[str, str]:
    return {("track_id" if k == "track" else k): v for k, v in exc.errors.items()}


def _shown(data: AgendaItemInput) -> dict[str, Any]:
    values = data.shown()
    return {**values, "starts_at": local_value(data.starts_at), "ends_at": local_value(data.ends_at)}


async def item_add(request: Request) -> Response:
    session = await get_or_404(Session, id=path_id(request, "session_id"))
    try:
        data = await parse_form(request, AgendaItemInput)
    except FieldErrors as exc:
        return await agenda_page(request, errors=exc.errors, values=exc.values, status=400)
    try:
        await event_services.add_agenda_item(session.id, **data.fields())
    except EventError as exc:
        return await agenda_page(request, errors=_service_errors(exc), values=_shown(data), status=400)
    await session_of(request).flash(_("The agenda item has been added."))
    return redirect(f"/staff/events/sessions/{session.id}/agenda")


async def _item_form(
    request: Request, session: Session, item: AgendaItem, values: dict, errors: dict, status: int = 200
) -> Response:
    return await render(
        request,
        "events/staff/agenda_item.html",
        {
            "session": session,
            "item": item,
            "values": values,
            "errors": errors,
            "tracks": await Track.filter(session_id=session.id).order_by("id"),
            "agenda_kinds": AGENDA_KIND_LABELS,
        },
        status,
    )


async def _item(request: Request) -> tuple[Session, AgendaItem]:
    session = await get_or_404(Session, id=path_id(request, "session_id"))
    item = await get_or_404(AgendaItem, id=path_id(request, "item_id"), session_id=session.id)
    await item.fetch_related("speakers")
    return session, item


async def item_edit(request: Request) -> Response:
    session, item = await _item(request)
    speakers = [{"name": s.name, "role": s.role, "organisation": s.organisation} for s in item.speakers]
    speakers += [{"name": "", "role": "", "organisation": ""} for _i in range(SPEAKER_ROWS - len(speakers))]
    values = {
        "starts_at": local_value(item.starts_at),
        "ends_at": local_value(item.ends_at),
        "title": item.title,
        "description": item.description,
        "kind": item.kind,
        "room": item.room,
        "track_id": str(item.track_id or ""),
        "speakers": speakers[:SPEAKER_ROWS],
    }
    return await _item_form(request, session, item, values, {})


async def item_update(request: Request) -> Response:
    session, item = await _item(request)
    try:
        data = await parse_form(request, AgendaItemInput)
    except FieldErrors as exc:
        return await _item_form(request, session, item, exc.values, exc.errors, 400)
    try:
        await planning.update_agenda_item(session.id, item.id, **data.fields())
    except EventError as exc:
        return await _item_form(request, session, item, _shown(data), _service_errors(exc), 400)
    await session_of(request).flash(_("The agenda item has been saved."))
    return redirect(f"/staff/events/sessions/{session.id}/agenda")


async def item_delete(request: Request) -> Response:
    session = await get_or_404(Session, id=path_id(request, "session_id"))
    await planning.delete_agenda_item(session.id, path_id(request, "item_id"))
    await session_of(request).flash(_("The agenda item has been removed."))
    return redirect(f"/staff/events/sessions/{session.id}/agenda")


async def track_add(request: Request) -> Response:
    session = await get_or_404(Session, id=path_id(request, "session_id"))
    try:
        data = await parse_form(request, TrackInput, prefix="track_")
    except FieldErrors as exc:
        return await agenda_page(request, errors=exc.errors, status=400)
    try:
        await event_services.add_track(session.id, title=data.title, capacity=data.capacity)
    except EventError as exc:
        return await agenda_page(request, errors={f"track_{k}": v for k, v in exc.errors.items()}, status=400)
    await session_of(request).flash(_("The track has been added."))
    return redirect(f"/staff/events/sessions/{session.id}/agenda#tracks")


async def track_update(request: Request) -> Response:
    session = await get_or_404(Session, id=path_id(request, "session_id"))
    track_id = path_id(request, "track_id")
    prefix = f"track_{track_id}_"
    try:
        data = await parse_form(request, TrackInput, prefix=prefix)
        await planning.update_track(
            request.app.state.settings, session.id, track_id, title=data.title, capacity=data.capacity
        )
    except FieldErrors as exc:
        return await agenda_page(request, errors=exc.errors, status=400)
    except NotFound:
        raise
    except EventError as exc:
        return await agenda_page(request, errors={prefix + k: v for k, v in exc.errors.items()}, status=400)
    await session_of(request).flash(_("The track has been saved."))
    return redirect(f"/staff/events/sessions/{session.id}/agenda#tracks")


async def track_delete(request: Request) -> Response:
    session = await get_or_404(Session, id=path_id(request, "session_id"))
    track_id = path_id(request, "track_id")
    try:
        await planning.delete_track(session.id, track_id)
    except EventError as exc:
        if "track" in exc.errors and await Track.exists(id=track_id, session_id=session.id):
            return await agenda_page(request, errors={"tracks": exc.errors["track"]}, status=400)
        raise NotFound() from None
    await session_of(request).flash(_("The track has been removed."))
    return redirect(f"/staff/events/sessions/{session.id}/agenda#tracks")


async def question_add(request: Request) -> Response:
    session = await get_or_404(Session, id=path_id(request, "session_id"))
    back = f"/staff/events/sessions/{session.id}/agenda#questions"
    return await questions.add(request, agenda_page, back, session_id=session.id)


async def question_delete(request: Request) -> Response:
    session = await get_or_404(Session, id=path_id(request, "session_id"))
    return await questions.delete(
        request, {"session_id": session.id}, f"/staff/events/sessions/{session.id}/agenda#questions"
    )
