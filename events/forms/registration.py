"""Input of the public events pages and the registration API: one model per use case.

Registering (the public form, the staff's "add by hand" form and POST /api/v1/sessions/{id}/registrations) reads
into `RegistrationInput`; the manage page's edit into `DetailsInput`. Both carry the answers to the session's own
questions, whose rules depend on the session: `with_questions(model, questions)` builds the model for one session,
with a field per question (its path in errors is answers.<question id>). The workshop track, the number of
colleagues and the consent are checked against the validation context (`session_rules(...)`).
"""

from __future__ import annotations

import functools
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, ValidationInfo, create_model, field_validator
from starlette.datastructures import FormData

from agora.forms import (
    Checkbox,
    Email,
    Id,
    InputModel,
    Line,
    OneOf,
    OptionalEmail,
    Paragraph,
    form_rows,
    row_input,
)
from agora.forms import column_length as limit
from agora.i18n import gettext as _
from agora.i18n import lazy_gettext
from events.models import ATTENDANCES, CHECKBOXES, CHOICE, NUMBER, Question, Registration

# The consent shown next to the box; its version is recorded with every registration, so a new wording
# needs a new version.
CONSENT_VERSION = "2026-11"
CONSENT_TEXT = lazy_gettext(
    "I agree that the economic-development agency stores my details and answers to organise this session "
    "and to contact me about it. They are deleted after the session according to the privacy policy."
)
# Rows of the colleague inputs read from a form; more than the session offers is refused by its rule.
COLLEAGUE_ROWS_MAX = 20
MAX_ANSWER = 2_000
MAX_OPTION = 500
MAX_CHOSEN = 50
INVITATION_MAX = 200


def _comma_decimal(value: Any) -> Any:
    """ "12,5" as people in Germany write it; an empty answer is no answer; true and false are no numbers."""
    value = _not_a_truth_value(value)
    if isinstance(value, str):
        value = value.strip().replace(",", ".")
        return value or None
    return value


