"""The builder: surveys, their settings, pages and questions, duplicate, the ready template and the preview."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from agora.forms import FieldErrors, local_value, max_lengths, parse_form, read_form
from agora.i18n import gettext as _
from agora.web import get_or_404, path_id, redirect, render, session_of
from surveys import analysis, api, ready, services, xlsform
from surveys.definition import load
from surveys.exports import XLSX
from surveys.forms import PageInput, QuestionInput, SurveyCreate, SurveyInput
from surveys.models import (
    ACCESS_MODES,
    ANONYMITY_MODES,
    CONDITION_OPS,
    QUESTION_KINDS,
    Option,
    Page,
    Question,
    Survey,
)
from surveys.routes import _show
from surveys.services import SurveyError


def kind_labels() -> dict[str, str]:
    return {
        "single": _("Single choice"),
        "multiple": _("Multiple choice"),
        "dropdown": _("Dropdown"),
        "matrix": _("Matrix (rows on a scale of 1 to 5)"),
        "rating": _("Rating 1 to 5"),
        "nps": _("Recommendation 0 to 10 (NPS)"),
        "short_text": _("Short text"),
        "long_text": _("Long text"),
        "number": _("Number"),
        "date": _("Date"),
        "ranking": _("Ranking"),
        "yes_no": _("Yes or no"),
    }


def op_labels() -> dict[str, str]:
    return {
        "": _("always shown"),
        "equals": _("shown when the answer equals"),
        "differs": _("shown when the answer differs from"),
        "contains": _("shown when the answer contains"),
        "answered": _("shown when it was answered"),
    }


def mode_labels() -> dict[str, str]:
    return {
        "anonymous": _("Anonymous: no link, person or time of day is stored with a response"),
        "pseudonymous": _("Pseudonymous: a response keeps the link it came through, not the person"),
        "personal": _("Personal: a response keeps the address of the link it came through"),
        "link": _("Anyone with the link"),
        "tokens": _("Only personal links"),
    }


async def survey_list(request: Request, errors: dict | None = None, status: int = 200) -> Response:
    surveys = await Survey.all().order_by("-id")
    counts = {s.id: await analysis.response_count(s.id) for s in surveys}
    return await render(
        request,
        "surveys/staff/list.html",
        {"surveys": surveys, "counts": counts, "errors": errors or {}, "open": services.is_open},
        status,
    )


async def survey_create(request: Request) -> Response:
    try:
        data = await parse_form(request, SurveyCreate)
    except FieldErrors as exc:
        return await survey_list(request, exc.errors, 400)
    survey = await services.create_survey(title=data.title)
    await session_of(request).flash(_("The survey has been created. Add its questions now."))
    return redirect(f"/staff/surveys/{survey.id}")


async def survey_import(request: Request) -> Response:
    form = await read_form(request, max_files=1)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await survey_list(request, {"file": _("Choose an XLSForm file (.xlsx).")}, 400)
    data = await upload.read(xlsform.MAX_BYTES + 1)
    if len(data) > xlsform.MAX_BYTES:
        return await survey_list(request, {"file": _("The file is too large.")}, 400)
    try:
        imported = await xlsform.import_xlsform(data)
    except SurveyError as exc:
        return await survey_list(request, exc.errors, 400)
    message = _("The survey has been imported.")
    if imported.skipped:
        message += " " + _("Not taken over: %(items)s", items="; ".join(imported.skipped[:20]))
    await session_of(request).flash(message)
    return redirect(f"/staff/surveys/{imported.survey.id}")


async def xlsform_export(request: Request) -> Response:
    survey = await get_or_404(Survey, id=path_id(request, "survey_id"))
    return Response(
        xlsform.export(await load(survey)),
        media_type=XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="survey-{survey.id}-xlsform.xlsx"',
            "Cache-Control": "no-store",
        },
    )


async def survey_template(request: Request) -> Response:
    survey = await ready.create_followup_template()
    await session_of(request).flash(_("The survey has been created from the template."))
    return redirect(f"/staff/surveys/{survey.id}")


def _settings_values(survey: Survey) -> dict[str, Any]:
    values = {name: getattr(survey, name) for name in SurveyInput.model_fields}
    values["opens_at"] = local_value(survey.opens_at)
    values["closes_at"] = local_value(survey.closes_at)
    return values


async def survey_detail(
    request: Request,
    *,
    errors: dict | None = None,
    values: dict | None = None,
    question_values: dict | None = None,
    status: int = 200,
) -> Response:
    survey = await get_or_404(Survey, id=path_id(request, "survey_id"))
    definition = await load(survey)
    rates = await analysis.response_rates(survey.id)
    tokens = sum(r["sent"] for r in rates)
    used = sum(r["used"] for r in rates)
    names = dict(await api.waves([r["session_id"] for r in rates if r["session_id"] is not None]))
    return await render(
        request,
        "surveys/staff/detail.html",
        {
            "survey": survey,
            "definition": definition,
            "values": values or _settings_values(survey),
            "question_values": question_values or {"page_id": definition.pages[-1].id if definition.pages else ""},
            "errors": errors or {},
            "kinds": kind_labels(),
            "ops": op_labels(),
            "modes": mode_labels(),
            "anonymity_modes": ANONYMITY_MODES,
            "access_modes": ACCESS_MODES,
            "responses": await analysis.response_count(survey.id),
            "tokens": tokens,
            "rates": rates,
            "session_names": names,
            "used": used,
            "is_open": services.is_open(survey),
            "limits": max_lengths(SurveyInput),
        },
        status,
    )


async def survey_settings(request: Request) -> Response:
    survey = await get_or_404(Survey, id=path_id(request, "survey_id"))
    try:
        data = await parse_form(request, SurveyInput)
    except FieldErrors as exc:
        return await survey_detail(request, errors=exc.errors, values=exc.values, status=400)
    await services.update_survey(survey.id, **data.model_dump())
    await session_of(request).flash(_("The survey has been saved."))
    return redirect(f"/staff/surveys/{survey.id}")


async def page_add(request: Request) -> Response:
    survey = await get_or_404(Survey, id=path_id(request, "survey_id"))
    try:
        data = await parse_form(request, PageInput, prefix="newpage_")
    except FieldErrors as exc:
        return await survey_detail(request, errors=exc.errors, status=400)
    try:
        await services.add_page(survey.id, **data.model_dump())
    except SurveyError as exc:
        return await survey_detail(request, errors=exc.errors, status=400)
    await session_of(request).flash(_("The page has been added."))
    return redirect(f"/staff/surveys/{survey.id}#pages")


async def question_add(request: Request) -> Response:
    survey = await get_or_404(Survey, id=path_id(request, "survey_id"))
    try:
        data = await parse_form(request, QuestionInput)
        await services.add_question(survey.id, data.page_id, **data.fields())
    except FieldErrors as exc:
        return await survey_detail(request, errors=exc.errors, question_values=exc.values, status=400)
    except SurveyError as exc:
        return await survey_detail(request, errors=exc.errors, question_values=data.model_dump(), status=400)
    await session_of(request).flash(_("The question has been added."))
    return redirect(f"/staff/surveys/{survey.id}#pages")


def _lines(options: list[Option]) -> str:
    return "\n".join(("*" if o.is_other else "") + f"{o.code} = {o.label}" for o in options)


async def _question(request: Request) -> tuple[Survey, Question]:
    survey = await get_or_404(Survey, id=path_id(request, "survey_id"))
    question = await get_or_404(Question, id=path_id(request, "question_id"), survey_id=survey.id)
    return survey, question


async def _question_form(
    request: Request, survey: Survey, question: Question, values: dict, errors: dict, status: int = 200
) -> Response:
    return await render(
        request,
        "surveys/staff/question.html",
        {
            "survey": survey,
            "question": question,
            "values": values,
            "errors": errors,
            "kinds": kind_labels(),
            "ops": op_labels(),
            "pages": await Page.filter(survey_id=survey.id).order_by("position", "id"),
            "has_responses": await services.has_responses(survey.id),
        },
        status,
    )


async def question_edit(request: Request) -> Response:
    survey, question = await _question(request)
    options = await Option.filter(question_id=question.id).order_by("position", "id")
    values = {name: getattr(question, name) for name in QuestionInput.model_fields if name not in ("options", "rows")}
    values["options"] = _lines([o for o in options if not o.is_row])
    values["rows"] = _lines([o for o in options if o.is_row])
    return await _question_form(request, survey, question, values, {})


async def question_update(request: Request) -> Response:
    survey, question = await _question(request)
    try:
        data = await parse_form(request, QuestionInput)
        fields = data.fields()
        await services.update_question(question.id, **fields)
    except FieldErrors as exc:
        return await _question_form(request, survey, question, exc.values, exc.errors, 400)
    except SurveyError as exc:
        return await _question_form(request, survey, question, data.model_dump(), exc.errors, 400)
    await session_of(request).flash(_("The question has been saved."))
    return redirect(f"/staff/surveys/{survey.id}#pages")


async def question_delete(request: Request) -> Response:
    survey, question = await _question(request)
    try:
        await services.delete_question(question.id)
    except SurveyError as exc:
        return await survey_detail(request, errors=exc.errors, status=400)
    await session_of(request).flash(_("The question has been removed."))
    return redirect(f"/staff/surveys/{survey.id}#pages")


async def survey_duplicate(request: Request) -> Response:
    survey = await get_or_404(Survey, id=path_id(request, "survey_id"))
    copy = await services.duplicate(survey.id)
    await session_of(request).flash(_("This is the copy. It is not published yet."))
    return redirect(f"/staff/surveys/{copy.id}")


async def preview(request: Request) -> Response:
    """The answering pages as people see them; nothing is sent from here."""
    survey = await get_or_404(Survey, id=path_id(request, "survey_id"))
    definition = await load(survey)
    raw = request.query_params.get("page", "1")
    number = int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) <= len(definition.pages) else 1
    return await _show(request, definition, number - 1, {}, preview=True, every_page=True)


__all__ = ["CONDITION_OPS", "QUESTION_KINDS"]
