"""Checking registration input: person, colleagues, track and the answers to the custom questions."""

from __future__ import annotations

from typing import Any

from agora.accounts.services import normalise_email, validate_email
from agora.i18n import gettext as _
from events.errors import EventError
from events.models import CHECKBOXES, CHOICE, NUMBER, Question, Session, Track

MAX_ANSWER = 2000


async def questions_for(session: Session) -> list[Question]:
    """The session's own questions after those of its series, in their order."""
    series_questions = (
        await Question.filter(series_id=session.series_id).order_by("position", "id")  # type: ignore[attr-defined]
        if session.series_id  # type: ignore[attr-defined]
        else []
    )
    own = await Question.filter(session_id=session.id).order_by("position", "id")
    return [*series_questions, *own]


def clean_answers(questions: list[Question], answers: dict[str, Any], errors: dict[str, str], *, strict: bool) -> dict:
    """Answers keyed by question id (as text). strict=False (staff) lets required questions stay empty."""
    cleaned: dict[str, Any] = {}
    for question in questions:
        key = str(question.id)
        field = f"question_{question.id}"
        value = answers.get(key)
        if question.kind == CHECKBOXES:
            chosen = [v for v in (value if isinstance(value, list) else [value] if value else []) if isinstance(v, str)]
            if any(v not in question.options for v in chosen):
                errors[field] = _("Please choose only from the options offered.")
            elif not chosen and question.required and strict:
                errors[field] = _("Please choose at least one option.")
            else:
                cleaned[key] = chosen
            continue
        text = value.strip() if isinstance(value, str) else "" if value is None else str(value).strip()
        if not text:
            if question.required and strict:
                errors[field] = _("Please answer this question.")
            continue
        if len(text) > MAX_ANSWER:
            errors[field] = _("Please keep your answer under %(max)s characters.", max=MAX_ANSWER)
        elif question.kind == CHOICE and text not in question.options:
            errors[field] = _("Please choose one of the options offered.")
        elif question.kind == NUMBER:
            try:
                number = float(text.replace(",", "."))
            except ValueError:
                errors[field] = _("Please enter a number.")
            else:
                cleaned[key] = int(number) if number.is_integer() else number
        else:
            cleaned[key] = text
    return cleaned


def clean_colleagues(session: Session, colleagues: list[dict[str, str]], errors: dict[str, str]) -> list[dict]:
    cleaned: list[dict[str, str]] = []
    for index, colleague in enumerate(colleagues or []):
        name = str(colleague.get("name", "")).strip()[:200]
        email = normalise_email(str(colleague.get("email", "")))[:254]
        if not name and not email:
            continue
        if not name:
            errors[f"colleague_{index}_name"] = _("Please enter the name of your colleague.")
        if email and validate_email(email):
            errors[f"colleague_{index}_email"] = _("Please enter a valid email address.")
        cleaned.append({"name": name, "email": email})
    if len(cleaned) > session.max_colleagues:
        errors["colleagues"] = _(
            "You can bring at most %(max)s colleagues to this session.", max=session.max_colleagues
        )
    return cleaned


async def clean_track(session: Session, track_id: int | None, errors: dict[str, str]) -> int | None:
    tracks = await Track.filter(session_id=session.id).values_list("id", flat=True)
    if not tracks:
        return None
    if track_id is None:
        errors["track"] = _("Please choose a workshop track.")
        return None
    if track_id not in tracks:
        errors["track"] = _("Please choose one of the tracks offered.")
        return None
    return track_id


def clean_person(name: str, email: str, organisation: str, role: str, errors: dict[str, str]) -> dict[str, str]:
    name = (name or "").strip()
    email = normalise_email(email or "")
    if not name:
        errors["name"] = _("Please enter your name.")
    elif len(name) > 200:
        errors["name"] = _("Please keep your name under 200 characters.")
    problem = validate_email(email)
    if problem:
        errors["email"] = problem
    return {
        "name": name[:200],
        "email": email,
        "organisation": (organisation or "").strip()[:200],
        "role": (role or "").strip()[:200],
    }


def require(condition: bool, field: str, message: str) -> None:
    if not condition:
        raise EventError({field: message})
