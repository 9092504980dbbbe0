"""Staff pages of a series: list, create and edit with a preview of the next dates, generate, skip."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from agora.forms import read_form
from agora.i18n import gettext as _
from agora.web import get_or_404, path_id, redirect, render, session_of
from events import recurrence
from events import services as event_services
from events.errors import EventError
from events.models import Question, Series, Session
from events.services import planning
from events.staff import questions
from events.staff.forms import Reader, parse_local

PREVIEW_COUNT = 6
TEXT_FIELDS = {
    "title": 200,
    "description": 20_000,
    "office": 200,
    "contact_email": 254,
    "contact_phone": 60,
    "venue_name": 200,
    "venue_address": 300,
    "venue_room": 120,
    "venue_accessibility": 5_000,
    "rrule": 2_000,
}
EMPTY = {
    **dict.fromkeys(TEXT_FIELDS, ""),
    "default_duration_minutes": 120,
    "default_capacity": 30,
    "reminder_offset_hours": 24,
    "followup_survey_url": "",
}


def preview(rule: str, skipped: list[str] | None = None) -> tuple[list[datetime], str]:
    """The next dates of a rule (unsaved or saved), or a message why there are none."""
    if not rule.strip():
        return [], ""
    draft = Series(title="", rrule=rule, skipped=skipped or [])
    try:
        return recurrence.occurrences(draft, after=datetime.now(UTC), count=PREVIEW_COUNT), ""
    except (ValueError, TypeError, OverflowError):
        return [], _("This recurrence rule is not valid.")


def _read(form: Any) -> tuple[dict[str, Any], dict[str, str]]:
    reader = Reader(form)
    data: dict[str, Any] = {name: reader.text(name, limit) for name, limit in TEXT_FIELDS.items()}
    data["rrule"] = data["rrule"].replace("\r\n", "\n")
    data["default_duration_minutes"] = reader.integer("default_duration_minutes", minimum=1, maximum=24 * 60 * 7)
    data["default_capacity"] = reader.integer("default_capacity", maximum=100_000)
    data["reminder_offset_hours"] = reader.integer("reminder_offset_hours", maximum=24 * 60)
    data["followup_survey_url"] = reader.url("followup_survey_url")
    if not data["title"]:
        reader.errors["title"] = _("Please enter a title.")
    if data["rrule"]:
        _dates, problem = preview(data["rrule"])
        if problem:
            reader.errors["rrule"] = problem
    return data, reader.errors


async def series_list(request: Request) -> Response:
    overview = await planning.series_overview()
    return await render(request, "events/staff/series_list.html", {"overview": overview})


async def _form(request: Request, series: Series | None, values: dict, errors: dict, status: int = 200) -> Response:
    dates, problem = preview(values.get("rrule", ""), series.skipped if series else None)
    return await render(
        request,
        "events/staff/series_form.html",
        {"series": series, "values": values, "errors": errors, "preview": dates, "preview_problem": problem},
        status,
    )


async def series_new(request: Request) -> Response:
    return await _form(request, None, dict(EMPTY), {})


async def series_create(request: Request) -> Response:
    form = await read_form(request)
    data, errors = _read(form)
    if form.get("preview") or errors:
        return await _form(request, None, data, errors, 400 if errors else 200)
    try:
        series = await event_services.create_series(**data)
    except EventError as exc:
        return await _form(request, None, data, exc.errors, 400)
    await session_of(request).flash(_("The series has been created."))
    return redirect(f"/staff/events/series/{series.id}")


async def series_detail(request: Request, *, errors: dict | None = None, status: int = 200) -> Response:
    series = await get_or_404(Series, id=path_id(request, "series_id"))
    dates, problem = preview(series.rrule, series.skipped)
    existing = {s.occurrence_at: s for s in await Session.filter(series_id=series.id, occurrence_at__not_isnull=True)}
    return await render(
        request,
        "events/staff/series_detail.html",
        {
            "series": series,
            "sessions": await Session.filter(series_id=series.id).order_by("starts_at"),
            "preview": [(d, existing.get(d)) for d in dates],
            "preview_problem": problem,
            "questions": await Question.filter(series_id=series.id).order_by("position", "id"),
            "question_kinds": questions.KIND_LABELS,
            "errors": errors or {},
        },
        status,
    )


async def series_edit(request: Request) -> Response:
    series = await get_or_404(Series, id=path_id(request, "series_id"))
    values = {key: getattr(series, key) for key in EMPTY}
    return await _form(request, series, values, {})


async def series_update(request: Request) -> Response:
    series = await get_or_404(Series, id=path_id(request, "series_id"))
    form = await read_form(request)
    data, errors = _read(form)
    if form.get("preview") or errors:
        return await _form(request, series, data, errors, 400 if errors else 200)
    try:
        await event_services.update_series(series.id, **data)
    except EventError as exc:
        return await _form(request, series, data, exc.errors, 400)
    await session_of(request).flash(_("The series has been saved."))
    return redirect(f"/staff/events/series/{series.id}")


async def series_generate(request: Request) -> Response:
    series = await get_or_404(Series, id=path_id(request, "series_id"))
    reader = Reader(await read_form(request))
    count = reader.integer("count", minimum=1, maximum=recurrence.MAX_GENERATE)
    if reader.errors:
        return await series_detail(request, errors=reader.errors, status=400)
    try:
        created = await recurrence.generate_sessions(series.id, count=count)
    except EventError as exc:
        return await series_detail(request, errors=exc.errors, status=400)
    await session_of(request).flash(
        _("%(count)s new draft sessions have been created.", count=len(created))
        if created
        else _("All these dates already exist as sessions.")
    )
    return redirect(f"/staff/events/series/{series.id}")


async def series_skip(request: Request) -> Response:
    series = await get_or_404(Series, id=path_id(request, "series_id"))
    form = await read_form(request)
    raw = form.get("occurrence")
    occurrence = None
    if isinstance(raw, str):
        try:
            occurrence = datetime.fromisoformat(raw)
        except ValueError:
            occurrence = parse_local(raw)
    if occurrence is None or occurrence.tzinfo is None:
        return await series_detail(request, errors={"occurrence": _("Please choose a date.")}, status=400)
    try:
        await recurrence.skip_occurrence(series.id, occurrence.astimezone(UTC))
    except EventError as exc:
        return await series_detail(request, errors={"occurrence": " ".join(exc.errors.values())}, status=400)
    await session_of(request).flash(_("The date has been skipped."))
    return redirect(f"/staff/events/series/{series.id}")


async def series_question_add(request: Request) -> Response:
    series = await get_or_404(Series, id=path_id(request, "series_id"))
    back = f"/staff/events/series/{series.id}#questions"
    return await questions.add(request, {"series_id": series.id}, series_detail, back)


async def series_question_delete(request: Request) -> Response:
    series = await get_or_404(Series, id=path_id(request, "series_id"))
    return await questions.delete(request, {"series_id": series.id}, f"/staff/events/series/{series.id}#questions")
