"""The public legal pages and the barrier feedback form."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from agora.forms import FieldErrors, parse_form
from agora.i18n import current_locale
from agora.i18n import gettext as _
from agora.pages import services
from agora.pages.forms import BarrierReportInput
from agora.security import is_same_site_url
from agora.web import PUBLIC, page, redirect, render, session_of


def _show(slug: str):  # noqa: ANN202 - returns an endpoint
    async def show(request: Request) -> Response:
        content = await services.get_page(slug, current_locale.get())
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
        content = await services.get_page("barrierefreiheit", current_locale.get())
        return await render(
            request, "pages/page.html", {"content": content, "errors": exc.errors, "values": exc.values}, 400
        )
    await services.report_barrier(**data.model_dump())
    await session_of(request).flash(_("Thank you. Your report has been received and will be answered."))
    return redirect("/barrierefreiheit#feedback")


def routes() -> list[BaseRoute]:
    result: list[BaseRoute] = [
        page(kind.path, _show(kind.slug), access=PUBLIC, name=f"page_{kind.slug}") for kind in services.PAGES
    ]
    result.append(page("/barrierefreiheit/feedback", barrier_feedback, access=PUBLIC, methods=["POST"]))
    return result
