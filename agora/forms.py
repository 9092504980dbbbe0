"""Typed input: one pydantic model per use case, shared by the HTML form, the JSON API and the OpenAPI document.

A route parses its input with `parse_form` or `parse_json` into an `InputModel` subclass and hands the clean values
to a service. Text types refuse what the database or an export cannot hold (control characters, lone surrogates)
before it gets there; limits are declared once, from the column (`column_length`). Errors come back as
`FieldErrors`: a message per field path in the reader's language, shown next to the field on a page and as
`{"errors": {...}}` with status 422 in the API.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any, TypeVar, get_args, get_origin

import email_validator
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, ValidationError
from pydantic_core import ErrorDetails
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import ClientDisconnect, Request

from agora.i18n import gettext as _

MAX_FIELDS = 200
MAX_ID = 2**31 - 1  # the largest value an integer primary key holds on every supported database
MAX_JSON_DEPTH = 32
EMAIL_MAX = 254

M = TypeVar("M", bound=BaseModel)

# Tab, line feed and carriage return are text; every other C0 control, DEL and the C1 controls are not.
_CONTROL_IN_PARAGRAPH = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_ASCII_INTEGER = re.compile(r"\A[+-]?[0-9]{1,18}\Z")


class InputModel(BaseModel):
    """Base of every input model: strings stripped, numbers finite, unknown keys ignored."""

    model_config = ConfigDict(str_strip_whitespace=True, allow_inf_nan=False, extra="ignore")


class FieldErrors(Exception):
    """Input refused: `errors` maps a field path ("email", "colleagues.1.email") to a message for the reader."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


class BadBody(Exception):
    """A body that cannot be read at all (not JSON, not a form, nested too deep): answered 400 or 415."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _text_check(pattern: re.Pattern[str]) -> Callable[[str], str]:
    def check(value: str) -> str:
        if _SURROGATE.search(value):
            raise ValueError(_("This text contains characters that cannot be stored. Please type it again."))
        if pattern.search(value):
            raise ValueError(_("Please remove the invisible control characters from this text."))
        return value

    return check


_check_line = _text_check(_CONTROL_IN_LINE)
_check_paragraph = _text_check(_CONTROL_IN_PARAGRAPH)


def Line(max_length: int, min_length: int = 0) -> Any:  # noqa: N802 - used like a type
    """One line of text (a name, a title), stripped, at most max_length characters."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_check_line),
    ]


def Paragraph(max_length: int, min_length: int = 0) -> Any:  # noqa: N802 - used like a type
    """Text of several lines (a description, an answer); line breaks are kept, Windows ones made plain."""
    return Annotated[
        str,
        BeforeValidator(lambda v: v.replace("\r\n", "\n") if isinstance(v, str) else v),
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_check_paragraph),
    ]


def normalise_email(value: str) -> str:
    return value.strip().lower()


def _email(value: str) -> str:
    value = _check_line(value.strip())
    if not value:
        raise ValueError(_("Please enter your email address."))
    try:
        email_validator.validate_email(value, check_deliverability=False)
    except email_validator.EmailNotValidError:
        raise ValueError(_("Please enter a valid email address.")) from None
    return normalise_email(value)


def valid_email(value: str) -> str | None:
    """The normalised address, or None when it is not one; for code that checks an address outside a model."""
    try:
        return _email(value)
    except ValueError:
        return None


Email = Annotated[
    str,
    StringConstraints(max_length=EMAIL_MAX),
    AfterValidator(_email),
    Field(json_schema_extra={"format": "email"}),
]


def _ascii_integer(value: Any) -> Any:
    """Digits as people type them in ASCII only: int("٣") is 3 in Python, which an id must never be."""
    if isinstance(value, bool):
        raise ValueError(_("Please enter a whole number."))
    if isinstance(value, str):
        value = value.strip()
        if not _ASCII_INTEGER.match(value):
            raise ValueError(_("Please enter a whole number."))
        return int(value)
    return value


def Integer(minimum: int, maximum: int) -> Any:  # noqa: N802 - used like a type
    """A whole number within bounds, from ASCII digits (or a JSON integer)."""
    return Annotated[int, BeforeValidator(_ascii_integer), Field(ge=minimum, le=maximum)]


Id = Annotated[int, BeforeValidator(_ascii_integer), Field(ge=1, le=MAX_ID)]


