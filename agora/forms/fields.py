"""Field types of the input models: text that the database and an export can hold, addresses, numbers, times,
choices, and limits declared once from the column."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import annotated_types
import email_validator
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from agora import i18n
from agora.i18n import gettext as _

MAX_FIELDS = 200
MAX_ID = 2**31 - 1  # the largest value an integer primary key holds on every supported database
MAX_JSON_DEPTH = 32
EMAIL_MAX = 254
PASSWORD_MAX = 1_000
URL_MAX = 500


# Tab, line feed and carriage return are text; every other C0 control, DEL and the C1 controls are not.
_CONTROL_IN_PARAGRAPH = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_ASCII_INTEGER = re.compile(r"\A[+-]?[0-9]{1,18}\Z")
_PLAIN_AMOUNT = re.compile(r"\A[+-]?[0-9]{1,12}(?:\.[0-9]{1,12})?\Z")


def _text_check(pattern: re.Pattern[str]) -> Callable[[str], str]:
    def check(value: str) -> str:
        if _SURROGATE.search(value):
            raise ValueError(_("This text contains characters that cannot be stored. Please type it again."))
        if pattern.search(value):
            raise ValueError(_("Please remove the invisible control characters from this text."))
        return value

    return check


check_line = _text_check(_CONTROL_IN_LINE)
check_paragraph = _text_check(_CONTROL_IN_PARAGRAPH)


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
        AfterValidator(check_line),
    )


def _plain_line_breaks(value: Any) -> Any:
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def Paragraph(max_length: int, min_length: int = 0) -> Rules:  # noqa: N802 - reads like a type
    """Text of several lines (a description, an answer); line breaks are kept, Windows ones made plain."""
    return Rules(
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(check_paragraph),
        BeforeValidator(_plain_line_breaks),
    )


def normalise_email(value: str) -> str:
    return value.strip().lower()


def _email(value: str) -> str:
    value = check_line(value.strip())
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
        AfterValidator(check_line),
        AfterValidator(_web_address),
        _SchemaExtra(anyOf=[{"pattern": "^[Hh][Tt][Tt][Pp][Ss]?://"}, {"maxLength": 0}]),
    )


# Passwords keep their spaces and are never stored as typed; control characters, which no keyboard types, and what
# cannot be encoded are refused like in any other line of text.
Password = Annotated[
    str,
    StringConstraints(strip_whitespace=False, max_length=PASSWORD_MAX),
    AfterValidator(check_line),
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


MONEY_MAX = Decimal("99999.99")
CENT = Decimal("0.01")


def _amount_of_text(text: str) -> Decimal:
    """ "25", "25,50", "1.234,50 €" as people in Germany write it, or "25.50"; a comma makes the dots thousands."""
    text = text.replace("€", "").replace("EUR", "").replace("\xa0", "").replace(" ", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    if not _PLAIN_AMOUNT.match(text):
        raise ValueError(_("Please enter an amount in euros, for example 25.00."))
    return Decimal(text)


def _money(value: Any) -> Decimal | None:
    """An amount in euros, zero or more, in cents, at most MONEY_MAX; empty text or null is none (free)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(_("Please enter an amount in euros, for example 25.00."))
    if isinstance(value, str) and len(value) <= 40:
        amount = _amount_of_text(value.strip())
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float) and math.isfinite(value):
        amount = Decimal(str(value))
    elif isinstance(value, Decimal) and value.is_finite():
        amount = value
    else:
        raise ValueError(_("Please enter an amount in euros, for example 25.00."))
    if amount < 0:
        raise ValueError(_("Please enter an amount of zero or more."))
    if amount > MONEY_MAX:
        raise ValueError(_("Please enter an amount of at most %(max)s.", max=i18n.format_money(MONEY_MAX)))
    try:
        cents = amount.quantize(CENT)
    except InvalidOperation:
        raise ValueError(_("Please enter an amount in euros, for example 25.00.")) from None
    if cents != amount:
        raise ValueError(_("Please enter the amount to the cent: at most two digits after the comma."))
    return cents


# An amount in euros that may be left empty (none: free of charge). A form sends text in German or English
# notation; JSON sends a number or the same text. Stored and returned exact (Decimal, two places).
OptionalMoney = Annotated[
    Decimal | None,
    BeforeValidator(_money),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": float(MONEY_MAX), "multipleOf": 0.01},
                {"type": "string", "pattern": "^[0-9.,]+( ?€)?$", "maxLength": 40},
                {"type": "null"},
            ]
        },
        mode="validation",
    ),
]


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
