"""Staff mail log: every message with its status, a preview of both parts, and resend for failed ones."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from agora.forms import parse_form
from agora.i18n import gettext as _
from agora.i18n import lazy_gettext
from agora.nav import StaffLink
from agora.web import get_or_404, page, paginate, path_id, redirect, render, session_of, staff
from notifications import api, compose, dispatch
from notifications.forms import TestMailInput
from notifications.models import FAILED, QUEUED, SENDING, SENT, STATUSES, OutboxMessage

ROLES = ("admin", "organizer")
NAV = [StaffLink("Mail log", "/staff/mail", frozenset(ROLES))]

STATUS_LABELS = {
    QUEUED: lazy_gettext("queued"),
    SENDING: lazy_gettext("sending"),
    SENT: lazy_gettext("sent"),
    FAILED: lazy_gettext("failed"),
}


async def mail_log(request: Request) -> Response:
    status = request.query_params.get("status", "")
    query = OutboxMessage.all().order_by("-id")
    if status in STATUSES:
        query = query.filter(status=status)
    else:
        status = ""
    result = await paginate(query, request, per_page=50)
    return await render(
        request, "notifications/staff_log.html", {"page": result, "status": status, "labels": STATUS_LABELS}
    )


async def mail_detail(request: Request) -> Response:
    row_id = path_id(request, "row_id")
    row = await get_or_404(OutboxMessage, id=row_id)
    preview: dict[str, Any] = {"error": ""}
    try:
        preview["subject"], preview["text"], preview["html"] = compose.render_parts(row, request.app.state.settings)
    except Exception as exc:  # noqa: BLE001 - a broken template is shown to staff, not turned into a 500
        preview["error"] = f"{type(exc).__name__}: {exc}"
    return await render(
        request, "notifications/staff_detail.html", {"row": row, "preview": preview, "labels": STATUS_LABELS}
    )


async def mail_resend(request: Request) -> Response:
    row_id = path_id(request, "row_id")
    if await dispatch.resend_failed(row_id):
        await session_of(request).flash(_("The message has been queued again."))
    else:
        await session_of(request).flash(_("Only failed messages can be sent again."))
    return redirect(f"/staff/mail/{row_id}")


async def mail_test(request: Request) -> Response:
    note = (await parse_form(request, TestMailInput)).note
    user = session_of(request).user
    await api.send_test_message(user.email, locale=user.language or "de", note=note)
    await session_of(request).flash(_("A test message to %(email)s has been queued.", email=user.email))
    return redirect("/staff/mail")


async def dashboard_widget(request: Request) -> dict[str, Any] | None:
    user = session_of(request).user
    if user is None or not user.has_role(*ROLES):
        return None
    failed = await OutboxMessage.filter(status=FAILED).count()
    waiting = await OutboxMessage.filter(status__in=[QUEUED, SENDING]).count()
    sent = await OutboxMessage.filter(status=SENT).count()
    return {
        "title": _("Mail"),
        "text": _("%(sent)d sent, %(waiting)d waiting, %(failed)d failed", sent=sent, waiting=waiting, failed=failed),
        "url": "/staff/mail?status=failed" if failed else "/staff/mail",
        "link_text": _("Show the mail log"),
    }


def routes() -> list[BaseRoute]:
    access = staff(*ROLES)
    return [
        page("/staff/mail", mail_log, access=access),
        page("/staff/mail/test", mail_test, access=access, methods=["POST"]),
        page("/staff/mail/{row_id}", mail_detail, access=access),
        page("/staff/mail/{row_id}/resend", mail_resend, access=access, methods=["POST"]),
    ]
