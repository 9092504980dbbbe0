"""Typed input: one pydantic model per use case, shared by the HTML form, the JSON API and the OpenAPI document.

A route parses its input with `parse_form` or `parse_json` into an `InputModel` subclass and hands the clean values
to a service. Text types refuse what the database or an export cannot hold (control characters, lone surrogates)
before it gets there; limits are declared once, from the column (`column_length`). Errors come back as
`FieldErrors`: a message per field path in the reader's language, shown next to the field on a page and as
`{"errors": {...}}` with status 422 in the API.

A model whose HTML form is not a plain list of its fields (rows of repeated inputs, answers named after their
question) says so with two classmethods: `from_form(form)` shapes the posted form into the model's data, and
`form_field(path)` names the form's input for an error path ("colleagues.0.email" -> "colleague_0_email").

Fields are declared the way pydantic and mypy both read them:

    class SeriesInput(InputModel):
        title: Annotated[str, Line(column_length(Series, "title"), min_length=1)]
        contact_email: OptionalEmail = ""
        default_capacity: Annotated[int, Integer(0, 100_000)] = 30
        kind: Annotated[str, OneOf(*KINDS)] = "dialogue"
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Annotated, Any, TypeVar, get_args, get_origin

import annotated_types
import email_validator
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
    ValidationError,
    ValidationInfo,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, ErrorDetails, PydanticCustomError
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import ClientDisconnect, Request

from agora import i18n
from agora.i18n import gettext as _

MAX_FIELDS = 200
MAX_ID = 2**31 - 1  # the largest value an integer primary key holds on every supported database
MAX_JSON_DEPTH = 32
EMAIL_MAX = 254
PASSWORD_MAX = 1_000
URL_MAX = 500

M = TypeVar("M", bound=BaseModel)

# Tab, line feed and carriage return are text; every other C0 control, DEL and the C1 controls are not.
_CONTROL_IN_PARAGRAPH = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_ASCII_INTEGER = re.compile(r"\A[+-]?[0-9]{1,18}\Z")


class InputModel(BaseModel):
    """Base of every input model: strings stripped, numbers finite, unknown keys ignored."""

    model_config = ConfigDict(str_strip_whitespace=True, allow_inf_nan=False, extra="ignore")

    @classmethod
    def from_form(cls, form: FormData) -> dict[str, Any]:
        """The model's data in a posted form: by default one input per field (lists for list fields)."""
        return form_data(form, cls)

    @classmethod
    def form_field(cls, path: str) -> str:
        """The name of the form input an error path belongs to: a field's own ("roles.1" -> "roles")."""
        return path.split(".")[0]


def form_rows(form: FormData, prefix: str, keys: tuple[str, ...], count: int) -> list[dict[str, Any]]:
    """Rows of repeated inputs (`colleague_0_name`, `colleague_0_email`, ...), trailing empty rows dropped."""
    rows = [{key: form.get(f"{prefix}_{index}_{key}") or "" for key in keys} for index in range(count)]
    while rows and not any(rows[-1].values()):
        rows.pop()
    return rows


def row_input(path: str, field: str, prefix: str) -> str | None:
    """The input of a row error ("colleagues.1.email" -> "colleague_1_email"), None when the path is not a row's."""
    parts = path.split(".")
    if parts[0] == field and len(parts) == 3:
        return f"{prefix}_{parts[1]}_{parts[2]}"
    return None


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


class Rules(annotated_types.GroupedMetadata):
    """Several pieces of pydantic metadata under one name, for `Annotated[str, Line(200)]`."""

    def __init__(self, *items: Any) -> None:
        self.items = items

    def __iter__(self) -> Iterator[Any]:
        yield from self.items


class _SchemaExtra:
    """Adds keys to a field's JSON schema (an enum, a pattern) without changing its validation."""

    def __init__(self, **extra: Any) -> None:
        self.extra = extra

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return {**handler(schema), **self.extra}


def Line(max_length: int, min_length: int = 0) -> Rules:  # noqa: N802 - reads like a type
    """One line of text (a name, a title), stripped, at most max_length characters: `Annotated[str, Line(200)]`."""
    return Rules(
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_check_line),
    )


