"""Typed input of surveys: the answers to a survey (one model for the form and the JSON API), built per survey.

`answers_model(definition, pages)` makes a model with a field per question (its alias the question code), so an
error's path is `answers.<code>` in the API and the question's own input on the page. Conditions are enforced
here: a question hidden by the answers given is not checked and its answer is dropped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, create_model, field_validator, model_validator
from pydantic_core import PydanticCustomError
from starlette.datastructures import FormData

from agora.forms import (
    Checkbox,
    Id,
    InputModel,
    Integer,
    Line,
    OneOf,
    OptionalMoment,
    Paragraph,
    check_paragraph,
    column_length,
    form_data,
)
from agora.i18n import gettext as _
from surveys.definition import Definition, QuestionDef, is_empty, other_key
from surveys.models import (
    ACCESS_MODES,
    ANONYMITY_MODES,
    ANONYMOUS,
    CONDITION_OPS,
    DATE,
    DROPDOWN,
    LINK,
    MATRIX,
    MULTIPLE,
    NPS,
    NUMBER,
    QUESTION_KINDS,
    RANKING,
    RATING,
    SHORT_TEXT,
    SINGLE,
    YES_NO,
    Page,
    Question,
    Survey,
)

TEXT_MAX = 5_000
SHORT_MAX = 300
TOKEN_MAX = 100
CARRIED_MAX = 100_000
MAX_ANSWERS = 500
_UNREADABLE = re.compile(r"[\ud800-\udfff\x00-\x1f\x7f-\x9f]")
_ANSWER_KEY = re.compile(r"\A[A-Za-z_][A-Za-z0-9_]{0,39}(-other)?\Z")
_NUMBER = re.compile(r"\A[+-]?[0-9]{1,12}([.,][0-9]{1,6})?\Z")


def _no_number(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


OptionalInteger = Annotated[int | None, Integer(-1_000_000, 1_000_000), BeforeValidator(_no_number)]


class Hidden:
    """The marker of a question its condition hides: its answer is not read and is stored empty."""


HIDDEN = Hidden()


class Given:
    """What was sent for a question, with its "other" text."""

    def __init__(self, value: Any, other: str = "") -> None:
        self.value = value
        self.other = other


def _text(value: Any, limit: int) -> str:
    if not isinstance(value, str):
        raise ValueError(_("Please enter text."))
    value = check_paragraph(value.replace("\r\n", "\n").strip())
    if len(value) > limit:
        raise ValueError(_("Please keep this under %(max)s characters.", max=limit))
    return value


def _number(value: Any, question: QuestionDef) -> float:
    if isinstance(value, str):
        if not _NUMBER.match(value.strip()):
            raise ValueError(_("Please enter a number."))
        number = float(value.strip().replace(",", "."))
    elif isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        raise ValueError(_("Please enter a number."))
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(_("Please enter a number."))
    scale = question.scale()
    if scale and (number not in scale):
        raise ValueError(_("Please choose one of the options offered."))
    if question.min_value is not None and number < question.min_value:
        raise ValueError(_("Please enter a number of at least %(min)s.", min=question.min_value))
    if question.max_value is not None and number > question.max_value:
        raise ValueError(_("Please enter a number of at most %(max)s.", max=question.max_value))
    return number


def _codes(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [item for item in value if item]
    raise ValueError(_("Please choose one of the options offered."))


def check(question: QuestionDef, given: Given) -> Any:
    """The clean answer to one question, or ValueError with the message for the reader."""
    value = given.value
    if is_empty(value):
        if question.required:
            raise ValueError(_("Please answer this question."))
        return None
    kind = question.kind
    if kind in (SINGLE, DROPDOWN, YES_NO):
        if not isinstance(value, str) or value not in [o.code for o in question.choices()]:
            raise ValueError(_("Please choose one of the options offered."))
        return _with_other(question, [value], given.other)[0] if question.has_other else value
    if kind == MULTIPLE:
        chosen = _codes(value)
        allowed = [o.code for o in question.options]
        if any(code not in allowed for code in chosen) or len(set(chosen)) != len(chosen):
            raise ValueError(_("Please choose one of the options offered."))
        if question.min_value is not None and len(chosen) < question.min_value:
            raise ValueError(_("Please choose at least %(min)s.", min=question.min_value))
        if question.max_value is not None and len(chosen) > question.max_value:
            raise ValueError(_("Please choose at most %(max)s.", max=question.max_value))
        _with_other(question, chosen, given.other)
        return sorted(chosen, key=allowed.index)
    if kind == RANKING:
        ranked = _codes(value)
        allowed = [o.code for o in question.options]
        if any(code not in allowed for code in ranked) or len(set(ranked)) != len(ranked):
            raise ValueError(_("Please give each place in the ranking only once."))
        if question.required and len(ranked) != len(allowed):
            raise ValueError(_("Please rank every option."))
        return ranked
    if kind == MATRIX:
        if not isinstance(value, dict):
            raise ValueError(_("Please choose one of the options offered."))
        rows = [row.code for row in question.rows]
        clean: dict[str, int] = {}
        for row, answer in value.items():
            if row not in rows:
                raise ValueError(_("Please choose one of the options offered."))
            if not is_empty(answer):
                clean[row] = int(_number(answer, question))
        if question.required and len(clean) != len(rows):
            raise ValueError(_("Please answer every row."))
        return clean or None
    if kind in (RATING, NPS, NUMBER):
        number = _number(value, question)
        return int(number) if number.is_integer() else number
    if kind == DATE:
        if not isinstance(value, str):
            raise ValueError(_("Please enter a date."))
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            raise ValueError(_("Please enter a date.")) from None
    limit = question.max_length or (SHORT_MAX if kind == SHORT_TEXT else TEXT_MAX)
    text = _text(value, min(limit, TEXT_MAX))
    if question.required and not text:
        raise ValueError(_("Please answer this question."))
    return text or None


def _with_other(question: QuestionDef, chosen: list[str], other: str) -> list[str]:
    others = [o.code for o in question.options if o.is_other]
    if any(code in others for code in chosen) and not _text(other, SHORT_MAX):
        raise ValueError(_("Please say what you mean by other."))
    return chosen


def _field(question: QuestionDef) -> tuple[Any, Any]:
    def checked(given: Any) -> Any:
        if isinstance(given, Hidden):
            return None
        return check(question, given if isinstance(given, Given) else Given(given))

    return (Annotated[Any, AfterValidator(checked)], Field(default=None, alias=question.code, validate_default=True))


def _lenient(question: QuestionDef, value: Any) -> Any:
    """A sent value as conditions compare it, before it is checked."""
    if isinstance(value, str):
        return value.strip()
    return value


def answers_model(definition: Definition, pages: Iterable[int] | None = None) -> type[InputModel]:
    """The model of the answers to the given pages (every page when None), conditions applied."""
    wanted = set(range(len(definition.pages))) if pages is None else set(pages)
    asked = [q for q in definition.questions if q.page in wanted]
    fields = {f"q_{q.code}": _field(q) for q in asked}

    def mark(cls: type[InputModel], data: Any, info: Any) -> Any:
        if not isinstance(data, dict):
            return data
        known = dict((info.context or {}).get("known") or {})
        for question in asked:
            known[question.code] = _lenient(question, data.get(question.code))
        shown = definition.visible(known)
        marked: dict[str, Any] = {}
        for question in asked:
            if question.code not in shown:
                marked[question.code] = HIDDEN
            else:
                other = data.get(other_key(question.code))
                marked[question.code] = Given(data.get(question.code), other if isinstance(other, str) else "")
        return marked

    validator = model_validator(mode="before")(classmethod(mark))  # type: ignore[arg-type]
    model: type[InputModel] = create_model(  # type: ignore[call-overload]
        f"Answers{definition.id}",
        __base__=InputModel,
        __validators__={"mark_hidden": validator},
        **fields,
    )
    return model


def read_form(definition: Definition, pages: Iterable[int], form: FormData) -> dict[str, Any]:
    """The answers in a posted page: inputs named by question code (a matrix row "<code>-<row>", a ranked option
    "<code>-<option>" with its place)."""
    data: dict[str, Any] = {}
    wanted = set(pages)
    for question in definition.questions:
        if question.page not in wanted:
            continue
        code = question.code
        if question.kind == MULTIPLE:
            data[code] = [v for v in form.getlist(code) if isinstance(v, str)]
        elif question.kind == MATRIX:
            data[code] = {row.code: form.get(f"{code}-{row.code}") or "" for row in question.rows}
            data[code] = {row: value for row, value in data[code].items() if value}
        elif question.kind == RANKING:
            data[code] = _ranking(question, form)
        else:
            value = form.get(code)
            data[code] = value if isinstance(value, str) else ""
        other = form.get(other_key(code))
        if isinstance(other, str) and other:
            data[other_key(code)] = other
    return data


def _ranking(question: QuestionDef, form: FormData) -> Any:
    places: dict[str, int] = {}
    for option in question.options:
        raw = form.get(f"{question.code}-{option.code}")
        if isinstance(raw, str) and raw.strip():
            if not raw.strip().isascii() or not raw.strip().isdigit():
                return [option.code, option.code]
            places[option.code] = int(raw.strip())
    if len(set(places.values())) != len(places):
        return [*places, *places]
    return sorted(places, key=places.__getitem__)


def form_values(definition: Definition, answers: dict[str, Any]) -> dict[str, Any]:
    """Answers as the form shows them again (a ranking as places per option)."""
    values = dict(answers)
    for question in definition.questions:
        if question.kind == RANKING and isinstance(answers.get(question.code), list):
            for place, code in enumerate(answers[question.code], start=1):
                values[f"{question.code}-{code}"] = place
    return values


class ResponseBody(InputModel):
    """POST /api/v1/surveys/{id}/responses: the answers by question code, and a personal token if the survey
    asks for one. The answers are then read by the survey's own model (its questions, options and conditions)."""

    answers: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "Question code -> answer: an option code (single, dropdown, yes_no: yes or no), a list of option codes "
            "(multiple; ranking in order), an object row code -> 1..5 (matrix), a number (rating 1-5, nps 0-10, "
            'number), a text, an ISO date. "<code>-other" carries the text of an "other" option.'
        ),
    )
    token: Annotated[str, Line(TOKEN_MAX)] = Field(default="", description="The token of a personal link.")

    @model_validator(mode="before")
    @classmethod
    def _readable_names(cls, data: Any) -> Any:
        # Unknown names are ignored, but one that cannot even be stored or shown is a broken body, not a response.
        if isinstance(data, dict) and any(_UNREADABLE.search(str(key)) for key in data):
            raise ValueError(_("The body has a field name that cannot be read."))
        return data

    @field_validator("answers")
    @classmethod
    def _codes(cls, answers: dict[str, Any]) -> dict[str, Any]:
        if len(answers) > MAX_ANSWERS or not all(_ANSWER_KEY.match(key) for key in answers):
            raise ValueError(_("Please name each answer by its question code."))
        return answers


