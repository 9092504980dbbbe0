"""Staff pages of the weighing: one contribution's response, groups, release, publication, text modules."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from agora.forms import FieldErrors, max_lengths, parse_form
from agora.i18n import gettext as _
from agora.web import path_id, redirect, render, session_of
from participation.errors import ParticipationError
from participation.forms import GroupInput, IdsInput, ResponseInput, TextModuleInput
from participation.labels import CATEGORY_LABELS, KIND_LABELS, RESPONSE_STATE_LABELS, STATUS_LABELS, VOTE_LABELS
from participation.models import Response as Answer
from participation.services import attachments, consultations, weighing
from participation.staff.consultations import actor, consultation_detail


async def _contribution_page(
    request: Request, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None, status: int = 200
) -> Response:
    consultation = await consultations.get_consultation(path_id(request, "consultation_id"))
    contribution = await weighing.contribution_of(consultation.id, path_id(request, "contribution_id"))
    await contribution.fetch_related("section", "group")
    answer = await Answer.get_or_none(contribution_id=contribution.id)
    if values is None:
        values = {
            "vote": answer.vote if answer else "",
            "text": answer.text if answer else "",
            "office": (answer.office if answer else "") or contribution.office or consultation.office,
            "note": contribution.note,
        }
    return await render(
        request,
        "participation/staff/contribution.html",
        {
            "c": consultation,
            "item": contribution,
            "answer": answer,
            "values": values,
            "errors": errors or {},
            "modules": await weighing.text_modules(),
            "vote_labels": VOTE_LABELS,
            "status_labels": STATUS_LABELS,
            "state_labels": RESPONSE_STATE_LABELS,
            "category_labels": CATEGORY_LABELS,
            "kind_labels": KIND_LABELS,
            "limits": max_lengths(ResponseInput),
            "scans": await attachments.scans_of(contribution.id),
        },
        status,
    )


async def contribution_page(request: Request) -> Response:
    return await _contribution_page(request)


async def respond(request: Request) -> Response:
    consultation_id = path_id(request, "consultation_id")
    contribution_id = path_id(request, "contribution_id")
    try:
        data = await parse_form(request, ResponseInput)
        await weighing.respond(actor(request), consultation_id, contribution_id, **data.model_dump())
    except FieldErrors as exc:
        return await _contribution_page(request, exc.values, exc.errors, 400)
    except ParticipationError as exc:
        return await _contribution_page(request, data.model_dump(), exc.errors, 400)
    await session_of(request).flash(_("The response has been saved as a draft."))
    return redirect(f"/staff/participation/{consultation_id}#beitraege")


async def group_create(request: Request) -> Response:
    consultation_id = path_id(request, "consultation_id")
    try:
        data = await parse_form(request, GroupInput)
        await weighing.create_group(actor(request), consultation_id, data.title, data.ids)
    except FieldErrors as exc:
        return await consultation_detail(request, errors=exc.errors, status=400)
    except ParticipationError as exc:
        return await consultation_detail(request, errors=exc.errors, status=400)
    await session_of(request).flash(_("The group has been created."))
    return redirect(f"/staff/participation/{consultation_id}#gruppen")


async def group_respond(request: Request) -> Response:
    consultation_id = path_id(request, "consultation_id")
    group_id = path_id(request, "group_id")
    try:
        data = await parse_form(request, ResponseInput, prefix=f"group_{group_id}_")
    except FieldErrors as exc:
        return await consultation_detail(request, errors=exc.errors, status=400)
    written = await weighing.respond_group(
        actor(request), consultation_id, group_id, vote=data.vote, text=data.text, office=data.office
    )
    await session_of(request).flash(
        _("The response has been written to %(count)s contributions of the group.", count=written)
    )
    return redirect(f"/staff/participation/{consultation_id}#gruppen")


async def group_delete(request: Request) -> Response:
    consultation_id = path_id(request, "consultation_id")
    await weighing.ungroup(actor(request), consultation_id, path_id(request, "group_id"))
    await session_of(request).flash(_("The group has been dissolved."))
    return redirect(f"/staff/participation/{consultation_id}#gruppen")


async def release(request: Request) -> Response:
    consultation_id = path_id(request, "consultation_id")
    try:
        data = await parse_form(request, IdsInput)
    except FieldErrors as exc:
        return await consultation_detail(request, errors=exc.errors, status=400)
    count = await weighing.release(actor(request), consultation_id, data.ids)
    await session_of(request).flash(_("%(count)s responses have been released.", count=count))
    return redirect(f"/staff/participation/{consultation_id}#beitraege")


async def publish(request: Request) -> Response:
    consultation = await consultations.get_consultation(path_id(request, "consultation_id"))
    try:
        published, mails = await weighing.publish(actor(request), consultation)
    except ParticipationError as exc:
        return await consultation_detail(request, errors=exc.errors, status=400)
    await session_of(request).flash(
        _("%(count)s responses have been published and %(mails)s people told.", count=published, mails=mails)
    )
    return redirect(f"/staff/participation/{consultation.id}#beitraege")


async def modules_page(request: Request, values: dict[str, Any] | None = None, errors: dict | None = None) -> Response:
    return await render(
        request,
        "participation/staff/modules.html",
        {
            "modules": await weighing.text_modules(),
            "values": values or {"vote": ""},
            "errors": errors or {},
            "vote_labels": VOTE_LABELS,
            "limits": max_lengths(TextModuleInput),
        },
        400 if errors else 200,
    )


async def module_add(request: Request) -> Response:
    try:
        data = await parse_form(request, TextModuleInput)
    except FieldErrors as exc:
        return await modules_page(request, exc.values, exc.errors)
    await weighing.add_text_module(data.title, data.text, data.vote)
    await session_of(request).flash(_("The text module has been saved."))
    return redirect("/staff/participation/text-modules")


async def module_delete(request: Request) -> Response:
    await weighing.delete_text_module(path_id(request, "module_id"))
    await session_of(request).flash(_("The text module has been deleted."))
    return redirect("/staff/participation/text-modules")
