"""The JSON API's kernel: declaring an endpoint with its models, the mount under /api/v1, the JSON envelope,
and the OpenAPI document built from the declarations.

A domain's api module lists its endpoints as `Operation`s:

    OPERATIONS = [
        api.get("/sessions", session_list, "listSessions", "Published sessions", query=SessionQuery,
                response=SessionPage, errors={400: "A query parameter is not valid."}),
        api.post("/sessions/{session_id}/registrations", register, "register", "Register for a session",
                 body=RegistrationInput, response=RegistrationCreated, status=201, ...),
    ]

The declared body and query models are the ones the endpoint gets: the route parses the request with them
before the handler runs (`handler(request, body=..., query=...)`), so the document cannot promise what the
endpoint does not accept. Responses are built from the declared response models, whose serialisation schema is
what the document shows. The composition root mounts every domain's operations with `mount(...)`, which also
serves /openapi.json.
"""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field
from pydantic.json_schema import models_json_schema
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Router
from starlette.types import Message, Receive, Scope, Send

from agora import forms, i18n
from agora.forms import MAX_ID, InputModel, Integer
from agora.i18n import gettext as _
from agora.security import RequestTooLarge
from agora.web import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE, PUBLIC, NotFound, api_token, page, path_id

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
NO_STORE = {"Cache-Control": "no-store"}
REF_TEMPLATE = "#/components/schemas/{model}"

Handler = Callable[..., Awaitable[Response]]


# --- the envelope ------------------------------------------------------------------------------------------


class ErrorOut(BaseModel):
    """Every error answer: one sentence, and for faulty fields a message per field path."""

    error: str
    errors: dict[str, str] | None = Field(
        default=None,
        description="Field path (name, colleagues.0.email, answers.12) -> message, in the language asked for.",
    )


class PageQuery(InputModel):
    """Paging of a list: ?page=1&per_page=25."""

    page: Annotated[int, Integer(1, MAX_PAGE)] = Field(default=1, description="Page number, from 1.")
    per_page: Annotated[int, Integer(1, MAX_PER_PAGE)] = Field(default=DEFAULT_PER_PAGE, description="Items per page.")


class PageMeta(BaseModel):
    page: int
    per_page: int
    total: int
    pages: int


def ok(data: BaseModel | dict[str, Any], status: int = 200, *, private: bool = False) -> JSONResponse:
    body = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
    return JSONResponse(body, status_code=status, headers=NO_STORE if private else None)


def failure(
    status: int, message: str, errors: dict[str, str] | None = None, *, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """An error answer: "error" (one sentence) always, "errors" (field -> message) for faulty fields."""
    body: dict[str, Any] = {"error": message}
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, headers={**NO_STORE, **(headers or {})})


def invalid(errors: dict[str, str]) -> JSONResponse:
    return failure(422, _("Please check the fields named in errors."), errors)


def not_found(message: str | None = None) -> JSONResponse:
    return failure(404, message or _("Not found."))


