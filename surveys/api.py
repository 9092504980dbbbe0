"""The surveys' door for other packages, and their JSON API under /api/v1.

Other packages (events: the follow-up survey of a session) call the functions at the top; the composition root
mounts `operations()`. The answers of POST /surveys/{id}/responses are read by the same model as the form.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response

from agora import api, pagecache
from agora.api import failure, invalid, ok
from agora.forms import FieldErrors, validate
from agora.i18n import gettext as _
from agora.settings import Settings
from agora.web import path_id
from surveys import analysis, services
from surveys.definition import load
from surveys.forms import ResponseBody, answers_model
from surveys.models import ANONYMITY_MODES, LINK, QUESTION_KINDS, TOKENS, Survey

# --- for other packages ----------------------------------------------------------------------------------------


async def survey_choices() -> list[tuple[int, str]]:
    """(id, title) of every survey, for a staff form that attaches one."""
    return [(s.id, s.title) for s in await Survey.all().order_by("title", "id")]


async def published_survey_choices() -> list[tuple[int, str]]:
    """(id, title) of every published survey, for a staff form that shows one to the public."""
    return [(s.id, s.title) for s in await Survey.filter(published=True).order_by("title", "id")]


async def survey_is_published(survey_id: int) -> bool:
    return await Survey.filter(id=survey_id, published=True).exists()


async def open_survey_link(survey_id: int | None) -> tuple[str, str] | None:
    """(title, path) of a survey anyone may answer now, None when it is closed, unpublished, personal-only or gone."""
    if survey_id is None:
        return None
    survey = await Survey.get_or_none(id=survey_id)
    if survey is None:
        return None
    # Shown on cached pages (beside a consultation): they change when the survey opens or closes.
    pagecache.changes_at(survey.opens_at, survey.closes_at)
    if survey.access != LINK or not services.is_open(survey):
        return None
    return survey.title, f"/surveys/{survey.id}"


async def survey_exists(survey_id: int) -> bool:
    return await Survey.filter(id=survey_id).exists()


async def survey_title(survey_id: int | None) -> str:
    if survey_id is None:
        return ""
    survey = await Survey.get_or_none(id=survey_id)
    return survey.title if survey else ""


async def personal_link(
    settings: Settings, survey_id: int, *, email: str, session_id: int | None = None, locale: str = "de"
) -> str:
    """The personal answering link of one person (the same link when asked again), "" if the survey is gone."""
    if not await survey_exists(survey_id):
        return ""
    raw = await services.issue_token(settings, survey_id, email=email, session_id=session_id, locale=locale)
    return f"{settings.base_url.rstrip('/')}/surveys/{survey_id}?t={raw}"


# Session ids -> every session of the same series as (id, label) in date order; set by the composition root
# from events, so that surveys can show a trend across a series without knowing events.
WavesProvider = Callable[[list[int]], Awaitable[list[tuple[int, str]]]]
WAVES: dict[str, WavesProvider] = {}


async def waves(session_ids: list[int]) -> list[tuple[int, str]]:
    provider = WAVES.get("sessions")
    if provider is None or not session_ids:
        return [(session_id, str(session_id)) for session_id in sorted(session_ids)]
    return await provider(session_ids)


# --- JSON API --------------------------------------------------------------------------------------------------


class OptionOut(BaseModel):
    code: str
    label: str
    other: bool = Field(description='Choosing it asks for a text under "<question code>-other".')


class ConditionOut(BaseModel):
    question: str = Field(description="The code of the earlier question.")
    op: str = Field(json_schema_extra={"enum": ["equals", "differs", "contains", "answered"]})
    value: str


class QuestionOut(BaseModel):
    code: str
    kind: str = Field(json_schema_extra={"enum": list(QUESTION_KINDS)})
    label: str
    help: str
    required: bool
    min: int | None
    max: int | None
    max_length: int | None
    options: list[OptionOut]
    rows: list[OptionOut] = Field(description="The rows of a matrix question, each answered on a scale of 1 to 5.")
    condition: ConditionOut | None


class PageOut(BaseModel):
    title: str
    condition: ConditionOut | None
    questions: list[QuestionOut]


class SurveyOut(BaseModel):
    id: int
    title: str
    intro: str = Field(description="Markdown.")
    anonymity: str = Field(json_schema_extra={"enum": list(ANONYMITY_MODES)})
    personal_links_only: bool
    opens_at: datetime | None
    closes_at: datetime | None
    open: bool
    pages: list[PageOut]


class ResponseCreated(BaseModel):
    received: bool


class CellOut(BaseModel):
    key: str
    label: str
    count: int | None = Field(description="None: a group smaller than the threshold, not shown.")
    percent: float | None


class QuestionResultOut(BaseModel):
    code: str
    answered: int | None
    cells: list[CellOut]
    mean: float | None
    median: float | None
    std: float | None
    nps: float | None
    top2: float | None


class ResultsOut(BaseModel):
    total: int | None = Field(description="None when fewer responses came in than the threshold.")
    questions: list[QuestionResultOut]


def _condition(condition: Any) -> ConditionOut | None:
    return ConditionOut(question=condition.code, op=condition.op, value=condition.value) if condition.code else None


async def survey_detail(request: Request) -> Response:
    survey = await Survey.get_or_none(id=path_id(request, "survey_id"), published=True)
    if survey is None:
        return api.not_found(_("No published survey has this id."))
    definition = await load(survey)
    pages = [
        PageOut(
            title=page.title,
            condition=_condition(page.condition),
            questions=[
                QuestionOut(
                    code=q.code,
                    kind=q.kind,
                    label=q.label,
                    help=q.help,
                    required=q.required,
                    min=q.min_value,
                    max=q.max_value,
                    max_length=q.max_length,
                    options=[OptionOut(code=o.code, label=o.label, other=o.is_other) for o in q.choices()],
                    rows=[OptionOut(code=o.code, label=o.label, other=False) for o in q.rows],
                    condition=_condition(q.condition),
                )
                for q in page.questions
            ],
        )
        for page in definition.pages
    ]
    return ok(
        SurveyOut(
            id=survey.id,
            title=survey.title,
            intro=survey.intro,
            anonymity=survey.anonymity,
            personal_links_only=survey.access == TOKENS,
            opens_at=survey.opens_at,
            closes_at=survey.closes_at,
            open=services.is_open(survey),
            pages=pages,
        )
    )


async def submit_response(request: Request, body: ResponseBody) -> Response:
    """The answers are read by the survey's own model, exactly as its pages read them."""
    survey = await Survey.get_or_none(id=path_id(request, "survey_id"), published=True)
    if survey is None:
        return api.not_found(_("No published survey has this id."))
    token = await services.find_token(survey.id, body.token)
    if body.token and token is None:
        return failure(403, _("This link is not valid. Please check that it was copied completely."))
    if survey.access == TOKENS and token is None:
        return failure(403, _("This survey is answered through personal links sent by mail."))
    if not services.is_open(survey):
        return failure(409, _("This survey is not open at the moment."))
    definition = await load(survey)
    try:
        clean = validate(answers_model(definition), body.answers)
    except FieldErrors as exc:
        return invalid({f"answers.{key}": message for key, message in exc.errors.items()})
    answers = {**body.answers, **clean.model_dump(by_alias=True)}
    try:
        await services.submit(definition, answers, token=token)
    except services.TokenUsed as exc:
        return failure(409, next(iter(exc.errors.values())))
    return ok(ResponseCreated(received=True), 201)


