"""Public pages of surveys: answering page by page (with or without a personal link), the thank-you page.

Without a personal link the answers of earlier pages travel in the form itself and nothing is stored before the
last page; with one, each page is kept on the token, so the same link resumes where the person stopped.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from agora import pagecache
from agora.forms import FieldErrors, read_form, validate, validate_form
from agora.i18n import gettext as _
from agora.web import PUBLIC, NotFound, page, path_id, redirect, render
from surveys import services
from surveys.definition import Definition, QuestionDef, is_empty, load, other_key
from surveys.forms import PageNavigation, answers_model, form_values
from surveys.forms import read_form as read_answers
from surveys.models import ANONYMOUS, ANSWERED, CONTAINS, DIFFERS, PSEUDONYMOUS, TOKENS, Survey, Token


async def open_survey(request: Request) -> Survey:
    survey = await Survey.get_or_none(id=path_id(request, "survey_id"), published=True)
    if survey is None:
        raise NotFound()
    return survey


async def _closed(request: Request, survey: Survey, message: str, status: int = 200) -> Response:
    return await render(request, "surveys/closed.html", {"survey": survey, "message": message}, status)


async def _token_problem(request: Request, survey: Survey, token: Token | None, raw: str) -> Response | None:
    if raw and token is None:
        return await _closed(
            request, survey, _("This link is not valid. Please check that it was copied completely."), 404
        )
    if token is not None and token.used_on is not None:
        return await _closed(
            request,
            survey,
            _("Thank you, you have already answered this survey with this link. Each link can be used once."),
            409 if request.method == "POST" else 200,
        )
    if survey.access == TOKENS and token is None:
        return await _closed(request, survey, _("This survey is answered through personal links sent by mail."), 403)
    if not services.is_open(survey):
        return await _closed(request, survey, _("This survey is not open at the moment."))
    return None


def visible_pages(definition: Definition, answers: dict[str, Any]) -> list[int]:
    return [page.index for page in definition.pages if definition.page_shown(page.index, answers)]


async def _show(
    request: Request,
    definition: Definition,
    index: int,
    answers: dict[str, Any],
    *,
    raw: str = "",
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    preview: bool = False,
    every_page: bool = False,
    status: int = 200,
) -> Response:
    pages = list(range(len(definition.pages))) if every_page else visible_pages(definition, answers) or [0]
    index = index if index in pages else pages[0]
    shown = definition.visible(answers)
    current = definition.pages[index]
    on_page = {q.code: q for q in current.questions}
    return await render(
        request,
        "surveys/answer.html",
        {
            "survey": definition.survey,
            "definition": definition,
            "page": current,
            "questions": [q for q in current.questions if preview or q.code in shown or q.condition.code in on_page],
            "hints": {q.code: condition_hint(q, on_page) for q in current.questions if q.condition.code in on_page},
            "position": pages.index(index) + 1,
            "count": len(pages),
            "is_last": index == pages[-1],
            "values": form_values(definition, values if values is not None else answers),
            "errors": errors or {},
            "token": raw,
            "carried": "" if raw else json.dumps(answers),
            "preview": preview,
            "other_key": other_key,
            "anonymity": anonymity_note(definition.anonymity),
        },
        status,
    )


def condition_hint(question: QuestionDef, on_page: dict[str, QuestionDef]) -> str:
    """Without JavaScript a question whose condition is on the same page is shown; this says when it applies."""
    other = on_page[question.condition.code]
    value = other.label_of(question.condition.value)
    if question.condition.op == ANSWERED:
        return _("Only if you answered “%(question)s”.", question=other.label)
    if question.condition.op == DIFFERS:
        return _("Only if your answer to “%(question)s” is not “%(value)s”.", question=other.label, value=value)
    if question.condition.op == CONTAINS:
        return _("Only if your answer to “%(question)s” includes “%(value)s”.", question=other.label, value=value)
    return _("Only if your answer to “%(question)s” is “%(value)s”.", question=other.label, value=value)


def anonymity_note(mode: str) -> str:
    if mode == ANONYMOUS:
        return _("Your answers are anonymous: they are stored without your name, your link or the time of day.")
    if mode == PSEUDONYMOUS:
        return _("Your answers are stored with a code instead of your name.")
    return _("Your answers are stored with your name or email address.")


async def answer_page(request: Request) -> Response:
    survey = await open_survey(request)
    raw = request.query_params.get("t", "")
    token = await services.find_token(survey.id, raw)
    problem = await _token_problem(request, survey, token, raw)
    if problem is not None:
        return problem
    definition = await load(survey)
    answers = dict(token.draft) if token else {}
    return await _show(request, definition, token.draft_page if token else 0, answers, raw=raw)


async def answer_post(request: Request) -> Response:
    survey = await open_survey(request)
    form = await read_form(request)
    step = validate_form(form, PageNavigation)
    token = await services.find_token(survey.id, step.t)
    problem = await _token_problem(request, survey, token, step.t)
    if problem is not None:
        return problem
    definition = await load(survey)
    if step.page >= len(definition.pages):
        raise FieldErrors({"page": _("The form could not be read. Please reload the page and send it again.")})
    raw, index = step.t, step.page
    prior = dict(token.draft) if token else step.earlier()
    pages = visible_pages(definition, prior) or [0]
    if step.action == "back":
        earlier = [p for p in pages if p < index]
        return await _show(request, definition, earlier[-1] if earlier else pages[0], prior, raw=raw)
    sent = read_answers(definition, [index], form)
    try:
        clean = validate(answers_model(definition, [index]), sent, form=True, known=prior)
    except FieldErrors as exc:
        values = {**prior, **sent}
        return await _show(request, definition, index, prior, raw=raw, values=values, errors=exc.errors, status=400)
    merged = _merge(definition, prior, index, clean.model_dump(by_alias=True), sent)
    following = [p for p in visible_pages(definition, merged) if p > index]
    if step.action == "save" and token is not None:
        await services.save_draft(token.id, merged, index)
        return await _closed(request, survey, _("Your answers so far are saved. Open your link again to go on."))
    if following:
        if token is not None:
            await services.save_draft(token.id, merged, following[0])
        return await _show(request, definition, following[0], merged, raw=raw)
    try:
        complete = validate(answers_model(definition), merged, form=True)
    except FieldErrors as exc:
        # An earlier page does not hold (changed in between): show the first page with a problem.
        first = min((q.page for q in definition.questions if q.code in exc.errors), default=0)
        return await _show(request, definition, first, merged, raw=raw, values=merged, errors=exc.errors, status=400)
    answers = {**merged, **complete.model_dump(by_alias=True)}
    try:
        await services.submit(definition, answers, token=token)
    except services.TokenUsed as exc:
        return await _closed(request, survey, next(iter(exc.errors.values())), 409)
    return redirect(f"/surveys/{survey.id}/thanks")


def _merge(
    definition: Definition, prior: dict[str, Any], index: int, clean: dict[str, Any], sent: dict[str, Any]
) -> dict[str, Any]:
    merged = dict(prior)
    for question in definition.pages[index].questions:
        merged.pop(question.code, None)
        merged.pop(other_key(question.code), None)
        if not is_empty(clean.get(question.code)):
            merged[question.code] = clean[question.code]
            other = sent.get(other_key(question.code))
            if other:
                merged[other_key(question.code)] = other
    return merged


async def thanks(request: Request) -> Response:
    survey = await open_survey(request)
    return await render(request, "surveys/thanks.html", {"survey": survey})


async def home_surveys() -> list[dict[str, Any]]:
    """Open surveys anyone may answer, for the home page (cached: opening and closing times are declared)."""
    surveys = await Survey.filter(published=True, access__not=TOKENS).order_by("-id").limit(20)
    for s in surveys:
        pagecache.changes_at(s.opens_at, s.closes_at)
    return [{"title": s.title, "url": f"/surveys/{s.id}"} for s in surveys if services.is_open(s)][:5]


def routes() -> list[BaseRoute]:
    return [
        page("/surveys/{survey_id}", answer_page, access=PUBLIC),
        page("/surveys/{survey_id}", answer_post, access=PUBLIC, methods=["POST"], name="survey_answer_post"),
        page("/surveys/{survey_id}/thanks", thanks, access=PUBLIC),
    ]