def language_of(header: str, supported: tuple[str, ...], default: str) -> str:
    """The best supported language of an Accept-Language header (q-values respected), else the default."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")[:20]):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        base = tag.strip().lower().split("-")[0]
        if base in supported and quality > 0:
            ranked.append((-quality, index, base))
    return min(ranked)[2] if ranked else default


# --- declaring endpoints -----------------------------------------------------------------------------------


SLUG = re.compile(r"[a-z0-9-]{1,120}")


def is_id_param(name: str) -> bool:
    return name == "id" or name.endswith("_id")


@dataclass(frozen=True)
class Operation:
    """One endpoint: its route, who may call it, what it reads and what it answers."""

    method: Literal["GET", "POST", "PATCH", "PUT", "DELETE"]
    path: str
    handler: Handler
    operation_id: str
    summary: str
    description: str = ""
    body: type[InputModel] | None = None
    query: type[InputModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    errors: dict[int, str] = field(default_factory=dict)
    scope: str | None = None  # the API token scope it needs; None: public
    response_description: str = ""

    @property
    def path_params(self) -> list[str]:
        return [part[1:-1] for part in self.path.split("/") if part.startswith("{") and part.endswith("}")]

    def route(self) -> BaseRoute:
        access = api_token(self.scope) if self.scope else PUBLIC
        return page(
            self.path,
            _parsing(self),
            access=access,
            methods=[self.method],
            csrf=False,
            name=f"api_{self.operation_id}",
        )


def _parsing(operation: Operation) -> Callable[[Request], Awaitable[Response]]:
    """The endpoint behind the route: the declared models parse the request before the handler sees it."""
    handler = operation.handler

    async def endpoint(request: Request) -> Response:
        arguments: dict[str, Any] = {}
        # A path parameter named like an id (*_id) that cannot be one answers 404 before the body is even read;
        # any other is a slug of lower-case letters, digits and hyphens.
        for name in operation.path_params:
            if is_id_param(name):
                path_id(request, name)
            elif not SLUG.fullmatch(request.path_params[name]):
                raise NotFound()
        if operation.query is not None:
            arguments["query"] = forms.parse_query(request, operation.query)
        if operation.body is not None:
            arguments["body"] = await forms.parse_json(request, operation.body)
        return await handler(request, **arguments)

    endpoint.__name__ = getattr(handler, "__name__", operation.operation_id)
    endpoint.__doc__ = handler.__doc__
    return endpoint


def _operation(method: Any, path: str, handler: Handler, operation_id: str, summary: str, **extra: Any) -> Operation:
    declared = Operation(method, path, handler, operation_id, summary, **extra)
    parameters = inspect.signature(handler).parameters
    for name in ("body", "query"):
        if (getattr(declared, name) is not None) != (name in parameters):
            raise TypeError(f"{operation_id}: declare {name}= and take it as a parameter, or neither")
    return declared


def get(path: str, handler: Handler, operation_id: str, summary: str, **extra: Any) -> Operation:
    return _operation("GET", path, handler, operation_id, summary, **extra)


def post(path: str, handler: Handler, operation_id: str, summary: str, **extra: Any) -> Operation:
    return _operation("POST", path, handler, operation_id, summary, **extra)


def patch(path: str, handler: Handler, operation_id: str, summary: str, **extra: Any) -> Operation:
    return _operation("PATCH", path, handler, operation_id, summary, **extra)


# --- the mount ---------------------------------------------------------------------------------------------


class ApiMount:
    """The ASGI app mounted at /api/v1.

    It sets the language from Accept-Language (the API has no language cookie), answers unknown paths and
    wrong methods in JSON, turns refused input into 400/415/422, and an unexpected error into a JSON 500.
    """

    def __init__(self, routes: list[BaseRoute]) -> None:
        self.router = Router(routes, default=self._not_found)

    @property
    def routes(self) -> list[BaseRoute]:
        return self.router.routes

    async def _not_found(self, scope: Scope, receive: Receive, send: Send) -> None:
        await not_found()(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.router(scope, receive, send)
            return
        settings = scope["app"].state.settings
        header = ""
        for key, value in scope.get("headers") or []:
            if key == b"accept-language":
                header = value.decode("latin-1")
        token = i18n.current_locale.set(language_of(header, settings.languages, settings.default_language))
        started = False
        # Refused input and NotFound raised inside an endpoint meet the app's handlers first (Starlette runs them
        # around each route), which answer with an HTML page: under /api/v1 the answer is JSON.
        handlers, status_handlers = scope.get("starlette.exception_handlers", ({}, {}))
        scope = {
            **scope,
            "starlette.exception_handlers": (
                {**handlers, HTTPException: _refused, forms.BadBody: _refused, forms.FieldErrors: _refused},
                status_handlers,
            ),
        }

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.router(scope, receive, tracking_send)
        except HTTPException as exc:
            if started:
                raise
            await http_error(exc)(scope, receive, send)
        except RequestTooLarge:
            raise
        except (forms.BadBody, forms.FieldErrors) as exc:
            if started:
                raise
            if isinstance(exc, forms.BadBody):
                answer = failure(exc.status, exc.message)
            else:
                answer = invalid(exc.errors)
            await answer(scope, receive, send)
        except Exception:
            if started:
                raise
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            answer = failure(500, _("An unexpected error occurred. Please try again later."))
            await answer(scope, receive, send)
        finally:
            i18n.current_locale.reset(token)


def http_error(exc: HTTPException) -> JSONResponse:
    """404 (a NotFound carries its own sentence), 405 and the like as the API's JSON error."""
    if exc.status_code == 405:
        message = _("This address does not accept that method.")
    elif isinstance(exc, NotFound) and exc.message:
        message = exc.message
    else:
        message = _("Not found.")
    return failure(exc.status_code, message, headers=exc.headers)


async def _refused(request: Request, exc: Exception) -> Response:
    if isinstance(exc, HTTPException):
        return http_error(exc)
    if isinstance(exc, forms.BadBody):
        return failure(exc.status, exc.message)
    assert isinstance(exc, forms.FieldErrors)
    return invalid(exc.errors)