def _plain_line_breaks(value: Any) -> Any:
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def Paragraph(max_length: int, min_length: int = 0) -> Rules:  # noqa: N802 - reads like a type
    """Text of several lines (a description, an answer); line breaks are kept, Windows ones made plain."""
    return Rules(
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_check_paragraph),
        BeforeValidator(_plain_line_breaks),
    )


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


def _optional_email(value: str) -> str:
    return _email(value) if value.strip() else ""


# An address that may be left empty (a contact address of a series); when given, the one rule applies.
OptionalEmail = Annotated[
    str,
    StringConstraints(max_length=EMAIL_MAX),
    AfterValidator(_optional_email),
    Field(json_schema_extra={"anyOf": [{"format": "email"}, {"maxLength": 0}]}),
]


def _web_address(value: str) -> str:
    if value and not value.lower().startswith(("https://", "http://")):
        raise ValueError(_("Please enter a web address starting with https://."))
    return value


def WebAddress(max_length: int = URL_MAX) -> Rules:  # noqa: N802 - reads like a type
    """An http(s) address, or empty: `Annotated[str, WebAddress(500)]`."""
    return Rules(
        StringConstraints(strip_whitespace=True, max_length=max_length),
        AfterValidator(_check_line),
        AfterValidator(_web_address),
        _SchemaExtra(anyOf=[{"pattern": "^[Hh][Tt][Tt][Pp][Ss]?://"}, {"maxLength": 0}]),
    )


# Passwords keep their spaces and are never stored as typed; control characters, which no keyboard types, and what
# cannot be encoded are refused like in any other line of text.
Password = Annotated[
    str,
    StringConstraints(strip_whitespace=False, max_length=PASSWORD_MAX),
    AfterValidator(_check_line),
    Field(json_schema_extra={"format": "password"}),
]


def OneOf(*values: str) -> Rules:  # noqa: N802 - reads like a type
    """One of the given words (a kind, a status): `Annotated[str, OneOf(*KINDS)]`; anything else is refused with
    "choose one of the options"."""
    allowed = tuple(values)

    def check(value: str) -> str:
        if value not in allowed:
            raise PydanticCustomError("literal_error", "not one of the options")
        return value

    return Rules(AfterValidator(check), _SchemaExtra(enum=list(allowed)))


