"""Reading request bodies into input models: HTML forms (with repeated rows and prefixed inputs), JSON bodies
with a nesting limit, and query strings."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, TypeVar, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import ClientDisconnect, Request

from agora import i18n
from agora.forms.errors import BadBody, FieldErrors, validate
from agora.forms.fields import MAX_FIELDS, MAX_JSON_DEPTH
from agora.i18n import gettext as _

M = TypeVar("M", bound=BaseModel)


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
