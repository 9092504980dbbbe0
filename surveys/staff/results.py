"""Staff pages of results: the analysis (filter, cross-tab, charts), free texts with tags, the series trend."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from agora.forms import FieldErrors, parse_form, parse_query
from agora.i18n import gettext as _
from agora.web import NotFound, get_or_404, path_id, redirect, render, session_of
from surveys import analysis, api, charts, exports, services
from surveys.definition import Definition, load
from surveys.forms import AnalysisQuery, TagInput
from surveys.models import MATRIX, NPS, NUMBER, RATING, TEXT_KINDS, Answer, Survey
from surveys.models import Response as SurveyResponse

NUMERIC_TREND = (RATING, NPS, NUMBER)


def _minimum(request: Request) -> int:
    return int(request.app.state.settings.survey_min_group)


def _charts(results: analysis.Results) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for result in results.questions:
        q = result.question
        if result.cells:
            items = [charts.Bar(c.label, c.percent) for c in result.cells]
            out[q.code] = charts.bars(f"chart-{q.code}", q.label, items)
        elif q.kind == MATRIX and result.rows:
            items = [charts.Bar(label, s.mean if s else None) for label, _cells, s, _t in result.rows]
            out[q.code] = charts.bars(f"chart-{q.code}", q.label, items, unit="", scale=5)
    return out


async def analysis_page(request: Request, printable: bool = False) -> Response:
    survey = await get_or_404(Survey, id=path_id(request, "survey_id"))
    definition = await load(survey)
    minimum = _minimum(request)
    try:
        query = AnalysisQuery() if printable else parse_query(request, AnalysisQuery)
    except FieldErrors:
        query = AnalysisQuery()
    code, _sep, option = query.filter.partition(":")
    if query.filter:
        choices = await analysis.filter_choices(definition, minimum)
        chosen = next((c for c in choices if c[0] == code and c[1] == option), None)
    if query.filter and chosen:
        results = await analysis.results(definition, minimum, filter_code=chosen[0], filter_option=chosen[1])
    else:
        chosen = None
        results = await analysis.results(definition, minimum)
        choices = await analysis.filter_choices(definition, minimum, results)
    cross = await analysis.crosstab(definition, query.a, query.b, minimum) if query.a and query.b else None
    return await render(
        request,
        "surveys/staff/analysis.html",
        {
            "survey": survey,
            "definition": definition,
            "results": results,
            "charts": _charts(results),
            "choices": choices,
            "chosen": chosen,
            "cross": cross,
            "cross_questions": [q for q in definition.questions if q.kind in analysis.CROSS_KINDS],
            "query": query,
            "minimum": minimum,
            "text_kinds": TEXT_KINDS,
            "responses": await analysis.response_count(survey.id),
            "is_open": services.is_open(survey),
            "waves": await _waves(definition),
            "printable": printable,
            "now": datetime.now(UTC),
        },
    )


async def export(request: Request) -> Response:
    survey = await get_or_404(Survey, id=path_id(request, "survey_id"))
    fmt = request.path_params.get("fmt", "")
    if fmt not in ("csv", "xlsx"):
        raise NotFound()
    content, media_type, name = await exports.export(await load(survey), fmt)
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


async def report(request: Request) -> Response:
    """The results as a printable page: every question, no filter, small groups suppressed as everywhere."""
    return await analysis_page(request, printable=True)


async def _waves(definition: Definition) -> list[tuple[int, str]]:
    ids = (
        await SurveyResponse.filter(survey_id=definition.id, session_id__not_isnull=True)
        .distinct()
        .values_list("session_id", flat=True)
    )
    return await api.waves([int(str(i)) for i in ids])


async def texts_page(request: Request) -> Response:
    survey = await get_or_404(Survey, id=path_id(request, "survey_id"))
    definition = await load(survey)
    code = request.query_params.get("code", "")
    search = request.query_params.get("q", "")[:100]
    question = definition.question(code)
    if question is None:
        question = next((q for q in definition.questions if q.kind in TEXT_KINDS), None)
    total = await analysis.response_count(survey.id)
    shown = total >= _minimum(request) and question is not None
    answers = await analysis.texts(definition, question.code, search) if shown and question else []
    keywords = analysis_keywords(answers) if answers else []
    return await render(
        request,
        "surveys/staff/texts.html",
        {
            "survey": survey,
            "question": question,
            "questions": [q for q in definition.questions if q.kind in TEXT_KINDS or q.has_other],
            "answers": answers,
            "keywords": keywords,
            "search": search,
            "shown": shown,
            "minimum": _minimum(request),
        },
    )


def analysis_keywords(answers: list[Answer]) -> list[tuple[str, int]]:
    from surveys.keywords import frequencies

    return frequencies([a.text for a in answers])


async def tag_text(request: Request) -> Response:
    survey = await get_or_404(Survey, id=path_id(request, "survey_id"))
    answer = await get_or_404(Answer, id=path_id(request, "answer_id"), response__survey_id=survey.id)
    data = await parse_form(request, TagInput)
    await services.tag_answer(answer.id, survey.id, data.staff_tags)
    await session_of(request).flash(_("The tags have been saved."))
    question = (await load(survey)).by_id().get(answer.question_id)
    return redirect(f"/staff/surveys/{survey.id}/texts?code={question.code if question else ''}")


async def trend_page(request: Request) -> Response:
    survey = await get_or_404(Survey, id=path_id(request, "survey_id"))
    definition = await load(survey)
    minimum = _minimum(request)
    candidates = [q for q in definition.questions if q.kind in NUMERIC_TREND]
    code = request.query_params.get("code", "")
    question = definition.question(code) if code else (candidates[0] if candidates else None)
    waves = await _waves(definition)
    rows = await analysis.trend(question.code, waves, minimum) if question is not None else []
    chart = None
    if question is not None and question.kind in NUMERIC_TREND and rows:
        low, high = (0, 10) if question.kind == NPS else (1, 5) if question.kind == RATING else (0, 1)
        if question.kind == NUMBER:
            means = [r["mean"] for r in rows if r["mean"] is not None]
            low, high = (min(means), max(means) + 1) if means else (0, 1)
        chart = charts.line(
            "trend", question.label, [charts.Bar(r["label"], r["mean"]) for r in rows], low=low, high=high
        )
    return await render(
        request,
        "surveys/staff/trend.html",
        {
            "survey": survey,
            "question": question,
            "questions": [q for q in definition.questions if q.kind not in TEXT_KINDS],
            "rows": rows,
            "chart": chart,
            "minimum": minimum,
        },
    )
