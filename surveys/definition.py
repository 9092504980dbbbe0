"""A survey as answering and analysis read it: pages, questions and options loaded once, conditions evaluated.

Answers travel as plain values keyed by question code: a choice's option code (single, dropdown, yes/no), a list
of option codes (multiple choice; ranking, in order), a dict row code -> scale value (matrix), a number, a text or
an ISO date. "Other" texts travel beside them under "<code>-other".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from surveys.models import (
    ANSWERED,
    CONTAINS,
    DIFFERS,
    EQUALS,
    MATRIX,
    MULTIPLE,
    NPS,
    RANKING,
    RATING,
    YES_NO,
    Option,
    Page,
    Question,
    Survey,
)

YES, NO = "yes", "no"
MATRIX_SCALE = (1, 2, 3, 4, 5)


def other_key(code: str) -> str:
    return f"{code}-other"


@dataclass
class Condition:
    code: str = ""
    op: str = ""
    value: str = ""

    def holds(self, answers: dict[str, Any]) -> bool:
        if not self.code or not self.op:
            return True
        given = answers.get(self.code)
        if is_empty(given):
            return False
        if self.op == ANSWERED:
            return True
        if isinstance(given, list):
            matches = self.value in [str(item) for item in given]
        elif isinstance(given, dict):
            matches = self.value in [str(item) for item in given.values()]
        else:
            matches = self.value.casefold() == as_text(given).casefold()
        if self.op == EQUALS:
            return matches
        if self.op == DIFFERS:
            return not matches
        if self.op == CONTAINS:
            return matches or (isinstance(given, str) and self.value.casefold() in given.casefold())
        return True


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def as_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@dataclass
class OptionDef:
    code: str
    label: str
    is_other: bool = False


@dataclass
class QuestionDef:
    id: int
    code: str
    kind: str
    label: str
    help: str = ""
    required: bool = False
    min_value: int | None = None
    max_value: int | None = None
    max_length: int | None = None
    condition: Condition = field(default_factory=Condition)
    page: int = 0
    options: list[OptionDef] = field(default_factory=list)
    rows: list[OptionDef] = field(default_factory=list)

    @property
    def has_other(self) -> bool:
        return any(option.is_other for option in self.options)

    def choices(self) -> list[OptionDef]:
        """The options an answer picks from; yes/no and the scales have fixed ones."""
        if self.kind == YES_NO:
            return [OptionDef(YES, "yes"), OptionDef(NO, "no")]
        return self.options

    def scale(self) -> list[int]:
        if self.kind == RATING:
            return list(range(1, 6))
        if self.kind == NPS:
            return list(range(0, 11))
        if self.kind == MATRIX:
            return list(MATRIX_SCALE)
        return []

    def label_of(self, code: str) -> str:
        for option in [*self.choices(), *self.rows]:
            if option.code == code:
                return option.label
        return code

    @property
    def is_list(self) -> bool:
        return self.kind in (MULTIPLE, RANKING)


@dataclass
class PageDef:
    id: int
    index: int
    title: str
    condition: Condition
    questions: list[QuestionDef] = field(default_factory=list)


@dataclass
class Definition:
    id: int
    title: str
    intro: str
    thanks: str
    anonymity: str
    access: str
    version: int
    survey: Survey
    pages: list[PageDef] = field(default_factory=list)

    @property
    def questions(self) -> list[QuestionDef]:
        return [question for page in self.pages for question in page.questions]

    def question(self, code: str) -> QuestionDef | None:
        return next((q for q in self.questions if q.code == code), None)

    def by_id(self) -> dict[int, QuestionDef]:
        return {q.id: q for q in self.questions}

    def visible(self, answers: dict[str, Any]) -> set[str]:
        """Codes of the questions shown for these answers; a hidden question's answer counts as not given."""
        shown: set[str] = set()
        known: dict[str, Any] = {}
        for page in self.pages:
            page_shown = page.condition.holds(known)
            for question in page.questions:
                if page_shown and question.condition.holds(known):
                    shown.add(question.code)
                    known[question.code] = answers.get(question.code)
        return shown

    def page_shown(self, index: int, answers: dict[str, Any]) -> bool:
        shown = self.visible(answers)
        page = self.pages[index]
        return any(q.code in shown for q in page.questions) or (not page.questions and page.condition.holds(answers))


def _condition(row: Page | Question) -> Condition:
    return Condition(row.condition_code, row.condition_op, row.condition_value)


async def load(survey: Survey) -> Definition:
    """The survey's pages, questions and options, in order."""
    pages = await Page.filter(survey_id=survey.id).order_by("position", "id")
    questions = await Question.filter(survey_id=survey.id).order_by("position", "id")
    options = await Option.filter(question__survey_id=survey.id).order_by("position", "id")
    by_question: dict[int, list[Option]] = {}
    for option in options:
        by_question.setdefault(option.question_id, []).append(option)
    page_defs = [PageDef(p.id, i, p.title, _condition(p)) for i, p in enumerate(pages)]
    index_of = {p.id: i for i, p in enumerate(pages)}
    for q in questions:
        mine = by_question.get(q.id, [])
        page_defs[index_of[q.page_id]].questions.append(
            QuestionDef(
                id=q.id,
                code=q.code,
                kind=q.kind,
                label=q.label,
                help=q.help,
                required=q.required,
                min_value=q.min_value,
                max_value=q.max_value,
                max_length=q.max_length,
                condition=_condition(q),
                page=index_of[q.page_id],
                options=[OptionDef(o.code, o.label, o.is_other) for o in mine if not o.is_row],
                rows=[OptionDef(o.code, o.label) for o in mine if o.is_row],
            )
        )
    return Definition(
        id=survey.id,
        title=survey.title,
        intro=survey.intro,
        thanks=survey.thanks,
        anonymity=survey.anonymity,
        access=survey.access,
        version=survey.version,
        survey=survey,
        pages=page_defs,
    )
