"""Staff pages: editing the legal pages (admins) and reading barrier reports (all staff)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from agora.forms import FieldErrors, max_lengths, parse_form
from agora.i18n import gettext as _
from agora.nav import StaffLink
from agora.pages import services
from agora.pages.forms import AnswerInput, PageInput
from agora.pages.models import BarrierReport
from agora.pages.routes import fill_defaults
from agora.web import NotFound, page, paginate, path_id, redirect, render, session_of, staff

NAV = [
    StaffLink("Legal pages", "/staff/pages", frozenset({"admin"})),
    StaffLink("Barrier reports", "/staff/barrier-reports"),
]


async def page_list(request: Request) -> Response:
    settings = request.app.state.settings
    rows = []
    for kind in services.PAGES:
        languages = ("de",) if kind.slug in services.GERMAN_ONLY else settings.languages
        for lang in languages:
            rows.append((kind, lang, await services.get_page(kind.slug, lang)))
    return await render(request, "pages/staff_list.html", {"rows": rows})


def _params(request: Request) -> tuple[str, str] | None:
    slug, lang = request.path_params["slug"], request.path_params["lang"]
    if slug not in services.PAGE_BY_SLUG or lang not in request.app.state.settings.languages:
        return None
    if slug in services.GERMAN_ONLY and lang != "de":
        return None
    return slug, lang


async def page_edit(request: Request) -> Response:
    params = _params(request)
    if params is None:
        raise NotFound()
    content = fill_defaults(await services.get_page(*params), request.app.state.settings)
    values = {"title": content.title, "body": content.body}
    return await render(
        request,
        "pages/staff_edit.html",
        {"content": content, "values": values, "errors": {}, "limits": max_lengths(PageInput)},
    )


async def page_save(request: Request) -> Response:
    params = _params(request)
    if params is None:
        raise NotFound()
    user = session_of(request).user
    try:
        data = await parse_form(request, PageInput)
        await services.save_page(*params, data.title, data.body, user.email)
    except (FieldErrors, services.PageError) as exc:
        content = fill_defaults(await services.get_page(*params), request.app.state.settings)
        values = exc.values if isinstance(exc, FieldErrors) else data.model_dump()
        return await render(
            request,
            "pages/staff_edit.html",
            {"content": content, "values": values, "errors": exc.errors, "limits": max_lengths(PageInput)},
            400,
        )
    await session_of(request).flash(_("The page has been saved."))
    return redirect("/staff/pages")


async def report_list(request: Request, refused: FieldErrors | None = None, report_id: int = 0) -> Response:
    show = request.query_params.get("show", "open")
    query = BarrierReport.all().order_by("-created_at")
    if show != "all":
        query = query.filter(handled_at__isnull=True)
    result = await paginate(query, request)
    context = {
        "page": result,
        "show": show,
        "errors": refused.errors if refused else {},
        "values": refused.values if refused else {},
        "refused_id": report_id,
    }
    return await render(request, "pages/staff_reports.html", context, 400 if refused else 200)


async def report_answer(request: Request) -> Response:
    report_id = path_id(request, "report_id")
    try:
        answer = (await parse_form(request, AnswerInput)).answer
    except FieldErrors as exc:
        return await report_list(request, exc, report_id)
    user = session_of(request).user
    if not await services.answer_barrier_report(report_id, user.email, answer):
        raise NotFound()
    await session_of(request).flash(
        _("The answer has been recorded and sent to the reporter, if they gave an address.")
    )
    return redirect("/staff/barrier-reports")


def routes() -> list[BaseRoute]:
    admin = staff("admin")
    return [
        page("/staff/pages", page_list, access=admin),
        page("/staff/pages/{slug}/{lang}", page_edit, access=admin),
        page("/staff/pages/{slug}/{lang}", page_save, access=admin, methods=["POST"], name="page_save"),
        page("/staff/barrier-reports", report_list, access=staff()),
        page("/staff/barrier-reports/{report_id}/answer", report_answer, access=staff(), methods=["POST"]),
    ]