def mount(operations: Sequence[Operation]) -> Mount:
    """Every domain's endpoints under /api/v1, with the OpenAPI document that describes them."""

    async def openapi_json(request: Request) -> Response:
        return ok(document(described, request.app.state.settings.base_url))

    described = [
        *operations,
        get(
            "/openapi.json",
            openapi_json,
            "openapi",
            "This document",
            response_description="The OpenAPI document.",
        ),
    ]
    return Mount(PREFIX, app=ApiMount([op.route() for op in described]), name="api")


# --- the OpenAPI document ----------------------------------------------------------------------------------

ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
SLUG_SCHEMA = {"type": "string", "pattern": "^[a-z0-9-]{1,120}$"}
LANGUAGE = {"$ref": "#/components/parameters/AcceptLanguage"}
BODY_ERRORS = {
    400: "The body is not valid JSON, not a JSON object, or nested too deeply.",
    415: "The body is not sent as application/json.",
    422: "Fields are missing or not valid (see errors).",
}
QUERY_ERRORS = {422: "A query parameter is not valid (see errors)."}
TOKEN_ERRORS = {
    401: "No API token, or one that is unknown, expired or revoked (see WWW-Authenticate).",
    403: "The API token lacks a scope this operation needs.",
}


def _schemas(operations: Iterable[Operation]) -> tuple[dict[tuple[type[BaseModel], str], Any], dict[str, Any]]:
    wanted: set[tuple[type[BaseModel], Literal["validation", "serialization"]]] = {(ErrorOut, "serialization")}
    for op in operations:
        if op.body is not None:
            wanted.add((op.body, "validation"))
        if op.response is not None:
            wanted.add((op.response, "serialization"))
    ordered = sorted(wanted, key=lambda pair: (pair[0].__name__, pair[1]))
    refs, definitions = models_json_schema(ordered, ref_template=REF_TEMPLATE)
    found: dict[tuple[type[BaseModel], str], Any] = {}
    for (model, mode), schema in refs.items():
        if isinstance(model, type) and issubclass(model, BaseModel):
            found[(model, mode)] = schema
    return found, definitions.get("$defs", {})


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _query_parameters(model: type[InputModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=REF_TEMPLATE)
    required = set(schema.get("required", []))
    parameters = []
    for name, spec in schema.get("properties", {}).items():
        spec = dict(spec)
        description = spec.pop("description", "")
        spec.pop("title", None)
        parameter: dict[str, Any] = {"name": name, "in": "query", "required": name in required, "schema": spec}
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


def _describe(op: Operation, refs: dict[tuple[type[BaseModel], str], Any]) -> dict[str, Any]:
    error = refs[(ErrorOut, "serialization")]
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": ID_SCHEMA if is_id_param(name) else SLUG_SCHEMA}
        for name in op.path_params
    ]
    parameters.append(LANGUAGE)
    if op.query is not None:
        parameters.extend(_query_parameters(op.query))
    described: dict[str, Any] = {"operationId": op.operation_id, "summary": op.summary}
    if op.description:
        described["description"] = op.description
    described["parameters"] = parameters
    if op.scope:
        described["security"] = [{"bearerAuth": [op.scope]}]
    if op.body is not None:
        described["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(op.body, "validation")]}},
        }
    answer = op.response_description or op.summary
    if op.response is not None:
        responses: dict[str, Any] = {str(op.status): _json(refs[(op.response, "serialization")], answer)}
    else:
        responses = {str(op.status): {"description": answer, "content": {"application/json": {}}}}
    errors = {
        **(BODY_ERRORS if op.body is not None else {}),
        **(QUERY_ERRORS if op.query is not None else {}),
        **(TOKEN_ERRORS if op.scope else {}),
        **op.errors,
    }
    for status, text in sorted(errors.items()):
        responses[str(status)] = _json(error, text)
    described["responses"] = responses
    return described


def document(operations: Sequence[Operation], base_url: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the given endpoints, their models' schemas in components."""
    refs, schemas = _schemas(operations)
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        paths.setdefault(op.path, {})[op.method.lower()] = _describe(op, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Agora API",
            "version": "1.0.0",
            "description": (
                "Public reads and registration, and staff endpoints for integrations. Error messages follow "
                "Accept-Language (de or en; German by default)."
            ),
        },
        "servers": [{"url": base_url.rstrip("/") + PREFIX}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": {
                "AcceptLanguage": {
                    "name": "Accept-Language",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string", "examples": ["de", "en"]},
                    "description": "Language of the messages: de or en; German when neither is asked for.",
                }
            },
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "agora_<43 characters>",
                    "description": "An API token created by an administrator or organiser in the staff area "
                    "(Staff > API tokens), with the scopes the operation names.",
                }
            },
        },
    }
