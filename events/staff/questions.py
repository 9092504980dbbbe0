"""The custom-question form shared by the series page and the agenda page of a session."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

from agora.forms import checked
from agora.i18n import gettext as _
from agora.i18n import lazy_gettext
from events.models import QUESTION_KINDS
from events.staff.forms import Reader

KIND_LABELS = {
    "text": lazy_gettext("Text"),
    "choice": lazy_gettext("One choice"),
    "checkboxes": lazy_gettext("Several choices"),
    "number": lazy_gettext("Number"),
}


def read(form: FormData) -> tuple[dict[str, Any], dict[str, str]]:
    """The question's fields, and errors keyed by the form's field names (q_...)."""
    reader = Reader(form)
    label = reader.text("q_label", 300)
    kind = reader.choice("q_kind", QUESTION_KINDS, _("Please choose a kind of question."))
    options = [line.strip() for line in reader.text("q_options", 5_000).splitlines() if line.strip()]
    position = reader.integer("q_position", maximum=1000, default=0)
    if not label:
        reader.errors["q_label"] = _("Please enter the question.")
    return (
        {
            "label": label,
            "kind": kind,
            "options": options,
            "required": checked(form, "q_required"),
            "position": position,
        },
        reader.errors,
    )
