"""The moderation queue across all consultations, bulk decisions, blocks and the audit log."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from agora.accounts.participants.models import Participant
from agora.forms import FieldErrors, parse_form, parse_query
from agora.i18n import gettext as _
from agora.web import path_id, redirect, render, session_of
from participation.errors import ParticipationError
from participation.forms import BlockInput, ModerationInput, QueueQuery
from participation.labels import CATEGORY_LABELS, STATUS_LABELS
from participation.models import Consultation
from participation.services import consultations, moderation
from participation.staff.consultations import actor


async def queue_page(request: Request, errors: dict[str, str] | None = None, status: int = 200) -> Response:
    try:
        query = parse_query(request, QueueQuery)
    except FieldErrors:
        query = QueueQuery()
    rows = await moderation.queue(query.status, query.consultation, query.sort)
    blocked = await moderation.blocked_ids()
    authors = {p.id: p for p in await Participant.filter(id__in=[r.author_id for r in rows if r.author_id])}
    return await render(
        request,
        "participation/staff/moderation.html",
        {
            "rows": rows,
            "query": query,
            "authors": authors,
            "blocked": blocked,
            "consultations": await Consultation.all().order_by("title"),
            "status_labels": STATUS_LABELS,
            "category_labels": CATEGORY_LABELS,
            "errors": errors or {},
        },
        status,
    )


async def queue_action(request: Request) -> Response:
    try:
        data = await parse_form(request, ModerationInput)
    except FieldErrors as exc:
        return await queue_page(request, exc.errors, 400)
    changed = await moderation.moderate(actor(request), data.ids, data.action, data.reason)
    await session_of(request).flash(_("%(count)s contributions have been changed.", count=changed))
    return redirect("/staff/participation/moderation")


async def block(request: Request) -> Response:
    participant_id = path_id(request, "participant_id")
    try:
        data = await parse_form(request, BlockInput)
        await moderation.block(actor(request), participant_id, data.reason)
    except ParticipationError as exc:
        return await queue_page(request, exc.errors, 400)
    await session_of(request).flash(_("The participant has been blocked."))
    return redirect("/staff/participation/moderation")


async def unblock(request: Request) -> Response:
    try:
        await moderation.unblock(actor(request), path_id(request, "participant_id"))
    except ParticipationError as exc:
        return await queue_page(request, exc.errors, 400)
    await session_of(request).flash(_("The block has been lifted."))
    return redirect("/staff/participation/moderation")


async def audit_page(request: Request) -> Response:
    return await render(request, "participation/staff/audit.html", {"entries": await consultations.audit_log()})
