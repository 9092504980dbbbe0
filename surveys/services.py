"""Every write of surveys: building surveys, personal tokens, drafts and responses, staff tags.

A response is written in one transaction with its answers (one row per value, an empty row for a question not
answered or hidden) and the token it used; in the anonymous mode the response keeps neither the token nor the
person, only the day.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import UTC, date, datetime
from typing import Any

from tortoise.expressions import F

from agora.db import transaction
from agora.i18n import gettext as _
from agora.settings import Settings
from surveys.definition import Definition, QuestionDef, is_empty, load, other_key
from surveys.models import (
    ANONYMOUS,
    CHOICE_KINDS,
    CONDITION_OPS,
    MATRIX,
    MULTIPLE,
    PERSONAL,
    QUESTION_KINDS,
    RANKING,
    YES_NO,
    Answer,
    Option,
    Page,
    Question,
    Response,
    Survey,
    Token,
)

CODE = re.compile(r"\A[A-Za-z_][A-Za-z0-9_]{0,39}\Z")
TEXT_MAX = 5_000


class SurveyError(Exception):
    """Bad input or a rule that forbids the change; nothing was written. errors: field -> message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class TokenUsed(SurveyError):
    """This personal link has already been used for a response."""


def now_utc() -> datetime:
    return datetime.now(UTC)


def is_open(survey: Survey, now: datetime | None = None) -> bool:
    now = now or now_utc()
    if not survey.published:
        return False
    if survey.opens_at and now < survey.opens_at:
        return False
    return not (survey.closes_at and now >= survey.closes_at)


# --- building -------------------------------------------------------------------------------------------------


SURVEY_FIELDS = {
    "title",
    "intro",
    "thanks",
    "opens_at",
    "closes_at",
    "published",
    "anonymity",
    "access",
    "reminder_days",
}


async def create_survey(**data: Any) -> Survey:
    async with transaction():
        survey = await Survey.create(**data)
        await Page.create(survey_id=survey.id, position=0)
    return survey


async def update_survey(survey_id: int, **data: Any) -> None:
    async with transaction():
        await Survey.filter(id=survey_id).update(**data)


async def has_responses(survey_id: int) -> bool:
    return await Response.filter(survey_id=survey_id).exists()


async def add_page(
    survey_id: int, title: str = "", condition_code: str = "", condition_op: str = "", condition_value: str = ""
) -> Page:
    """A page at the end; its condition refers to a question on an earlier page."""
    if condition_code and (condition_code not in await _earlier_codes(survey_id) or not condition_op):
        raise SurveyError({"newpage_condition_code": _("A condition can only refer to an earlier question.")})
    position = await Page.filter(survey_id=survey_id).count()
    async with transaction():
        return await Page.create(
            survey_id=survey_id,
            position=position,
            title=title,
            condition_code=condition_code,
            condition_op=condition_op if condition_code else "",
            condition_value=condition_value if condition_code else "",
        )


def parse_options(text: str) -> list[tuple[str, str, bool]]:
    """Lines "code = label" (a line starting with "*" is the "other" option), or just labels (codes numbered)."""
    parsed: list[tuple[str, str, bool]] = []
    for number, line in enumerate([line.strip() for line in text.splitlines() if line.strip()], start=1):
        other = line.startswith("*")
        line = line.lstrip("*").strip()
        code, sep, label = line.partition("=")
        if not sep:
            code, label = str(number), line
        parsed.append((code.strip(), label.strip(), other))
    return parsed