class PageNavigation(InputModel):
    """What a survey page sends besides the answers: which page, the button, the personal token, and (without
    a token) the answers of the pages before as JSON."""

    page: Annotated[int, Integer(0, 999)] = 0
    action: Annotated[str, OneOf("next", "back", "save")] = "next"
    t: Annotated[str, Line(TOKEN_MAX)] = ""
    carried: Annotated[str, Paragraph(CARRIED_MAX)] = ""

    @field_validator("carried")
    @classmethod
    def _object(cls, value: str) -> str:
        if value:
            try:
                data = json.loads(value, parse_constant=_no_constant)
            except ValueError:
                raise ValueError(_("The form could not be read. Please reload the page and send it again.")) from None
            if not isinstance(data, dict):
                raise ValueError(_("The form could not be read. Please reload the page and send it again."))
        return value

    def earlier(self) -> dict[str, Any]:
        return json.loads(self.carried) if self.carried else {}


def _no_constant(name: str) -> Any:
    raise ValueError(name)


# --- the staff's builder -----------------------------------------------------------------------------------------


def _limit(model: Any, name: str) -> int:
    return column_length(model, name)


class SurveyInput(InputModel):
    """A survey's settings."""

    title: Annotated[str, Line(_limit(Survey, "title"), min_length=1)]
    intro: Annotated[str, Paragraph(TEXT_MAX)] = ""
    thanks: Annotated[str, Paragraph(TEXT_MAX)] = ""
    opens_at: OptionalMoment = None
    closes_at: OptionalMoment = None
    published: Checkbox = False
    anonymity: Annotated[str, OneOf(*ANONYMITY_MODES)] = ANONYMOUS
    access: Annotated[str, OneOf(*ACCESS_MODES)] = LINK
    reminder_days: Annotated[int, Integer(0, 365)] = 7

    @classmethod
    def from_form(cls, form: FormData) -> dict[str, Any]:
        return {**form_data(form, cls), "published": form.get("published") or "off"}

    @model_validator(mode="after")
    def _times(self) -> SurveyInput:
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise PydanticCustomError("value_error", "closes", {"error": _("The survey must close after it opens.")})
        return self


