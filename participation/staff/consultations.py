"""Staff pages of a consultation: list, create and edit with a preview of the sections, and contributions
received elsewhere (letter, email, meeting)."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from agora.forms import FieldErrors, local_value, max_lengths, parse_form, read_form
from agora.i18n import gettext as _
from agora.web import path_id, redirect, render, session_of
from participation import exports, importing
from participation.document import split_sections
from participation.errors import NotFound, ParticipationError
from participation.forms import BodyInput, ConsultationInput, ReceivedInput
from participation.labels import (
    CATEGORY_LABELS,
    KIND_LABELS,
    PHASE_LABELS,
    RESPONSE_STATE_LABELS,
    STATUS_LABELS,
    VOTE_LABELS,
    phase_steps,
)
from participation.models import Consultation
from participation.services import attachments, consultations, insight, staffing, weighing
from surveys import api as surveys

TIMES = ("published_at", "opens_at", "closes_at", "evaluation_at", "result_published_at")
EMPTY: dict[str, Any] = {
    name: info.default for name, info in ConsultationInput.model_fields.items() if name not in ("title", "preview")
}
EMPTY["title"] = ""


def actor(request: Request) -> str:
    user = session_of(request).user
    return user.email if user is not None else "staff"


def _shown(values: dict[str, Any]) -> dict[str, Any]:
    shown = dict(values)
    for key in TIMES:
        if not isinstance(shown.get(key), str):
            shown[key] = local_value(shown[key])
    if isinstance(shown.get("topics"), list):
        shown["topics"] = ", ".join(shown["topics"])
    return shown


async def consultation_list(request: Request) -> Response:
    rows = await Consultation.all().order_by("-created_at", "-id")
    return await render(
        request,
        "participation/staff/list.html",
        {"rows": rows, "counts": await staffing.counts(), "phase_labels": PHASE_LABELS},
    )


async def _form(
    request: Request,
    consultation: Consultation | None,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    _preamble, preview = split_sections(str(values.get("body") or ""))
    return await render(
        request,
        "participation/staff/form.html",
        {
            "consultation": consultation,
            "values": _shown(values),
            "errors": errors,
            "preview": preview,
            "limits": max_lengths(ConsultationInput),
            "surveys": await surveys.published_survey_choices(),
        },
        status,
    )


async def consultation_new(request: Request) -> Response:
    return await _form(request, None, dict(EMPTY), {})


async def consultation_create(request: Request) -> Response:
    try:
        data = await parse_form(request, ConsultationInput)
    except FieldErrors as exc:
        return await _form(request, None, exc.values, exc.errors, 400)
    if data.preview:
        return await _form(request, None, data.fields(), {})
    try:
        created = await consultations.create_consultation(**data.fields())
    except ParticipationError as exc:
        return await _form(request, None, data.fields(), exc.errors, 400)
    await session_of(request).flash(_("The consultation has been created."))
    return redirect(f"/staff/participation/{created.id}")


async def consultation_edit(request: Request) -> Response:
    consultation = await consultations.get_consultation(path_id(request, "consultation_id"))
    values = {key: getattr(consultation, key) for key in EMPTY if key != "preview"}
    return await _form(request, consultation, values, {})


async def consultation_update(request: Request) -> Response:
    consultation = await consultations.get_consultation(path_id(request, "consultation_id"))
    try:
        data = await parse_form(request, ConsultationInput)
    except FieldErrors as exc:
        return await _form(request, consultation, exc.values, exc.errors, 400)
    if data.preview:
        return await _form(request, consultation, data.fields(), {})
    try:
        await consultations.update_consultation(consultation.id, **data.fields())
    except ParticipationError as exc:
        return await _form(request, consultation, data.fields(), exc.errors, 400)
    await session_of(request).flash(_("The consultation has been saved."))
    return redirect(f"/staff/participation/{consultation.id}")


async def consultation_detail(
    request: Request, *, errors: dict[str, str] | None = None, values: dict[str, Any] | None = None, status: int = 200
) -> Response:
    consultation = await consultations.get_consultation(path_id(request, "consultation_id"))
    rows = await weighing.weighed(consultation.id)
    user = session_of(request).user
    return await render(
        request,
        "participation/staff/detail.html",
        {
            "c": consultation,
            "rows": rows,
            "sections": await consultations.sections_of(consultation.id),
            "groups": await weighing.groups_of(consultation.id),
            "suggestions": await weighing.suggestions(consultation.id),
            "steps": phase_steps(consultation),
            "phase": consultation.phase(),
            "phase_labels": PHASE_LABELS,
            "status_labels": STATUS_LABELS,
            "vote_labels": VOTE_LABELS,
            "state_labels": RESPONSE_STATE_LABELS,
            "category_labels": CATEGORY_LABELS,
            "kind_labels": KIND_LABELS,
            "can_release": user is not None and user.has_role("admin"),
            "errors": errors or {},
            "values": values or {"kind": "letter", "category": "suggestion"},
            "limits": max_lengths(ReceivedInput),
            "attachments": await attachments.public_of(consultation.id),
        },
        status,
    )


async def consultation_page(request: Request) -> Response:
    return await consultation_detail(request)


async def received_add(request: Request) -> Response:
    consultation = await consultations.get_consultation(path_id(request, "consultation_id"))
    try:
        data = await parse_form(request, ReceivedInput)
        await staffing.add_received(actor(request), consultation, data)
    except FieldErrors as exc:
        return await consultation_detail(request, errors=exc.errors, values=exc.values, status=400)
    except ParticipationError as exc:
        return await consultation_detail(request, errors=exc.errors, values=data.model_dump(), status=400)
    await session_of(request).flash(_("The contribution has been entered."))
    return redirect(f"/staff/participation/{consultation.id}#beitraege")


async def export_all(request: Request) -> Response:
    consultation = await consultations.get_consultation(path_id(request, "consultation_id"))
    fmt = request.path_params["fmt"]
    if fmt not in exports.FORMATS:
        raise NotFound({"format": _("This format is not offered.")})
    table = await exports.consideration_table(consultation, published_only=False)
    return exports.download(table, fmt, f"beitraege-{consultation.slug}")


async def insight_page(request: Request) -> Response:
    consultation = await consultations.get_consultation(path_id(request, "consultation_id"))
    return await render(
        request,
        "participation/staff/insight.html",
        {"c": consultation, "data": await insight.insight(consultation), "bar_width": insight.BAR_WIDTH},
    )


async def _import_page(
    request: Request, consultation: Consultation, errors: dict[str, str], status: int = 200
) -> Response:
    return await render(request, "participation/staff/import.html", {"c": consultation, "errors": errors}, status)


async def import_page(request: Request) -> Response:
    consultation = await consultations.get_consultation(path_id(request, "consultation_id"))
    return await _import_page(request, consultation, {})


async def import_preview(request: Request) -> Response:
    consultation = await consultations.get_consultation(path_id(request, "consultation_id"))
    form = await read_form(request, max_files=1)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _import_page(request, consultation, {"file": _("Please choose a file.")}, 400)
    try:
        body = await importing.to_markdown(await upload.read(importing.MAX_BYTES + 1))
    except ParticipationError as exc:
        return await _import_page(request, consultation, exc.errors, 400)
    old = await consultations.sections_of(consultation.id)
    return await render(
        request,
        "participation/staff/import_preview.html",
        {"c": consultation, "body": body, "rows": consultations.compare_sections(old, body)},
    )


async def import_save(request: Request) -> Response:
    consultation = await consultations.get_consultation(path_id(request, "consultation_id"))
    data = await parse_form(request, BodyInput)
    await consultations.replace_body(actor(request), consultation.id, data.body)
    await session_of(request).flash(_("The document has been imported."))
    return redirect(f"/staff/participation/{consultation.id}")
