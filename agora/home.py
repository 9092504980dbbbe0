"""The home page: upcoming sessions, open consultations, open surveys, and the language switch."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute

from agora import i18n
from agora.face import services as face_services
from agora.security import is_same_site_url
from agora.web import PUBLIC, NotFound, page, redirect, render

# A domain that has something to show on the home page registers a provider here (from the composition root).
HomeProvider = Callable[[], Awaitable[list[dict[str, Any]]]]
HOME_SECTIONS: dict[str, HomeProvider] = {}


async def home(request: Request) -> Response:
    sections = {}
    for key in ("sessions", "consultations", "surveys"):
        provider = HOME_SECTIONS.get(key)
        sections[key] = await provider() if provider else []
    return await render(request, "home.html", {"sections": sections})


async def set_language(request: Request) -> Response:
    """A preference cookie only: nothing on the server changes, so a plain link may set it."""
    target = request.query_params.get("next", "/")
    if not is_same_site_url(target):
        target = "/"
    response = redirect(target)
    i18n.set_language_cookie(response, request.path_params["lang"], request.app.state.settings)
    return response


async def town_logo(request: Request) -> Response:
    """The town's coat of arms or logo: the file an admin uploaded, else the one AGORA_TOWN_LOGO names. Pages
    link it with its version in the query, so a new logo shows at once despite the hour of caching."""
    face = await face_services.current(request.app.state.settings)
    if not await face_services.is_file(face.logo_path):
        raise NotFound()
    return FileResponse(face.logo_path, media_type=face.logo_type, headers=face_services.MEDIA_HEADERS)


def routes() -> list[BaseRoute]:
    return [
        page("/", home, access=PUBLIC, name="home", cached=True),
        page("/town-logo", town_logo, access=PUBLIC, name="town_logo"),
        page("/language/{lang}", set_language, access=PUBLIC, name="set_language"),
    ]