class SurveyCreate(InputModel):
    title: Annotated[str, Line(_limit(Survey, "title"), min_length=1)]


class PageInput(InputModel):
    title: Annotated[str, Line(_limit(Page, "title"))] = ""
    condition_code: Annotated[str, Line(40)] = ""
    condition_op: Annotated[str, OneOf("", *CONDITION_OPS)] = ""
    condition_value: Annotated[str, Line(200)] = ""


class QuestionInput(InputModel):
    """A question of the builder; options and matrix rows are lines "code = label" ("*" marks "other")."""

    page_id: Id
    code: Annotated[str, Line(_limit(Question, "code"), min_length=1)]
    kind: Annotated[str, OneOf(*QUESTION_KINDS)]
    label: Annotated[str, Line(_limit(Question, "label"), min_length=1)]
    help: Annotated[str, Paragraph(2_000)] = ""
    required: Checkbox = False
    min_value: OptionalInteger = None
    max_value: OptionalInteger = None
    max_length: OptionalInteger = None
    options: Annotated[str, Paragraph(10_000)] = ""
    rows: Annotated[str, Paragraph(5_000)] = ""
    condition_code: Annotated[str, Line(40)] = ""
    condition_op: Annotated[str, OneOf("", *CONDITION_OPS)] = ""
    condition_value: Annotated[str, Line(200)] = ""

    @classmethod
    def from_form(cls, form: FormData) -> dict[str, Any]:
        return {**form_data(form, cls), "required": form.get("required") or "off"}

    def fields(self) -> dict[str, Any]:
        from surveys.services import parse_options

        data = self.model_dump(exclude={"page_id", "options", "rows"})
        return {**data, "options": parse_options(self.options), "rows": parse_options(self.rows)}


class TagInput(InputModel):
    staff_tags: Annotated[str, Line(200)] = ""


class AnalysisQuery(InputModel):
    filter: Annotated[str, Line(100)] = ""
    a: Annotated[str, Line(40)] = ""
    b: Annotated[str, Line(40)] = ""
