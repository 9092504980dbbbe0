"""Refused input: FieldErrors (a sentence per field path in the reader's language) and BadBody, and `validate`,
which turns pydantic's errors into those sentences."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from agora.i18n import gettext as _

M = TypeVar("M", bound=BaseModel)


class FieldErrors(Exception):
    """Input refused: `errors` maps a field path ("email", "colleagues.1.email") to a message for the reader.

    `values` holds what was sent (as the model reads it), so that a form can show it again next to the errors.
    """

    def __init__(self, errors: dict[str, str], values: Mapping[str, Any] | None = None) -> None:
        super().__init__(errors)
        self.errors = errors
        self.values: dict[str, Any] = dict(values or {})


class BadBody(Exception):
    """A body that cannot be read at all (not JSON, not a form, nested too deep): answered 400 or 415."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _message(error: ErrorDetails) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return _("Please fill in this field.")
    if kind == "string_too_short":
        return _("Please enter at least %(min)s characters.", min=ctx.get("min_length"))
    if kind == "string_too_long":
        return _("Please keep this under %(max)s characters.", max=ctx.get("max_length"))
    if kind in ("too_long",):
        return _("Please choose at most %(max)s.", max=ctx.get("max_length"))
    if kind in ("too_short",):
        return _("Please choose at least %(min)s.", min=ctx.get("min_length"))
    if kind in ("greater_than_equal", "greater_than"):
        return _("Please enter a number of at least %(min)s.", min=ctx.get("ge", ctx.get("gt")))
    if kind in ("less_than_equal", "less_than"):
        return _("Please enter a number of at most %(max)s.", max=ctx.get("le", ctx.get("lt")))
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("Please enter a whole number.")
    if kind in ("float_parsing", "float_type", "finite_number", "decimal_parsing"):
        return _("Please enter a number.")
    if kind in ("literal_error", "enum"):
        return _("Please choose one of the options offered.")
    if kind in ("bool_parsing", "bool_type"):
        return _("Please answer yes or no.")
    if kind.startswith(("datetime", "date", "time")):
        return _("Please enter a valid date and time.")
    if kind.startswith("url"):
        return _("Please enter a web address starting with https://.")
    if kind in ("string_type", "string_unicode"):
        return _("Please enter text.")
    if kind in ("list_type", "tuple_type", "set_type"):
        return _("Please send a list here.")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _("Please send an object here.")
    return _("Please check this value.")


def _path(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "_body"


def _errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors(include_url=False, include_input=False):
        errors.setdefault(_path(error["loc"]), _message(error))
    return errors


def validate(model: type[M], data: Mapping[str, Any], **context: Any) -> M:
    """The typed input, or FieldErrors with every problem at once."""
    try:
        return model.model_validate(data, context=context or None)
    except ValidationError as exc:
        raise FieldErrors(_errors(exc), data) from None
