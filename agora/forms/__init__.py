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

from agora.forms.bodies import (
    InputModel,
    form_data,
    form_rows,
    json_body,
    local_value,
    parse_form,
    parse_json,
    parse_query,
    read_form,
    row_input,
    validate_form,
)
from agora.forms.errors import BadBody, FieldErrors, validate
from agora.forms.fields import (
    EMAIL_MAX,
    MAX_FIELDS,
    MAX_ID,
    MAX_JSON_DEPTH,
    MONEY_MAX,
    PASSWORD_MAX,
    URL_MAX,
    Checkbox,
    Email,
    Id,
    Integer,
    Line,
    Moment,
    OneOf,
    OptionalEmail,
    OptionalMoment,
    OptionalMoney,
    Paragraph,
    Password,
    Rules,
    WebAddress,
    check_line,
    check_paragraph,
    column_length,
    max_lengths,
    normalise_email,
    valid_email,
)

__all__ = [
    "BadBody",
    "Checkbox",
    "EMAIL_MAX",
    "Email",
    "FieldErrors",
    "Id",
    "InputModel",
    "Integer",
    "Line",
    "MAX_FIELDS",
    "MAX_ID",
    "MAX_JSON_DEPTH",
    "MONEY_MAX",
    "Moment",
    "OneOf",
    "OptionalEmail",
    "OptionalMoment",
    "OptionalMoney",
    "PASSWORD_MAX",
    "Paragraph",
    "Password",
    "Rules",
    "URL_MAX",
    "WebAddress",
    "check_line",
    "check_paragraph",
    "column_length",
    "form_data",
    "form_rows",
    "json_body",
    "local_value",
    "max_lengths",
    "normalise_email",
    "parse_form",
    "parse_json",
    "parse_query",
    "read_form",
    "row_input",
    "valid_email",
    "validate",
    "validate_form",
]