async def survey_results(request: Request) -> Response:
    survey = await Survey.get_or_none(id=path_id(request, "survey_id"))
    if survey is None:
        return api.not_found(_("No survey has this id."))
    definition = await load(survey)
    minimum = request.app.state.settings.survey_min_group
    results = await analysis.results(definition, minimum)
    questions = [
        QuestionResultOut(
            code=r.question.code,
            answered=r.answered,
            cells=[CellOut(key=c.key, label=c.label, count=c.count, percent=c.percent) for c in r.cells],
            mean=r.stats.mean if r.stats else None,
            median=r.stats.median if r.stats else None,
            std=r.stats.std if r.stats else None,
            nps=r.nps,
            top2=r.top2,
        )
        for r in results.questions
    ]
    return ok(ResultsOut(total=results.total, questions=questions), private=True)


def operations() -> list[api.Operation]:
    return [
        api.get(
            "/surveys/{survey_id}",
            survey_detail,
            "getSurvey",
            "A published survey: its pages, questions, options and conditions",
            response=SurveyOut,
            errors={404: "No published survey has this id."},
        ),
        api.post(
            "/surveys/{survey_id}/responses",
            submit_response,
            "submitResponse",
            "Answer a survey",
            description=(
                "The answers are checked exactly like the survey's pages check them: a question hidden by its "
                "condition is ignored and stored empty; a refused answer is named under errors as answers.<code>. "
                "A personal token can be used once."
            ),
            body=ResponseBody,
            response=ResponseCreated,
            status=201,
            errors={
                403: "The survey is answered through personal links, or the token is not valid.",
                404: "No published survey has this id.",
                409: "The survey is not open, or the token has already been used.",
            },
        ),
        api.get(
            "/staff/surveys/{survey_id}/results",
            survey_results,
            "getSurveyResults",
            "Results of a survey; groups smaller than the threshold are given as null",
            response=ResultsOut,
            scope="surveys:read",
            errors={404: "No survey has this id."},
        ),
    ]