def _check_question(data: dict[str, Any], earlier: list[str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not CODE.match(data.get("code", "")):
        errors["code"] = _("Please use letters, digits and underscores for the code, starting with a letter.")
    if data.get("kind") not in QUESTION_KINDS:
        errors["kind"] = _("Please choose one of the options offered.")
    options, rows = data.get("options", []), data.get("rows", [])
    codes = [code for code, _label, _other in options]
    if any(not CODE.match(code) and not code.isdigit() for code in codes) or len(set(codes)) != len(codes):
        errors["options"] = _("Each option needs its own code (letters, digits, underscores).")
    if (
        data.get("kind") in CHOICE_KINDS
        and data.get("kind") != YES_NO
        and len(options) < (0 if data.get("kind") == MATRIX else 2)
    ):
        errors["options"] = _("Please give at least two options.")
    if data.get("kind") == MATRIX and not rows:
        errors["rows"] = _("Please give at least one row.")
    low, high = data.get("min_value"), data.get("max_value")
    if low is not None and high is not None and low > high:
        errors["max_value"] = _("The maximum must not be below the minimum.")
    if data.get("condition_code") and (
        data["condition_code"] not in earlier or data.get("condition_op") not in CONDITION_OPS
    ):
        errors["condition_code"] = _("A condition can only refer to an earlier question.")
    return errors


async def _earlier_codes(survey_id: int, before: Question | None = None) -> list[str]:
    questions = await Question.filter(survey_id=survey_id).order_by("page__position", "position", "id")
    codes: list[str] = []
    for question in questions:
        if before is not None and question.id == before.id:
            break
        codes.append(question.code)
    return codes


async def add_question(survey_id: int, page_id: int, **data: Any) -> Question:
    errors = _check_question(data, await _earlier_codes(survey_id))
    if await Question.filter(survey_id=survey_id, code=data.get("code", "")).exists():
        errors["code"] = _("Another question of this survey already has this code.")
    if not await Page.filter(id=page_id, survey_id=survey_id).exists():
        errors["page_id"] = _("Please choose one of the options offered.")
    if errors:
        raise SurveyError(errors)
    options, rows = data.pop("options", []), data.pop("rows", [])
    async with transaction():
        position = await Question.filter(page_id=page_id).count()
        question = await Question.create(survey_id=survey_id, page_id=page_id, position=position, **data)
        await _write_options(question.id, options, rows)
        # Responses that came before the question get its empty answer, so every response has rows for every
        # question (the analysis counts on it).
        earlier = await Response.filter(survey_id=survey_id).values_list("id", flat=True)
        await Answer.bulk_create([Answer(response_id=rid, question_id=question.id) for rid in earlier], batch_size=5000)
    return question


async def _write_options(
    question_id: int, options: list[tuple[str, str, bool]], rows: list[tuple[str, str, bool]]
) -> None:
    await Option.filter(question_id=question_id).delete()
    await Option.bulk_create(
        [
            Option(question_id=question_id, position=i, code=c, label=lab, is_other=o)
            for i, (c, lab, o) in enumerate(options)
        ]
        + [
            Option(question_id=question_id, position=i, code=c, label=lab, is_row=True)
            for i, (c, lab, _o) in enumerate(rows)
        ]
    )


async def update_question(question_id: int, **data: Any) -> None:
    """Change a question. Once responses exist, its kind, code and options stay comparable: an option may be
    added or relabelled, never removed, and the kind and code never change."""
    question = await Question.get(id=question_id)
    errors = _check_question(data, await _earlier_codes(question.survey_id, before=question))
    if (
        data.get("code") != question.code
        and await Question.filter(survey_id=question.survey_id, code=data.get("code", "")).exists()
    ):
        errors["code"] = _("Another question of this survey already has this code.")
    if await has_responses(question.survey_id):
        old = await Option.filter(question_id=question_id).values_list("code", "is_row")
        new = {(code, False) for code, _l, _o in data.get("options", [])} | {
            (code, True) for code, _l, _o in data.get("rows", [])
        }
        if data.get("kind") != question.kind:
            errors["kind"] = _(
                "Responses have come in, so the kind of this question cannot change any more: their answers "
                "would no longer compare. Duplicate the survey to ask it differently."
            )
        if data.get("code") != question.code:
            errors["code"] = _("Responses have come in, so the code of this question cannot change any more.")
        if {(code, row) for code, row in old} - new:
            errors["options"] = _(
                "Responses have come in, so options cannot be removed any more: the answers that chose them "
                "would lose their meaning. You can add options or change their labels."
            )
    if errors:
        raise SurveyError(errors)
    options, rows = data.pop("options", []), data.pop("rows", [])
    async with transaction():
        await Question.filter(id=question_id).update(**data)
        await _write_options(question_id, options, rows)
        await Survey.filter(id=question.survey_id).update(version=F("version") + 1)


async def delete_question(question_id: int) -> None:
    question = await Question.get(id=question_id)
    if await has_responses(question.survey_id):
        raise SurveyError(
            {
                "question": _(
                    "Responses have come in, so questions cannot be removed any more: their answers would be lost."
                )
            }
        )
    if await Question.filter(survey_id=question.survey_id, condition_code=question.code).exists():
        raise SurveyError({"question": _("Another question's condition refers to this question.")})
    async with transaction():
        await question.delete()


async def duplicate(survey_id: int, title: str | None = None) -> Survey:
    """A copy with the same pages, questions, codes and options, unpublished and without responses."""
    original = await Survey.get(id=survey_id)
    async with transaction():
        copy = await Survey.create(
            title=title or _("Copy of %(title)s", title=original.title)[:200],
            intro=original.intro,
            thanks=original.thanks,
            anonymity=original.anonymity,
            access=original.access,
            reminder_days=original.reminder_days,
        )
        pages = {}
        for page in await Page.filter(survey_id=survey_id).order_by("position", "id"):
            pages[page.id] = await Page.create(
                survey_id=copy.id,
                position=page.position,
                title=page.title,
                condition_code=page.condition_code,
                condition_op=page.condition_op,
                condition_value=page.condition_value,
            )
        for question in await Question.filter(survey_id=survey_id).order_by("id"):
            options = await Option.filter(question_id=question.id).order_by("position", "id")
            fields = {k: getattr(question, k) for k in QUESTION_COPY}
            new = await Question.create(survey_id=copy.id, page_id=pages[question.page_id].id, **fields)
            await Option.bulk_create(
                [
                    Option(
                        question_id=new.id,
                        position=o.position,
                        code=o.code,
                        label=o.label,
                        is_row=o.is_row,
                        is_other=o.is_other,
                    )
                    for o in options
                ]
            )
    return copy


QUESTION_COPY = (
    "position",
    "code",
    "kind",
    "label",
    "help",
    "required",
    "min_value",
    "max_value",
    "max_length",
    "condition_code",
    "condition_op",
    "condition_value",
)


# --- tokens ----------------------------------------------------------------------------------------------------


def token_for(settings: Settings, survey_id: int, session_id: int | None, email: str) -> str:
    """The secret of a personal link, derived with the secret key: asking twice gives the same link."""
    message = f"agora.surveys.token:{survey_id}:{session_id or 0}:{email.lower()}".encode()
    return hmac.new(settings.secret_key.encode(), message, hashlib.sha256).hexdigest()[:40]


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


async def issue_token(
    settings: Settings, survey_id: int, *, email: str = "", session_id: int | None = None, locale: str = "de"
) -> str:
    """A personal token for one response (the same one when asked again); the raw value goes into the link."""
    raw = token_for(settings, survey_id, session_id, email)
    await Token.get_or_create(
        token_hash=token_hash(raw),
        defaults={"survey_id": survey_id, "email": email, "session_id": session_id, "locale": locale},
    )
    return raw


async def find_token(survey_id: int, raw: str) -> Token | None:
    if not raw or len(raw) > 100:
        return None
    return await Token.get_or_none(survey_id=survey_id, token_hash=token_hash(raw))


async def save_draft(token_id: int, answers: dict[str, Any], page: int) -> None:
    """Keep the answers so far on the token, for resuming later through the same link."""
    async with transaction():
        await Token.filter(id=token_id, used_on=None).update(draft=answers, draft_page=page)


# --- responses -------------------------------------------------------------------------------------------------


def _rows(question: QuestionDef, value: Any, other: str) -> list[dict[str, Any]]:
    """The answer rows of one question: an empty row when nothing was given (or the question was hidden)."""
    if is_empty(value):
        return [{}]
    if question.kind == MULTIPLE:
        return [{"option": code, "text": other if _is_other(question, code) else ""} for code in value]
    if question.kind == RANKING:
        return [{"option": code, "number": float(place)} for place, code in enumerate(value, start=1)]
    if question.kind == MATRIX:
        return [{"row": row, "number": float(number)} for row, number in value.items()]
    if question.kind in ("single", "dropdown", YES_NO):
        return [{"option": value, "text": other if _is_other(question, value) else ""}]
    if isinstance(value, int | float):
        return [{"number": float(value)}]
    return [{"text": str(value)}]


def _is_other(question: QuestionDef, code: str) -> bool:
    return any(option.code == code and option.is_other for option in question.options)


async def submit(
    definition: Definition,
    answers: dict[str, Any],
    *,
    token: Token | None = None,
    session_id: int | None = None,
    respondent: str = "",
    today: date | None = None,
) -> Response:
    """Store a complete response. A used token is refused (TokenUsed); the token is marked used in the same
    transaction by a conditional update, so two tabs sending at once store one response."""
    anonymous = definition.anonymity == ANONYMOUS
    today = today or now_utc().date()
    async with transaction():
        if token is not None:
            if not await Token.filter(id=token.id, used_on=None).update(used_on=today, draft={}):
                raise TokenUsed({"token": _("This link has already been used to answer the survey.")})
            session_id = token.session_id
            if definition.anonymity == PERSONAL:
                respondent = respondent or token.email
        response = await Response.create(
            survey_id=definition.id,
            survey_version=definition.version,
            session_id=session_id,
            token_id=None if anonymous or token is None else token.id,
            respondent="" if anonymous else respondent,
            submitted_on=today,
        )
        rows: list[Answer] = []
        for question in definition.questions:
            for row in _rows(question, answers.get(question.code), answers.get(other_key(question.code)) or ""):
                rows.append(Answer(response_id=response.id, question_id=question.id, **row))
        await Answer.bulk_create(rows)
    return response


async def tag_answer(answer_id: int, survey_id: int, tags: str) -> None:
    cleaned = ", ".join(dict.fromkeys(t.strip() for t in tags.split(",") if t.strip()))[:200]
    async with transaction():
        if not await Answer.filter(id=answer_id, response__survey_id=survey_id).update(staff_tags=cleaned):
            raise SurveyError({"staff_tags": _("This answer does not exist.")})


async def definition_of(survey_id: int) -> Definition | None:
    survey = await Survey.get_or_none(id=survey_id)
    return await load(survey) if survey is not None else None
