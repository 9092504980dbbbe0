"""Staff pages of a series: list, create and edit with a preview of the next dates, generate, skip."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response

from agora.forms import FieldErrors, max_lengths, parse_form
from agora.i18n import gettext as _
from agora.web import get_or_404, path_id, redirect, render, session_of
from events import recurrence
from events import services as event_services
from events.errors import EventError
from events.forms import GenerateInput, SeriesInput, SkipInput
from events.models import Question, Series, Session
from events.services import planning
from events.staff import questions
from surveys import api as surveys

PREVIEW_COUNT = 6
EMPTY = {name: info.default for name, info in SeriesInput.model_fields.items() if name not in ("title", "preview")}
EMPTY["title"] = ""


def preview(rule: str, skipped: list[str] | None = None) -> tuple[list[datetime], str]:
    """The next dates of a rule (unsaved or saved), or a message why there are none."""
    if not rule.strip():
        return [], ""
    draft = Series(title="", rrule=rule, skipped=skipped or [])
    try:
        return recurrence.occurrences(draft, after=datetime.now(UTC), count=PREVIEW_COUNT), ""
    except (ValueError, TypeError, OverflowError):
        return [], _("This recurrence rule is not valid.")


async def series_list(request: Request) -> Response:
    overview = await planning.series_overview()
    return await render(request, "events/staff/series_list.html", {"overview": overview})


async def _form(request: Request, series: Series | None, values: dict, errors: dict, status: int = 200) -> Response:
    dates, problem = preview(values.get("rrule", ""), series.skipped if series else None)
    return await render(
        request,
        "events/staff/series_form.html",
        {
            "series": series,
            "values": values,
            "errors": errors,
            "preview": dates,
            "preview_problem": problem,
            "limits": max_lengths(SeriesInput),
            "surveys": await surveys.survey_choices(),
        },
        status,
    )


async def series_new(request: Request) -> Response:
    return await _form(request, None, dict(EMPTY), {})


async def _read(request: Request) -> SeriesInput:
    data = await parse_form(request, SeriesInput)
    _dates, problem = preview(data.rrule)
    if problem:
        raise FieldErrors({"rrule": problem}, data.model_dump())
    return data


async def series_create(request: Request) -> Response:
    try:
        data = await _read(request)
    except FieldErrors as exc:
        return await _form(request, None, exc.values, exc.errors, 400)
    if data.preview:
        return await _form(request, None, data.fields(), {})
    try:
        series = await event_services.create_series(**data.fields())
    except EventError as exc:
        return await _form(request, None, data.fields(), exc.errors, 400)
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
            "followup_survey": await surveys.survey_title(series.followup_survey_id),
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
    try:
        data = await _read(request)
    except FieldErrors as exc:
        return await _form(request, series, exc.values, exc.errors, 400)
    if data.preview:
        return await _form(request, series, data.fields(), {})
    try:
        await event_services.update_series(series.id, **data.fields())
    except EventError as exc:
        return await _form(request, series, data.fields(), exc.errors, 400)
    await session_of(request).flash(_("The series has been saved."))
    return redirect(f"/staff/events/series/{series.id}")


async def series_generate(request: Request) -> Response:
    series = await get_or_404(Series, id=path_id(request, "series_id"))
    try:
        data = await parse_form(request, GenerateInput)
    except FieldErrors as exc:
        return await series_detail(request, errors=exc.errors, status=400)
    try:
        created = await recurrence.generate_sessions(series.id, count=data.count)
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
    try:
        data = await parse_form(request, SkipInput)
    except FieldErrors as exc:
        return await series_detail(request, errors=exc.errors, status=400)
    try:
        await recurrence.skip_occurrence(series.id, data.occurrence.astimezone(UTC))
    except EventError as exc:
        return await series_detail(request, errors={"occurrence": " ".join(exc.errors.values())}, status=400)
    await session_of(request).flash(_("The date has been skipped."))
    return redirect(f"/staff/events/series/{series.id}")


async def series_question_add(request: Request) -> Response:
    series = await get_or_404(Series, id=path_id(request, "series_id"))
    back = f"/staff/events/series/{series.id}#questions"
    return await questions.add(request, series_detail, back, series_id=series.id)


async def series_question_delete(request: Request) -> Response:
    series = await get_or_404(Series, id=path_id(request, "series_id"))
    return await questions.delete(request, {"series_id": series.id}, f"/staff/events/series/{series.id}#questions")
