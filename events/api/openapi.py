"""The OpenAPI 3.1 description of /api/v1, written by hand next to the endpoints it describes.

A test validates it against the OpenAPI schema and checks that every /api/v1 route of the app is in it.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from agora.web import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE
from events.api.common import ok
from events.models import (
    AGENDA_KINDS,
    PENDING_CONFIRMATION,
    QUESTION_KINDS,
    REGISTRATION_STATUSES,
    SESSION_KINDS,
    SESSION_STATUSES,
    WAITLISTED,
)
from events.services.limits import REGISTRATION_LIMIT


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str, **extra: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], **extra}


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
DATETIME = {"type": "string", "format": "date-time"}
NULLABLE_DATETIME = _nullable("string", format="date-time")


def _object(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties, **extra}
    if required is not None:
        schema["required"] = required
    return schema


def _page_of(item: str) -> dict[str, Any]:
    return _object(
        {
            "items": {"type": "array", "items": _ref(item)},
            "page": INTEGER,
            "per_page": INTEGER,
            "total": INTEGER,
            "pages": INTEGER,
        },
        ["items", "page", "per_page", "total", "pages"],
    )


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


SESSION_ID = {
    "name": "session_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1},
}
LANGUAGE = {"$ref": "#/components/parameters/AcceptLanguage"}
PAGING = [
    _query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}, "Page number, from 1."),
    _query(
        "per_page",
        {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE},
        "Items per page.",
    ),
]
UNAUTHORISED = {
    "401": _error("No API token, or one that is unknown, expired or revoked (see WWW-Authenticate)."),
    "403": _error("The API token lacks a scope this operation needs."),
}
VENUE = _object({"name": STRING, "address": STRING, "room": STRING, "accessibility": STRING})
SESSION_INPUT = {
    "kind": {"type": "string", "enum": list(SESSION_KINDS)},
    "title": {"type": "string", "maxLength": 200},
    "description": {"type": "string", "description": "Markdown."},
    "starts_at": DATETIME,
    "ends_at": DATETIME,
    "venue_name": STRING,
    "venue_address": STRING,
    "venue_room": STRING,
    "venue_accessibility": STRING,
    "online_url": {"type": "string", "description": "https:// address of the online part, or empty."},
    "contact_email": STRING,
    "capacity": {"type": "integer", "minimum": 0},
    "max_colleagues": {"type": "integer", "minimum": 0},
    "requires_approval": BOOLEAN,
    "registration_opens_at": NULLABLE_DATETIME,
    "registration_closes_at": NULLABLE_DATETIME,
    "cancel_deadline": NULLABLE_DATETIME,
}

SCHEMAS: dict[str, Any] = {
    "Error": _object(
        {
            "error": STRING,
            "errors": {
                "type": "object",
                "additionalProperties": STRING,
                "description": "Field name -> message, in the requested language.",
            },
        },
        ["error"],
    ),
    "Series": _object(
        {
            "id": INTEGER,
            "title": STRING,
            "description": STRING,
            "office": STRING,
            "contact_email": STRING,
            "venue": VENUE,
            "url": {"type": "string", "format": "uri"},
        },
        ["id", "title", "url"],
    ),
    "Session": _object(
        {
            "id": INTEGER,
            "series_id": _nullable("integer"),
            "kind": {"type": "string", "enum": list(SESSION_KINDS)},
            "title": STRING,
            "description": {"type": "string", "description": "Markdown."},
            "starts_at": DATETIME,
            "ends_at": DATETIME,
            "venue": VENUE,
            "online": {"type": "boolean", "description": "Whether people can also take part online."},
            "capacity": INTEGER,
            "seats_left": INTEGER,
            "registration": _object(
                {
                    "state": {"type": "string", "enum": ["open", "waitlist", "not_open", "closed", "past"]},
                    "opens_at": NULLABLE_DATETIME,
                    "closes_at": DATETIME,
                    "requires_approval": BOOLEAN,
                    "max_colleagues": INTEGER,
                },
                ["state"],
            ),
            "url": {"type": "string", "format": "uri", "description": "The public page of the session."},
        },
        ["id", "title", "starts_at", "ends_at", "capacity", "seats_left", "registration", "url"],
    ),
    "Track": _object({"id": INTEGER, "title": STRING, "capacity": INTEGER, "seats_left": INTEGER}),
    "Question": _object(
        {
            "id": INTEGER,
            "label": STRING,
            "kind": {"type": "string", "enum": list(QUESTION_KINDS)},
            "options": {"type": "array", "items": STRING},
            "required": BOOLEAN,
        }
    ),
    "AgendaItem": _object(
        {
            "starts_at": DATETIME,
            "ends_at": DATETIME,
            "title": STRING,
            "description": STRING,
            "kind": {"type": "string", "enum": list(AGENDA_KINDS)},
            "room": STRING,
            "track_id": _nullable("integer"),
            "speakers": {
                "type": "array",
                "items": _object({"name": STRING, "role": STRING, "organisation": STRING}),
            },
        }
    ),
    "SessionDetail": {
        "allOf": [
            _ref("Session"),
            _object(
                {
                    "tracks": {"type": "array", "items": _ref("Track")},
                    "questions": {"type": "array", "items": _ref("Question")},
                    "agenda": {"type": "array", "items": _ref("AgendaItem")},
                },
                ["tracks", "questions", "agenda"],
            ),
        ]
    },
    "RegistrationRequest": _object(
        {
            "name": STRING,
            "email": {"type": "string", "format": "email"},
            "organisation": STRING,
            "role": STRING,
            "answers": {
                "type": "object",
                "description": "Question id (as text) -> answer; a list for checkboxes.",
            },
            "colleagues": {"type": "array", "items": _object({"name": STRING, "email": STRING}, ["name"])},
            "track_id": _nullable("integer", description="Required when the session has workshop tracks."),
            "consent": {
                "type": "boolean",
                "description": "Agreement to the processing of the data; must be true.",
            },
        },
        ["name", "email", "consent"],
        additionalProperties=False,
    ),
    "RegistrationCreated": _object(
        {
            "status": {"type": "string", "enum": [PENDING_CONFIRMATION, WAITLISTED]},
            "waitlist_position": _nullable("integer"),
        },
        ["status"],
    ),
    "StaffSession": {
        "allOf": [
            _ref("Session"),
            _object(
                {
                    "status": {"type": "string", "enum": list(SESSION_STATUSES)},
                    "online_url": STRING,
                    "contact_email": STRING,
                    "seats_taken": INTEGER,
                    "cancel_deadline": NULLABLE_DATETIME,
                    "sequence": {
                        "type": "integer",
                        "description": "The calendar SEQUENCE, raised on every change.",
                    },
                    "created_at": DATETIME,
                    "updated_at": DATETIME,
                },
                ["status", "seats_taken"],
            ),
        ]
    },
    "SessionCreate": _object(
        {
            **SESSION_INPUT,
            "series_id": _nullable("integer"),
            "publish": {"type": "boolean", "description": "Publish at once instead of creating a draft."},
        },
        ["title", "starts_at", "ends_at"],
        additionalProperties=False,
    ),
    "SessionUpdate": _object(SESSION_INPUT, additionalProperties=False),
    "Registration": _object(
        {
            "id": INTEGER,
            "status": {"type": "string", "enum": list(REGISTRATION_STATUSES)},
            "name": STRING,
            "email": STRING,
            "organisation": STRING,
            "role": STRING,
            "language": STRING,
            "seats": INTEGER,
            "colleagues": {"type": "array", "items": _object({"name": STRING, "email": STRING})},
            "track_id": _nullable("integer"),
            "answers": {"type": "object"},
            "consent_version": STRING,
            "created_at": DATETIME,
            "confirmed_at": NULLABLE_DATETIME,
            "waitlisted_at": NULLABLE_DATETIME,
            "cancelled_at": NULLABLE_DATETIME,
            "checked_in_at": NULLABLE_DATETIME,
        },
        ["id", "status", "name", "email", "seats"],
    ),
    "SeriesPage": _page_of("Series"),
    "SessionPage": _page_of("Session"),
    "RegistrationPage": {"allOf": [_page_of("Registration"), _object({"session": _ref("StaffSession")}, ["session"])]},
}

BAD_QUERY = {"400": _error("A query parameter is not valid (see errors).")}
BAD_BODY = {
    "400": _error("The body is not valid JSON, or not a JSON object."),
    "415": _error("The body is not sent as application/json."),
    "422": _error("Fields are missing or not valid (see errors)."),
}

PATHS: dict[str, Any] = {
    "/series": {
        "get": {
            "operationId": "listSeries",
            "summary": "Series of sessions, such as the quarterly business breakfast",
            "parameters": [LANGUAGE, *PAGING],
            "responses": {"200": _json(_ref("SeriesPage"), "One page of series."), **BAD_QUERY},
        }
    },
    "/sessions": {
        "get": {
            "operationId": "listSessions",
            "summary": "Published sessions, soonest first",
            "parameters": [
                LANGUAGE,
                _query("series", {"type": "integer", "minimum": 1}, "Only sessions of this series."),
                _query(
                    "upcoming",
                    {"type": "string", "enum": ["true", "false"]},
                    "true: sessions not yet over; false: sessions that are over.",
                ),
                *PAGING,
            ],
            "responses": {"200": _json(_ref("SessionPage"), "One page of sessions."), **BAD_QUERY},
        }
    },
    "/sessions/{session_id}": {
        "get": {
            "operationId": "getSession",
            "summary": "A published session with its agenda, tracks, questions and the seats left",
            "parameters": [SESSION_ID, LANGUAGE],
            "responses": {
                "200": _json(_ref("SessionDetail"), "The session."),
                "404": _error("No published session has this id."),
            },
        }
    },
    "/sessions/{session_id}/registrations": {
        "post": {
            "operationId": "register",
            "summary": "Register for a session",
            "description": (
                "A seat is held until the person confirms the address by the link in the mail; "
                "a full session puts "
                f"them on the waitlist. At most {REGISTRATION_LIMIT} registrations per client address "
                "in ten minutes. An address that is already registered gets the same answer and, "
                "instead of a new registration, a mail with the link to its existing one."
            ),
            "parameters": [SESSION_ID, LANGUAGE],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("RegistrationRequest")}},
            },
            "responses": {
                "201": _json(_ref("RegistrationCreated"), "Registered: the status says whether a seat is held."),
                **BAD_BODY,
                "404": _error("No session has this id."),
                "409": _error("The session does not take registrations."),
                "429": _error("Too many registrations from this address; see Retry-After."),
            },
        }
    },
    "/staff/sessions": {
        "post": {
            "operationId": "createSession",
            "summary": "Create a session (a draft unless publish is true)",
            "security": [{"bearerAuth": ["sessions:write"]}],
            "parameters": [LANGUAGE],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("SessionCreate")}},
            },
            "responses": {"201": _json(_ref("StaffSession"), "The new session."), **BAD_BODY, **UNAUTHORISED},
        }
    },
    "/staff/sessions/{session_id}": {
        "patch": {
            "operationId": "updateSession",
            "summary": "Change a session; those registered are told by mail, with a new calendar entry",
            "security": [{"bearerAuth": ["sessions:write"]}],
            "parameters": [SESSION_ID, LANGUAGE],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("SessionUpdate")}},
            },
            "responses": {
                "200": _json(_ref("StaffSession"), "The changed session."),
                **BAD_BODY,
                **UNAUTHORISED,
                "404": _error("No session has this id."),
            },
        }
    },
    "/staff/sessions/{session_id}/registrations": {
        "get": {
            "operationId": "listRegistrations",
            "summary": "The registrations of a session, in the order they came in",
            "security": [{"bearerAuth": ["registrations:read"]}],
            "parameters": [
                SESSION_ID,
                LANGUAGE,
                _query("status", {"type": "string", "enum": list(REGISTRATION_STATUSES)}, "Only this status."),
                *PAGING,
            ],
            "responses": {
                "200": _json(_ref("RegistrationPage"), "One page of registrations."),
                **BAD_QUERY,
                **UNAUTHORISED,
                "404": _error("No session has this id."),
            },
        }
    },
    "/openapi.json": {
        "get": {
            "operationId": "openapi",
            "summary": "This document",
            "responses": {"200": {"description": "The OpenAPI document.", "content": {"application/json": {}}}},
        }
    },
}


def document(base_url: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Agora API",
            "version": "1.0.0",
            "description": (
                "Dialogue sessions of the economic-development agency: public reads and registration, "
                "and staff "
                "endpoints for integrations. Error messages follow Accept-Language "
                "(de or en; German by default)."
            ),
        },
        "servers": [{"url": base_url.rstrip("/") + "/api/v1"}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
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


async def openapi_json(request: Request) -> Response:
    return ok(document(request.app.state.settings.base_url))
