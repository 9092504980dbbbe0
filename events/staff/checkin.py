"""Check-in at the door (made for a phone) and the printable attendee list with a signature column."""

from __future__ import annotations

from dataclasses import asdict
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from agora.forms import FieldErrors, parse_form, parse_query
from agora.i18n import gettext as _
from agora.web import get_or_404, path_id, redirect, render, session_of
from events import checkin
from events.errors import EventError
from events.exports import ATTENDING
from events.forms import CheckinInput, CheckinSearch
from events.models import Registration, Session
from events.services import planning
from events.staff.registrations import STATUS_LABELS


async def checkin_page(request: Request, *, errors: dict | None = None, status: int = 200) -> Response:
    session = await get_or_404(Session, id=path_id(request, "session_id"))
    try:
        query = parse_query(request, CheckinSearch).q
    except FieldErrors as exc:
        query, errors = "", {**(errors or {}), **exc.errors}
    return await render(
        request,
        "events/staff/checkin.html",
        {
            "session": session,
            "query": query,
            "results": await planning.search_registrations(session.id, query) if query else None,
            "counts": await checkin.live_counts(session.id),
            "labels": STATUS_LABELS,
            "errors": errors or {},
        },
        status,
    )


async def checkin_post(request: Request) -> Response:
    session = await get_or_404(Session, id=path_id(request, "session_id"))
    try:
        data = await parse_form(request, CheckinInput)
    except FieldErrors as exc:
        return await checkin_page(request, errors=exc.errors, status=400)
    if not checkin.normalise_code(data.code):
        return await checkin_page(request, errors={"code": _("Please enter a check-in code.")}, status=400)
    back = data.q
    try:
        registration = await checkin.check_in(session.id, data.code)
    except EventError as exc:
        return await checkin_page(request, errors=exc.errors, status=400)
    await session_of(request).flash(_("%(name)s is checked in.", name=registration.name))
    url = f"/staff/events/sessions/{session.id}/checkin"
    if back:
        url += "?" + urlencode({"q": back})
    return redirect(url)


async def checkin_scan(request: Request) -> Response:
    """The desk's one field: a scanner types the code and Enter (or staff type it); a code of this session checks
    the person in at once, anything else shows the search results. Either way the field has the focus again."""
    session = await get_or_404(Session, id=path_id(request, "session_id"))
    url = f"/staff/events/sessions/{session.id}/checkin"
    try:
        data = await parse_form(request, CheckinSearch)
    except FieldErrors as exc:
        return await checkin_page(request, errors={"q": " ".join(exc.errors.values())}, status=400)
    code = checkin.normalise_code(data.q)
    if not code or not await Registration.exists(session_id=session.id, checkin_code=code):
        return redirect(url + ("?" + urlencode({"q": data.q}) if data.q else ""))
    try:
        registration = await checkin.check_in(session.id, code)
    except EventError as exc:
        return await checkin_page(request, errors={"q": " ".join(exc.errors.values())}, status=400)
    await session_of(request).flash(_("%(name)s is checked in.", name=registration.name))
    return redirect(url)


async def checkin_counts(request: Request) -> Response:
    session = await get_or_404(Session, id=path_id(request, "session_id"))
    return JSONResponse(asdict(await checkin.live_counts(session.id)), headers={"Cache-Control": "no-store"})


async def attendee_list(request: Request) -> Response:
    session = await get_or_404(Session, id=path_id(request, "session_id"))
    attendees = (
        await Registration.filter(session_id=session.id, status__in=ATTENDING)
        .order_by("name", "id")
        .prefetch_related("track")
    )
    return await render(
        request,
        "events/staff/attendee_list.html",
        {"session": session, "attendees": attendees, "labels": STATUS_LABELS},
    )
