"""Staff pages for files: attaching and removing a consultation's files, the scan of a contribution received
elsewhere, and the staff download of either."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from agora.forms import read_form
from agora.i18n import gettext as _
from agora.web import path_id, redirect, session_of
from participation.errors import ParticipationError
from participation.models import ONLINE, Attachment
from participation.services import attachments, consultations, weighing
from participation.staff.consultations import consultation_detail
from participation.staff.weighing import _contribution_page


async def _upload(request: Request) -> tuple[str, bytes]:
    form = await read_form(request, max_files=1)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ParticipationError({"file": _("Please choose a file.")})
    return upload.filename, await upload.read(attachments.MAX_BYTES + 1)


async def attach(request: Request) -> Response:
    consultation = await consultations.get_consultation(path_id(request, "consultation_id"))
    try:
        name, data = await _upload(request)
        await attachments.add(request.app.state.settings, consultation.id, name, data)
    except ParticipationError as exc:
        return await consultation_detail(request, errors=exc.errors, status=400)
    await session_of(request).flash(_("The file has been attached."))
    return redirect(f"/staff/participation/{consultation.id}#anlagen")


async def detach(request: Request) -> Response:
    consultation_id = path_id(request, "consultation_id")
    await attachments.remove(request.app.state.settings, consultation_id, path_id(request, "attachment_id"))
    await session_of(request).flash(_("The file has been removed."))
    return redirect(f"/staff/participation/{consultation_id}#anlagen")


async def attach_scan(request: Request) -> Response:
    consultation = await consultations.get_consultation(path_id(request, "consultation_id"))
    contribution = await weighing.contribution_of(consultation.id, path_id(request, "contribution_id"))
    try:
        if contribution.kind == ONLINE:
            raise ParticipationError({"file": _("Only a contribution received elsewhere can have a scan.")})
        name, data = await _upload(request)
        await attachments.add(request.app.state.settings, consultation.id, name, data, contribution_id=contribution.id)
    except ParticipationError as exc:
        return await _contribution_page(request, None, exc.errors, 400)
    await session_of(request).flash(_("The scan has been attached."))
    return redirect(f"/staff/participation/{consultation.id}/contributions/{contribution.id}")


async def download(request: Request) -> Response:
    found = await attachments.get(path_id(request, "consultation_id"), path_id(request, "attachment_id"))
    return file_response(request, found)


def file_response(request: Request, found: Attachment) -> Response:
    return FileResponse(
        attachments.path_of(request.app.state.settings, found),
        media_type=attachments.CONTENT_TYPES[found.kind],
        filename=found.filename,
        headers={"X-Content-Type-Options": "nosniff"},
    )
