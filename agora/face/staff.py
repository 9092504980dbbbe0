"""The admin page of the town's face: text values, the logo, the sign-language video and its captions."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from agora.face import services
from agora.face.forms import TownFaceInput
from agora.forms import FieldErrors, max_lengths, read_form, validate_form
from agora.i18n import gettext as _
from agora.nav import StaffLink
from agora.pages import services as pages
from agora.web import page, redirect, render, session_of, staff

PATH = "/staff/town"
NAV = [StaffLink("Town and sign language", PATH, frozenset({"admin"}))]
FILES = ("logo", "video", "captions")


async def _form(request: Request, values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Response:
    settings = request.app.state.settings
    return await render(
        request,
        "face/staff_edit.html",
        {
            "values": values,
            "errors": errors,
            "stored": await services.stored(),
            "face": await services.current(settings),
            "defaults": services.from_settings(settings),
            "changes": await services.changes(),
            "limits": max_lengths(TownFaceInput),
            "logo_limit": services.LOGO_MAX_BYTES // services.MB,
            "video_limit": services.VIDEO_MAX_BYTES // services.MB,
            "captions_limit": services.CAPTIONS_MAX_BYTES // services.MB,
        },
        status,
    )


async def _current_values() -> dict[str, Any]:
    row = await services.stored()
    values: dict[str, Any] = {key: getattr(row, key) for key in services.TEXT_FIELDS}
    values["dgs_text"] = (await pages.get_page(services.DGS_PAGE, "de")).body
    return values


async def edit(request: Request) -> Response:
    return await _form(request, await _current_values(), {})


def _upload(form: FormData, name: str) -> services.Upload | None:
    """A chosen file, or None when the input was left empty (browsers send an empty part then)."""
    value = form.get(name)
    if not isinstance(value, UploadFile) or not value.filename:
        return None
    value.file.seek(0, 2)
    size = value.file.tell()
    value.file.seek(0)
    return services.Upload(value.file, size)


async def save(request: Request) -> Response:
    form = await read_form(request, max_files=len(FILES))
    try:
        data = validate_form(form, TownFaceInput)
    except FieldErrors as exc:
        return await _form(request, exc.values, exc.errors, 400)
    try:
        await services.save(
            request.app.state.settings,
            by=session_of(request).user.email,
            **data.model_dump(),
            logo=_upload(form, "logo"),
            video=_upload(form, "video"),
            captions=_upload(form, "captions"),
        )
    except services.FaceError as exc:
        return await _form(request, data.model_dump(), exc.errors, 400)
    await session_of(request).flash(_("The town's public face has been saved."))
    return redirect(PATH)


async def too_large(request: Request, limit: int) -> Response:
    """An upload above the form's limit: the form again, saying what fits (nothing was read or stored)."""
    message = _(
        "The files are too large: at most %(logo)s MB for the logo, %(video)s MB for the video and %(captions)s MB "
        "for the captions.",
        logo=services.LOGO_MAX_BYTES // services.MB,
        video=services.VIDEO_MAX_BYTES // services.MB,
        captions=services.CAPTIONS_MAX_BYTES // services.MB,
    )
    return await _form(request, await _current_values(), {"video": message}, 413)


def routes() -> list[BaseRoute]:
    return [
        page(PATH, edit, access=staff("admin"), name="town_face"),
        page(PATH, save, access=staff("admin"), methods=["POST"], name="town_face_save", too_large=too_large),
    ]
