"""Files beside a consultation: staff attach PDF and office documents for everyone, and the scan of a contribution
received elsewhere for staff only.

The type is told by the content, and must match the name's extension: a PDF starts with "%PDF-", the office formats
are ZIP files told apart by an entry inside (word/document.xml, xl/workbook.xml, or the OpenDocument "mimetype").
The bytes are written under a random name in the data directory; the row keeps the uploader's file name for the
download. Uploads are also bound by the request size limit (AGORA_MAX_REQUEST_BYTES).
"""

from __future__ import annotations

import io
import secrets
import zipfile
from pathlib import Path, PurePath

from agora.db import transaction
from agora.i18n import gettext as _
from agora.settings import Settings
from participation.errors import NotFound, ParticipationError
from participation.models import Attachment

MAX_BYTES = 20 * 1024 * 1024
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}
KIND_LABELS = {"pdf": "PDF", "docx": "Word", "xlsx": "Excel", "odt": "OpenDocument", "ods": "OpenDocument"}
SCAN_KINDS = ("pdf",)


def kind_of(data: bytes) -> str | None:
    """The kind the content shows, or None for anything else."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "mimetype" in names:
                declared = archive.read("mimetype").strip().decode("ascii", "replace")
                return next((k for k in ("odt", "ods") if CONTENT_TYPES[k] == declared), None)
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError):
        return None
    return None


def folder(settings: Settings) -> Path:
    return settings.data_dir / "attachments"


def path_of(settings: Settings, attachment: Attachment) -> Path:
    return folder(settings) / attachment.stored_name


def _checked(filename: str, data: bytes, allowed: tuple[str, ...]) -> tuple[str, str]:
    name = PurePath(filename.replace("\\", "/")).name.strip()[:200]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if not name or not data:
        raise ParticipationError({"file": _("Please choose a file.")})
    if len(data) > MAX_BYTES:
        raise ParticipationError({"file": _("The file is larger than %(mb)s MB.", mb=MAX_BYTES // (1024 * 1024))})
    if extension not in allowed or kind_of(data) != extension:
        names = ", ".join(f".{k}" for k in allowed)
        raise ParticipationError({"file": _("Please upload a file of one of these types: %(types)s.", types=names)})
    return name, extension


async def add(
    settings: Settings, consultation_id: int, filename: str, data: bytes, *, contribution_id: int | None = None
) -> Attachment:
    """Checks and stores one file; nothing is written when it is refused."""
    allowed = SCAN_KINDS if contribution_id is not None else tuple(CONTENT_TYPES)
    name, kind = _checked(filename, data, allowed)
    stored = secrets.token_hex(16)
    target = folder(settings)
    target.mkdir(parents=True, exist_ok=True)
    (target / stored).write_bytes(data)
    try:
        async with transaction():
            return await Attachment.create(
                consultation_id=consultation_id,
                contribution_id=contribution_id,
                filename=name,
                kind=kind,
                size=len(data),
                stored_name=stored,
            )
    except BaseException:
        (target / stored).unlink(missing_ok=True)
        raise


async def remove(settings: Settings, consultation_id: int, attachment_id: int) -> None:
    attachment = await get(consultation_id, attachment_id)
    async with transaction():
        await attachment.delete()
    path_of(settings, attachment).unlink(missing_ok=True)


async def get(consultation_id: int, attachment_id: int) -> Attachment:
    found = await Attachment.get_or_none(id=attachment_id, consultation_id=consultation_id)
    if found is None:
        raise NotFound({"attachment": _("This file does not exist.")})
    return found


async def public_of(consultation_id: int) -> list[Attachment]:
    return await Attachment.filter(consultation_id=consultation_id, contribution_id=None).order_by("id")


async def scans_of(contribution_id: int) -> list[Attachment]:
    return await Attachment.filter(contribution_id=contribution_id).order_by("id")
