"""Staff dashboard. Domains contribute widgets through DASHBOARD_WIDGETS from the composition root."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from agora.i18n import gettext, lazy_gettext
from agora.nav import StaffLink
from agora.web import page, render, staff

DashboardWidget = Callable[[Request], Awaitable[dict[str, Any] | None]]
DASHBOARD_WIDGETS: list[DashboardWidget] = []

NAV = [StaffLink("Dashboard", "/staff")]
_ = lazy_gettext


async def dashboard(request: Request) -> Response:
    from agora.pages.services import open_barrier_report_count, pages_on_defaults

    widgets = []
    for widget in DASHBOARD_WIDGETS:
        result = await widget(request)
        if result:
            widgets.append(result)
    return await render(
        request,
        "staff/dashboard.html",
        {
            "widgets": widgets,
            "open_barrier_reports": await open_barrier_report_count(),
            # Named here, so that no public page keeps a placeholder unnoticed once the site is live.
            "default_pages": [
                (kind.slug, language, gettext(kind.title_msgid))
                for kind, language in await pages_on_defaults(request.app.state.settings.languages)
            ],
        },
    )


def routes() -> list[BaseRoute]:
    return [page("/staff", dashboard, access=staff(), name="staff_dashboard")]
