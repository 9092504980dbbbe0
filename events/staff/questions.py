"""The custom-question form shared by the series page and the agenda page of a session."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from agora.forms import FieldErrors, parse_form
from agora.i18n import gettext as _
from agora.i18n import lazy_gettext
from agora.web import path_id, redirect, session_of
from events import services as event_services
from events.errors import EventError
from events.forms import QuestionInput
from events.services import planning

KIND_LABELS = {
    "text": lazy_gettext("Text"),
    "choice": lazy_gettext("One choice"),
    "checkboxes": lazy_gettext("Several choices"),
    "number": lazy_gettext("Number"),
}


Rerender = Callable[..., Awaitable[Response]]


async def add(
    request: Request, rerender: Rerender, back: str, *, series_id: int | None = None, session_id: int | None = None
) -> Response:
    """Add a question to a series or a session; bad input re-renders."""
    try:
        data = await parse_form(request, QuestionInput, prefix="q_")
        await event_services.add_question(series_id=series_id, session_id=session_id, **data.fields())
    except FieldErrors as exc:
        errors = exc.errors
    except EventError as exc:
        errors = {f"q_{k}": v for k, v in exc.errors.items()}
    else:
        errors = {}
    if errors:
        return await rerender(request, errors=errors, status=400)
    await session_of(request).flash(_("The question has been added."))
    return redirect(back)


async def delete(request: Request, owner: dict[str, int], back: str) -> Response:
    await planning.delete_question(path_id(request, "question_id"), **owner)
    await session_of(request).flash(_("The question has been removed."))
    return redirect(back)
