"""What the API endpoints share: the JSON envelope, the reader's language, body and query parsing, and the
mount that keeps every answer under /api/v1 in JSON (unknown paths and methods included)."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Router
from starlette.types import Message, Receive, Scope, Send

from agora import forms, i18n
from agora.i18n import gettext as _
from agora.security import RequestTooLarge
from agora.web import NotFound

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
NO_STORE = {"Cache-Control": "no-store"}


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


def ok(data: Any, status: int = 200, *, private: bool = False) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers=NO_STORE if private else None)


def failure(status: int, message: str, errors: dict[str, str] | None = None, **headers: str) -> JSONResponse:
    """An error answer: "error" (one sentence) always, "errors" (field -> message) for faulty fields."""
    body: dict[str, Any] = {"error": message}
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, headers={**NO_STORE, **headers})


def invalid(errors: dict[str, str]) -> JSONResponse:
    return failure(422, _("Please check the fields named in errors."), errors)


def not_found(message: str | None = None) -> JSONResponse:
    return failure(404, message or _("Not found."))


class BadBody(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


async def json_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object; BadBody carries the 415 or 400 answer otherwise."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
        raise BadBody(failure(415, _("Please send the body as JSON (Content-Type: application/json).")))
    raw = await request.body()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BadBody(failure(400, _("The body is not valid JSON."))) from None
    if not isinstance(data, dict):
        raise BadBody(failure(400, _("The body must be a JSON object.")))
    return data


def iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def parse_datetime(value: Any) -> datetime | None:
    """An ISO 8601 date-time with a time zone offset, or None when it is not one."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def http_error(exc: HTTPException) -> JSONResponse:
    if exc.status_code == 405:
        message = _("This address does not accept that method.")
    elif isinstance(exc, NotFound) and exc.message:
        message = exc.message
    else:
        message = _("Not found.")
    answer = failure(exc.status_code, message)
    answer.headers.update(exc.headers or {})
    return answer


async def _json_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return http_error(exc)


class ApiMount:
    """The ASGI app mounted at /api/v1.

    It sets the language from Accept-Language (the API has no language cookie), answers unknown paths and
    wrong methods in JSON, and turns an unexpected error into a JSON 500.
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

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        # A route's HTTPException (NotFound raised in an endpoint) is handled inside the route by the app's
        # handlers, which answer in HTML: under /api/v1 the answer is JSON.
        handlers, status_handlers = scope.get("starlette.exception_handlers", ({}, {}))
        scope = {**scope, "starlette.exception_handlers": ({**handlers, HTTPException: _json_error}, status_handlers)}
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