def _moment(value: Any, info: ValidationInfo) -> Any:
    """An aware date and time. A form's datetime-local value has no offset: it is read as wall time in the
    configured zone; a JSON body must carry its offset (RFC 3339), as the OpenAPI document says. An empty
    form input is no time (None)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and len(value) <= 40:
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(_("Please enter a date and time.")) from None
    else:
        raise ValueError(_("Please enter a date and time."))
    if not 1900 < moment.year < 3000:
        raise ValueError(_("Please enter a date and time."))
    if moment.tzinfo is None:
        if not (info.context or {}).get("form"):
            raise ValueError(_("Please give a date and time with a time zone (ISO 8601)."))
        moment = moment.replace(tzinfo=i18n.local_zone())
    return moment


Moment = Annotated[datetime, BeforeValidator(_moment), Field(json_schema_extra={"format": "date-time"})]
# Optional as one type, so that the validator turns an empty form input into None before the union is tried.
OptionalMoment = Annotated[datetime | None, BeforeValidator(_moment), Field(json_schema_extra={"format": "date-time"})]


def _from_text(info: ValidationInfo) -> bool:
    """Whether the input is text by nature (a form, a query string) rather than typed JSON."""
    return bool((info.context or {}).get("form"))


def _ascii_integer(value: Any, info: ValidationInfo) -> Any:
    """Digits as people type them in ASCII only: int("٣") is 3 in Python, which an id must never be. A JSON body
    sends numbers as numbers, as the OpenAPI document says; text is for forms and query strings."""
    if isinstance(value, bool) or (isinstance(value, str) and not _from_text(info)):
        raise ValueError(_("Please enter a whole number."))
    if isinstance(value, str):
        value = value.strip()
        if not _ASCII_INTEGER.match(value):
            raise ValueError(_("Please enter a whole number."))
        return int(value)
    return value


def Integer(minimum: int, maximum: int) -> Rules:  # noqa: N802 - reads like a type
    """A whole number within bounds, from ASCII digits (or a JSON integer): `Annotated[int, Integer(0, 100)]`."""
    # The before-validator comes last so that it wraps the bounds and the schema still shows them.
    return Rules(annotated_types.Ge(minimum), annotated_types.Le(maximum), BeforeValidator(_ascii_integer))


Id = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(_ascii_integer)]


def _checkbox(value: Any, info: ValidationInfo) -> Any:
    """A ticked box sends "on"; JSON sends true or false and nothing else. Any other text is refused rather than
    read as either, so a stray value never flips a setting."""
    if isinstance(value, str) and _from_text(info):
        text = value.strip().lower()
        if text in _TICKED or text in _UNTICKED:
            return text in _TICKED
        raise ValueError(_("Please answer yes or no."))
    if not isinstance(value, bool):
        raise ValueError(_("Please answer yes or no."))
    return value


_TICKED = ("on", "1", "true", "yes")
_UNTICKED = ("", "off", "0", "false", "no")
Checkbox = Annotated[bool, BeforeValidator(_checkbox)]


def column_length(model: Any, field: str) -> int:
    """The max_length of a Tortoise CharField: the one place a text limit is declared."""
    length = getattr(model._meta.fields_map[field], "max_length", None)
    if not isinstance(length, int):
        raise TypeError(f"{model.__name__}.{field} has no max_length")
    return length


def max_lengths(model: type[BaseModel]) -> dict[str, int]:
    """Each text field's limit, for the maxlength attributes of the model's form."""
    properties = model.model_json_schema().get("properties", {})
    return {name: spec["maxLength"] for name, spec in properties.items() if isinstance(spec.get("maxLength"), int)}


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
        raise FieldErrors(_errors(exc), data) from None


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


def _blank(model: type[BaseModel]) -> dict[str, Any]:
    """Every field of a form, so that showing it again never meets a missing value: defaults, else empty."""
    blank: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        try:
            default = "" if info.is_required() else info.get_default(call_default_factory=True)
        except ValidationError:  # a nested model with required fields has no empty default
            default = {}
        blank[info.alias or name] = default.model_dump(by_alias=True) if isinstance(default, BaseModel) else default
    return blank


def validate_form(form: FormData, model: type[M], *, prefix: str = "", **context: Any) -> M:
    """An already read form into the model; errors are named after the form's inputs. With a prefix, the model
    reads the inputs named prefix + field (one of several small forms on a page: "track_7_title")."""
    if prefix:
        form = FormData([(key.removeprefix(prefix), v) for key, v in form.multi_items() if key.startswith(prefix)])
    shape = getattr(model, "from_form", None)
    data = shape(form) if callable(shape) else form_data(form, model)
    try:
        return validate(model, data, form=True, **context)
    except FieldErrors as exc:
        name = getattr(model, "form_field", None)
        renamed: dict[str, str] = {}
        for path, message in exc.errors.items():
            renamed.setdefault(prefix + (name(path) if callable(name) else path), message)
        exc.errors = renamed
        exc.values = {prefix + key: value for key, value in {**_blank(model), **exc.values}.items()}
        raise


async def parse_form(request: Request, model: type[M], *, max_files: int = 0, prefix: str = "", **context: Any) -> M:
    """A posted HTML form read into the model (see InputModel.from_form and form_field)."""
    return validate_form(await read_form(request, max_files=max_files), model, prefix=prefix, **context)


def local_value(moment: datetime | None) -> str:
    """A time as a datetime-local input shows it: wall time in the configured zone (read back by Moment)."""
    if moment is None:
        return ""
    return moment.astimezone(i18n.local_zone()).strftime("%Y-%m-%dT%H:%M")


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
    """Query parameters read into the model, like a form (text by nature)."""
    params = request.query_params
    data: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        if _is_list(info.annotation):
            data[key] = params.getlist(key)
        elif key in params:
            data[key] = params[key]
    return validate(model, data, form=True, **context)