def _not_a_truth_value(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(_("Please enter a number."))
    return value


def _whole_if_integral(value: float | None) -> float | int | None:
    return int(value) if value is not None and value.is_integer() else value


def _as_list(value: Any) -> Any:
    """A form sends one checked box as a single value."""
    if isinstance(value, str):
        return [value] if value else []
    return value


# Beyond 10^15 a number answer would no longer be stored as typed (floats keep about 15 digits).
NUMBER_LIMIT = 10**15
_Bounded = Annotated[float, Field(ge=-NUMBER_LIMIT, le=NUMBER_LIMIT)]
Number = Annotated[_Bounded, BeforeValidator(_comma_decimal), AfterValidator(_whole_if_integral)]
OptionalNumber = Annotated[_Bounded | None, BeforeValidator(_comma_decimal), AfterValidator(_whole_if_integral)]
AnswerValue = (
    Annotated[str, Paragraph(MAX_ANSWER)]
    | Annotated[float, BeforeValidator(_not_a_truth_value)]
    | list[Annotated[str, Line(MAX_OPTION)]]
)


class Colleague(InputModel):
    """A colleague coming along; a row left empty is no colleague. (The address is read first, so that the name
    rule can see it.)"""

    email: OptionalEmail = ""
    name: Annotated[str, Line(limit(Registration, "name"))] = ""

    @field_validator("name")
    @classmethod
    def _named(cls, name: str, info: ValidationInfo) -> str:
        if not name and info.data.get("email"):
            raise ValueError(_("Please enter the name of your colleague."))
        return name


class Answering(InputModel):
    """Answers to a session's questions, keyed by question id; see with_questions for their rules."""

    answers: dict[str, AnswerValue] = Field(
        default_factory=dict,
        description="Question id (as text) -> answer: text, a number, or a list of options for checkboxes.",
    )

    def answer_values(self) -> dict[str, Any]:
        """The answers given (empty ones left out), as stored with the registration."""
        raw = self.answers.model_dump(by_alias=True) if isinstance(self.answers, BaseModel) else self.answers
        return {key: value for key, value in raw.items() if value not in ("", None, [])}

    @staticmethod
    def form_answers(form: FormData) -> dict[str, Any]:
        answers: dict[str, Any] = {}
        for key in form:
            if key.startswith("question_"):
                values = [v for v in form.getlist(key) if isinstance(v, str)]
                answers[key.removeprefix("question_")] = values if len(values) > 1 else (values or [""])[0]
        return answers

    @classmethod
    def form_field(cls, path: str) -> str:
        parts = path.split(".")
        if parts[0] == "answers" and len(parts) > 1:
            return f"question_{parts[1]}"
        return path


def _answer_field(question: QuestionRule, strict: bool) -> tuple[Any, Any]:
    _id, question_kind, question_required, options = question
    required = question_required and strict
    if question_kind == CHECKBOXES:
        kind: Any = Annotated[
            list[Annotated[str, OneOf(*options)]],
            BeforeValidator(_as_list),
            Field(min_length=1 if required else 0, max_length=MAX_CHOSEN),
        ]
        return kind, (... if required else [])
    if question_kind == CHOICE:
        offered = options if required else ("", *options)
        return Annotated[str, OneOf(*offered)], (... if required else "")
    if question_kind == NUMBER:
        return (Number, ...) if required else (OptionalNumber, None)
    return Annotated[str, Paragraph(MAX_ANSWER, min_length=1 if required else 0)], (... if required else "")


A = TypeVar("A", bound=Answering)
# What a question's field depends on: id, kind, required, options.
QuestionRule = tuple[int, str, bool, tuple[str, ...]]


def with_questions(model: type[A], questions: list[Question], *, strict: bool = True) -> type[A]:
    """The model for one session: a field per question, named by its id. strict=False (staff adding someone)
    lets required questions stay empty."""
    rules = tuple((q.id, q.kind, q.required, tuple(q.options)) for q in questions)
    return _model_for(model, rules, strict)


@functools.lru_cache(maxsize=256)
def _model_for(model: type[A], rules: tuple[QuestionRule, ...], strict: bool) -> type[A]:
    # Building a pydantic model costs milliseconds: kept per set of questions, not built per request.
    fields: dict[str, Any] = {}
    for rule in rules:
        kind, default = _answer_field(rule, strict)
        fields[f"q{rule[0]}"] = (kind, Field(default, alias=str(rule[0])))
    answers = create_model(f"AnswersTo{model.__name__}", __base__=InputModel, **fields)
    refined: type[A] = create_model(model.__name__, __base__=model, answers=(answers, Field(default_factory=answers)))
    return refined


class RegistrationInput(Answering):
    """Registering for a session: the public form, the staff's form and the API."""

    name: Annotated[str, Line(limit(Registration, "name"), min_length=1)]
    email: Email
    organisation: Annotated[str, Line(limit(Registration, "organisation"))] = ""
    role: Annotated[str, Line(limit(Registration, "role"))] = ""
    colleagues: list[Colleague] = Field(
        default_factory=list,
        max_length=COLLEAGUE_ROWS_MAX,
        description="Colleagues coming along, each taking a seat; at most the session's max_colleagues.",
    )
    track_id: Id | None = Field(
        default=None, validate_default=True, description="Required when the session has workshop tracks."
    )
    attendance: Annotated[str, OneOf("", *ATTENDANCES)] = Field(
        default="",
        validate_default=True,
        description="in_person or online: required for a hybrid session, else the session's only way of taking part.",
    )
    consent: Checkbox = Field(
        default=False,
        validate_default=True,
        description="Agreement to the processing of the data as the registration form states it; must be true.",
    )
    invitation: Annotated[str, Line(INVITATION_MAX)] = Field(
        default="", description="The token of a personal invitation link."
    )

    @field_validator("colleagues")
    @classmethod
    def _party(cls, rows: list[Colleague], info: ValidationInfo) -> list[Colleague]:
        rows = [row for row in rows if row.name or row.email]
        offered = (info.context or {}).get("max_colleagues")
        if offered is not None and len(rows) > offered:
            raise ValueError(_("You can bring at most %(max)s colleagues to this session.", max=offered))
        return rows

    @field_validator("track_id")
    @classmethod
    def _track(cls, track_id: int | None, info: ValidationInfo) -> int | None:
        tracks = (info.context or {}).get("tracks")
        if tracks is None:  # read without the session's rules (the API's first pass): keep the value for them
            return track_id
        if not tracks:
            return None
        if track_id is None:
            raise ValueError(_("Please choose a workshop track."))
        if track_id not in tracks:
            raise ValueError(_("Please choose one of the tracks offered."))
        return track_id

    @field_validator("attendance")
    @classmethod
    def _attendance(cls, attendance: str, info: ValidationInfo) -> str:
        offered = (info.context or {}).get("attendances")
        if offered is None:  # read without the session's rules: keep the value for them
            return attendance
        if len(offered) == 1:
            return str(offered[0])
        if attendance not in offered:
            raise ValueError(_("Please choose how you take part: in the room or online."))
        return attendance

    @field_validator("consent")
    @classmethod
    def _consent(cls, consent: bool, info: ValidationInfo) -> bool:
        if not consent and not (info.context or {}).get("by_staff"):
            raise ValueError(_("Please agree to the processing of your data to register."))
        return consent

    @classmethod
    def from_form(cls, form: FormData) -> dict[str, Any]:
        data: dict[str, Any] = {key: form[key] for key in ("name", "email", "organisation", "role") if key in form}
        for key in ("consent", "invitation", "attendance"):
            if key in form:
                data[key] = form[key]
        if form.get("track"):
            data["track_id"] = form["track"]
        data["answers"] = cls.form_answers(form)
        data["colleagues"] = form_rows(form, "colleague", ("name", "email"), COLLEAGUE_ROWS_MAX)
        return data

    @classmethod
    def form_field(cls, path: str) -> str:
        if row := row_input(path, "colleagues", "colleague"):
            return row
        parts = path.split(".")
        if parts[0] == "colleagues":
            return "colleagues"
        if parts[0] == "track_id":
            return "track"
        return super().form_field(path)

    def registrant(self) -> dict[str, Any]:
        """The service's arguments (events.services.register)."""
        return {
            "name": self.name,
            "email": self.email,
            "organisation": self.organisation,
            "role": self.role,
            "answers": self.answer_values(),
            "colleagues": [{"name": c.name, "email": c.email} for c in self.colleagues],
            "track_id": self.track_id,
            "attendance": self.attendance,
            "consent": self.consent,
        }

    def shown(self) -> dict[str, Any]:
        """The values the form shows again after a refusal by the service."""
        return {**self.registrant(), "invitation": self.invitation}


def session_rules(
    *, tracks: list[int], max_colleagues: int, by_staff: bool = False, attendances: tuple[str, ...] = ("in_person",)
) -> dict[str, Any]:
    """The validation context of a registration: what the session offers."""
    return {"tracks": tracks, "max_colleagues": max_colleagues, "by_staff": by_staff, "attendances": attendances}


class DetailsInput(Answering):
    """The manage page's edit: name, organisation, role and answers (the address and the party stay)."""

    name: Annotated[str, Line(limit(Registration, "name"), min_length=1)]
    organisation: Annotated[str, Line(limit(Registration, "organisation"))] = ""
    role: Annotated[str, Line(limit(Registration, "role"))] = ""

    @classmethod
    def from_form(cls, form: FormData) -> dict[str, Any]:
        data: dict[str, Any] = {key: form[key] for key in ("name", "organisation", "role") if key in form}
        data["answers"] = cls.form_answers(form)
        return data