def _checkbox(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip().lower() in ("on", "1", "true", "yes")
    return value


Checkbox = Annotated[bool, BeforeValidator(_checkbox)]


def column_length(model: Any, field: str) -> int:
    """The max_length of a Tortoise CharField: the one place a text limit is declared."""
    length = getattr(model._meta.fields_map[field], "max_length", None)
    if not isinstance(length, int):
        raise TypeError(f"{model.__name__}.{field} has no max_length")
    return length


# --- turning pydantic's errors into sentences for the reader --------------------------------------------------


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
        raise FieldErrors(_errors(exc)) from None


# --- reading request bodies ------------------------------------------------------------------------------------


def _is_list(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _is_list(get_args(annotation)[0])
    if origin in (list, tuple, set, frozenset):
        return True
    return any(_is_list(arg) for arg in get_args(annotation)) if origin is not None else False


def form_data(form: FormData, model: type[BaseModel]) -> dict[str, Any]:
    """The fields the model declares, by alias; lists for list fields, and nothing else of the form."""
    data: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        if _is_list(info.annotation):
            data[key] = [v for v in form.getlist(key) if isinstance(v, str | UploadFile)]
        elif key in form:
            data[key] = form.get(key)
    return data


async def read_form(request: Request, max_files: int = 0) -> FormData:
    """The posted form; BadBody when it cannot be read (a broken multipart body, too many fields)."""
    try:
        return await request.form(max_files=max_files, max_fields=MAX_FIELDS)
    except (MultiPartException, ClientDisconnect, UnicodeDecodeError, ValueError):
        raise BadBody(400, _("The form could not be read. Please reload the page and send it again.")) from None


async def parse_form(request: Request, model: type[M], *, max_files: int = 0, **context: Any) -> M:
    """A posted HTML form read into the model. Models with a `from_form(form)` classmethod shape the data
    themselves (rows of repeated fields, for example)."""
    form = await read_form(request, max_files=max_files)
    shape = getattr(model, "from_form", None)
    data = shape(form) if callable(shape) else form_data(form, model)
    return validate(model, data, **context)


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of decoded JSON, stopping early past the limit."""
    depth = 0
    level: list[Any] = [value]
    while level:
        children: list[Any] = []
        for item in level:
            if isinstance(item, dict):
                children.extend(item.values())
            elif isinstance(item, list):
                children.extend(item)
        if not children:
            return depth
        depth += 1
        if depth > limit:
            return depth
        level = children
    return depth


async def json_body(request: Request) -> Any:
    """The decoded JSON body; BadBody (415, 400) when it is not JSON or is nested deeper than MAX_JSON_DEPTH."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
        raise BadBody(415, _("Please send the body as JSON (Content-Type: application/json)."))
    raw = await request.body()
    try:
        data = json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise BadBody(400, _("The JSON body is nested too deeply.")) from None
    except (UnicodeDecodeError, ValueError):
        raise BadBody(400, _("The body is not valid JSON.")) from None
    if _depth(data, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise BadBody(400, _("The JSON body is nested too deeply."))
    return data


async def parse_json(request: Request, model: type[M], **context: Any) -> M:
    """A JSON object body read into the model (BadBody for a body that is not one, FieldErrors for its fields)."""
    data = await json_body(request)
    if not isinstance(data, dict):
        raise BadBody(400, _("The body must be a JSON object."))
    return validate(model, data, **context)


def parse_query(request: Request, model: type[M], **context: Any) -> M:
    """Query parameters read into the model, like a form."""
    params = request.query_params
    data: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        if _is_list(info.annotation):
            data[key] = params.getlist(key)
        elif key in params:
            data[key] = params[key]
    return validate(model, data, **context)


# --- the older field readers, kept while every form moves to a model --------------------------------------------


def text(form: FormData, name: str, max_length: int = 10_000) -> str:
    value = form.get(name)
    if not isinstance(value, str):
        return ""
    return value.strip()[:max_length]


def raw(form: FormData, name: str, max_length: int = 1_000) -> str:
    """Without stripping: passwords keep their spaces."""
    value = form.get(name)
    return value[:max_length] if isinstance(value, str) else ""


def checked(form: FormData, name: str) -> bool:
    return form.get(name) in ("on", "1", "true", "yes")


def many(form: FormData, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str)]
