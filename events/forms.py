"""Reading the public registration and manage forms into the arguments of the events services.

Parsing only: the rules (required answers, valid addresses, colleagues, tracks, capacity) live in
events.services.validation, so that the pages and the JSON API refuse the same input with the same words.
A few checks the services cannot see (a track id that is not a number) become field errors here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from agora.forms import checked, many, text
from agora.i18n import gettext as _
from agora.i18n import lazy_gettext
from events.models import CHECKBOXES, Question

# The consent shown next to the box; its version is recorded with every registration, so a new wording
# needs a new version.
CONSENT_VERSION = "2026-11"
CONSENT_TEXT = lazy_gettext(
    "I agree that the economic-development agency stores my details and answers to organise this session "
    "and to contact me about it. They are deleted after the session according to the privacy policy."
)
# Empty rows offered beyond max_colleagues are ignored; rows past this bound are never read.
COLLEAGUE_ROWS_MAX = 20


@dataclass
class RegistrationInput:
    name: str = ""
    email: str = ""
    organisation: str = ""
    role: str = ""
    answers: dict[str, Any] = field(default_factory=dict)
    colleagues: list[dict[str, str]] = field(default_factory=list)
    track_id: int | None = None
    consent: bool = False
    errors: dict[str, str] = field(default_factory=dict)

    def values(self) -> dict[str, Any]:
        """What the form shows again after a refusal."""
        return {
            "name": self.name,
            "email": self.email,
            "organisation": self.organisation,
            "role": self.role,
            "answers": self.answers,
            "colleagues": self.colleagues,
            "track_id": self.track_id,
            "consent": self.consent,
        }


def read_answers(form: FormData, questions: list[Question]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for question in questions:
        name = f"question_{question.id}"
        if question.kind == CHECKBOXES:
            answers[str(question.id)] = [v[:500] for v in many(form, name)[:50]]
        else:
            answers[str(question.id)] = text(form, name, 4000)
    return answers


def read_colleagues(form: FormData, offered: int) -> tuple[list[dict[str, str]], dict[str, str]]:
    """Rows colleague_<i>_name / colleague_<i>_email; a filled row beyond the offered ones is refused."""
    rows: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    for index in range(COLLEAGUE_ROWS_MAX):
        name = text(form, f"colleague_{index}_name", 200)
        email = text(form, f"colleague_{index}_email", 254)
        if index >= offered and (name or email):
            errors["colleagues"] = _("You can bring at most %(max)s colleagues to this session.", max=offered)
        rows.append({"name": name, "email": email})
    # Trailing empty rows are noise from the form; keep the index of the filled ones for field errors.
    while rows and not rows[-1]["name"] and not rows[-1]["email"]:
        rows.pop()
    return rows, errors


def read_registration(
    form: FormData, questions: list[Question], *, max_colleagues: int, has_tracks: bool
) -> RegistrationInput:
    data = RegistrationInput(
        name=text(form, "name", 300),
        email=text(form, "email", 300),
        organisation=text(form, "organisation", 300),
        role=text(form, "role", 300),
        answers=read_answers(form, questions),
        consent=checked(form, "consent"),
    )
    data.colleagues, data.errors = read_colleagues(form, max_colleagues)
    if has_tracks:
        raw = text(form, "track", 12)
        if raw.isdigit() and len(raw) <= 10:
            data.track_id = int(raw)
        elif raw:
            data.errors["track"] = _("Please choose one of the tracks offered.")
    return data


def read_details(form: FormData, questions: list[Question]) -> dict[str, Any]:
    """The manage page's edit form."""
    return {
        "name": text(form, "name", 300),
        "organisation": text(form, "organisation", 300),
        "role": text(form, "role", 300),
        "answers": read_answers(form, questions),
    }
