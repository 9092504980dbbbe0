"""The public legal pages and the barrier feedback form."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute

from agora.face import services as face_services
from agora.forms import FieldErrors, parse_form
from agora.i18n import current_locale
from agora.pages import services
from agora.pages.forms import BarrierReportInput
from agora.security import is_same_site_url
from agora.settings import Settings
from agora.web import PUBLIC, NotFound, page, render


def fill_defaults(content: services.PageContent, settings: Settings) -> services.PageContent:
    """The shipped texts name the enforcement body of the town's Land from the settings."""
    if content.is_default:
        content.body = content.body.replace("{enforcement_body}", settings.enforcement_body).replace(
            "{enforcement_url}", settings.enforcement_url
        )
    return content


async def dgs_media(request: Request) -> Response:
    """The sign language video and its captions: the files an admin uploaded, else those the settings name
    (served from this instance). FileResponse answers Range requests (206), which players need to seek."""
    face = await face_services.current(request.app.state.settings)
    kind = request.path_params["kind"]
    if kind == "video":
        path, media_type = face.video_path, face.video_type
    elif kind == "captions":
        path, media_type = face.captions_path, "text/vtt; charset=utf-8"
    else:
        raise NotFound()
    if not await face_services.is_file(path):
        raise NotFound()
    return FileResponse(path, media_type=media_type, headers=face_services.MEDIA_HEADERS)


def _show(slug: str):  # noqa: ANN202 - returns an endpoint
    async def show(request: Request) -> Response:
        content = fill_defaults(await services.get_page(slug, current_locale.get()), request.app.state.settings)
        context = {"content": content, "errors": {}, "values": {}}
        if slug == "barrierefreiheit":
            referrer = request.query_params.get("from", "")
            context["values"] = {"page_url": referrer if is_same_site_url(referrer) else ""}
        return await render(request, "pages/page.html", context)

    show.__name__ = f"page_{slug.replace('-', '_')}"
    return show


async def barrier_feedback(request: Request) -> Response:
    try:
        data = await parse_form(request, BarrierReportInput)
    except FieldErrors as exc:
        content = fill_defaults(
            await services.get_page("barrierefreiheit", current_locale.get()), request.app.state.settings
        )
        return await render(
            request, "pages/page.html", {"content": content, "errors": exc.errors, "values": exc.values}, 400
        )
    await services.report_barrier(request.app.state.settings, **data.model_dump())
    # The thank-you appears where the reader is, in place of the form, not on another page.
    content = fill_defaults(
        await services.get_page("barrierefreiheit", current_locale.get()), request.app.state.settings
    )
    return await render(
        request,
        "pages/page.html",
        {"content": content, "errors": {}, "values": {}, "sent": True, "reply_to": data.email},
    )


def routes() -> list[BaseRoute]:
    result: list[BaseRoute] = [
        page(kind.path, _show(kind.slug), access=PUBLIC, name=f"page_{kind.slug}") for kind in services.PAGES
    ]
    result.append(page("/barrierefreiheit/feedback", barrier_feedback, access=PUBLIC, methods=["POST"]))
    result.append(page("/gebaerdensprache/{kind}", dgs_media, access=PUBLIC, name="dgs_media"))
    return result
