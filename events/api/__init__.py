"""The JSON API under /api/v1 (public reads, registrations, staff endpoints with API tokens).

Everything is mounted at /api/v1 through common.ApiMount, so that every answer there, errors included, is
JSON in the language of Accept-Language. The API uses no cookie at all: the session middleware skips /api/,
public routes need no sign-in, staff routes need a bearer token (access=api_token(scope)). Without cookies a
cross-site request cannot borrow anyone's sign-in, so the routes are declared with csrf=False. No CORS
headers are sent: integrations call the API from their servers, not from browsers on other sites.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount

from agora.web import PUBLIC, api_token, page
from events.api import openapi, public, staff
from events.api.common import PREFIX, ApiMount


def api_routes() -> list[BaseRoute]:
    write, read = api_token("sessions:write"), api_token("registrations:read")
    return [
        page("/openapi.json", openapi.openapi_json, access=PUBLIC, name="api_openapi"),
        page("/series", public.series_list, access=PUBLIC, name="api_series"),
        page("/sessions", public.session_list, access=PUBLIC, name="api_sessions"),
        page("/sessions/{session_id}", public.session_detail, access=PUBLIC, name="api_session"),
        page(
            "/sessions/{session_id}/registrations",
            public.register,
            access=PUBLIC,
            methods=["POST"],
            csrf=False,
            name="api_register",
        ),
        page("/staff/sessions", staff.create_session, access=write, methods=["POST"], csrf=False),
        page("/staff/sessions/{session_id}", staff.update_session, access=write, methods=["PATCH"], csrf=False),
        page("/staff/sessions/{session_id}/registrations", staff.session_registrations, access=read),
    ]


def routes() -> list[BaseRoute]:
    return [Mount(PREFIX, app=ApiMount(api_routes()), name="api")]
