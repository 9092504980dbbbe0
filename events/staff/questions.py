"""The custom-question form shared by the series page and the agenda page of a session."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from agora.forms import checked, read_form
from agora.i18n import gettext as _
from agora.i18n import lazy_gettext
from agora.web import path_id, redirect, session_of
from events import services as event_services
from events.errors import EventError
from events.models import QUESTION_KINDS
from events.services import planning
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


Rerender = Callable[..., Awaitable[Response]]


async def add(request: Request, owner: dict[str, int], rerender: Rerender, back: str) -> Response:
    """Add a question to a series or a session (owner is series_id= or session_id=); bad input re-renders."""
    data, errors = read(await read_form(request))
    if not errors:
        try:
            await event_services.add_question(**owner, **data)
        except EventError as exc:
            errors = {f"q_{k}": v for k, v in exc.errors.items()}
    if errors:
        return await rerender(request, errors=errors, status=400)
    await session_of(request).flash(_("The question has been added."))
    return redirect(back)


async def delete(request: Request, owner: dict[str, int], back: str) -> Response:
    await planning.delete_question(path_id(request, "question_id"), **owner)
    await session_of(request).flash(_("The question has been removed."))
    return redirect(back)
