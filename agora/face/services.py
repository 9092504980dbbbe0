"""Reading the town's face (what admins set, else the settings) and saving it, files included.

Uploaded files are trusted by their content, never by their name: the first bytes must be those of a PNG, JPEG
or WebP image (SVG can carry script, so it is refused), of an MP4 or WebM video, or of a WebVTT file. They are
copied in chunks from the upload's spooled temporary file to data_dir/face under a random name; a replaced or
removed file is deleted once the change is committed.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from agora.db import on_commit, transaction
from agora.face.models import FACE_ID, TownFace, TownFaceChange
from agora.i18n import gettext as _
from agora.pages import services as pages
from agora.settings import CAPTION_TYPES, LOGO_TYPES, VIDEO_TYPES, Settings

MB = 1024 * 1024
LOGO_MAX_BYTES = 2 * MB
VIDEO_MAX_BYTES = 200 * MB
CAPTIONS_MAX_BYTES = 1 * MB
# The whole form of the admin page: every file at its limit and the text fields.
FORM_MAX_BYTES = LOGO_MAX_BYTES + VIDEO_MAX_BYTES + CAPTIONS_MAX_BYTES + MB
HEAD_BYTES = 16
# Served files are what they claim (nosniff); their address changes with the file, so an hour of caching is safe.
MEDIA_HEADERS = {"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"}
TEXT_FIELDS = ("town_name", "town_website", "agency_contact", "video_url")
DGS_PAGE = "gebaerdensprache"
EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
    "video/mp4": ".mp4",
    "video/webm": ".webm",
    "text/vtt": ".vtt",
}


class FaceError(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class Face:
    """What the pages show: each value from the admin's setting, else from the environment."""

    town_name: str = ""
    town_website: str = ""
    agency_contact: str = ""
    logo_path: str = ""
    logo_type: str = ""
    # Part of the logo's address, so a new logo is fetched at once despite browser caches.
    logo_version: str = ""
    video_path: str = ""
    video_type: str = ""
    video_version: str = ""
    captions_path: str = ""
    video_url: str = ""


@dataclass(frozen=True)
class Upload:
    """A file as the service reads it: an open binary file (a spooled temporary file for large uploads)."""

    file: BinaryIO
    size: int


def folder(settings: Settings) -> Path:
    return settings.data_dir / "face"


def from_settings(settings: Settings) -> Face:
    """The face the environment gives: the defaults."""
    logo_type = LOGO_TYPES.get(Path(settings.town_logo).suffix.lower(), "") if settings.town_logo else ""
    video_type = VIDEO_TYPES.get(Path(settings.dgs_video).suffix.lower(), "") if settings.dgs_video else ""
    return Face(
        town_name=settings.town_name,
        town_website=settings.town_website,
        agency_contact=settings.agency_contact,
        logo_path=settings.town_logo,
        logo_type=logo_type,
        logo_version="env" if settings.town_logo else "",
        video_path=settings.dgs_video,
        video_type=video_type,
        video_version="env" if settings.dgs_video else "",
        captions_path=settings.dgs_captions if settings.dgs_video else "",
    )


def _merge(settings: Settings, row: TownFace | None) -> Face:
    face = from_settings(settings)
    if row is None:
        return face
    base = folder(settings)
    logo = (str(base / row.logo_file), row.logo_type, row.logo_file[:12]) if row.logo_file else None
    if row.video_file:
        captions = str(base / row.captions_file) if row.captions_file else ""
        video = (str(base / row.video_file), row.video_type, captions, row.video_file[:12])
        video_url = ""
    elif row.video_url:
        video, video_url = ("", "", "", ""), row.video_url
    else:
        video, video_url = (face.video_path, face.video_type, face.captions_path, face.video_version), ""
    return Face(
        town_name=row.town_name or face.town_name,
        town_website=row.town_website or face.town_website,
        agency_contact=row.agency_contact or face.agency_contact,
        logo_path=logo[0] if logo else face.logo_path,
        logo_type=logo[1] if logo else face.logo_type,
        logo_version=logo[2] if logo else face.logo_version,
        video_path=video[0],
        video_type=video[1],
        captions_path=video[2],
        video_version=video[3],
        video_url=video_url,
    )


async def current(settings: Settings) -> Face:
    return _merge(settings, await TownFace.get_or_none(id=FACE_ID))


async def stored() -> TownFace:
    """The admin's own values (empty where the settings apply), for the form."""
    return await TownFace.get_or_none(id=FACE_ID) or TownFace(id=FACE_ID)


def _head(upload: Upload) -> bytes:
    upload.file.seek(0)
    head = upload.file.read(HEAD_BYTES)
    upload.file.seek(0)
    return head


def image_type(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def video_type(head: bytes) -> str | None:
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # the EBML header of Matroska and WebM
        return "video/webm"
    return None


def _captions_ok(upload: Upload) -> bool:
    upload.file.seek(0)
    data = upload.file.read(CAPTIONS_MAX_BYTES + 1)
    upload.file.seek(0)
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return False
    return text.startswith("WEBVTT") and (len(text) == 6 or text[6] in " \t\r\n")


def _megabytes(limit: int) -> str:
    return f"{limit // MB} MB"


def _captions_type(upload: Upload) -> str | None:
    return CAPTION_TYPES[".vtt"] if _captions_ok(upload) else None


def _file_rules() -> dict[str, tuple[int, Callable[[Upload], str | None], str]]:
    """Per file field: its size limit, how its type is read from its content, and the refusal of other content."""
    return {
        "logo": (
            LOGO_MAX_BYTES,
            lambda upload: image_type(_head(upload)),
            _("Please upload a PNG, JPEG or WebP image (SVG is not accepted)."),
        ),
        "video": (
            VIDEO_MAX_BYTES,
            lambda upload: video_type(_head(upload)),
            _("Please upload an MP4 or WebM video."),
        ),
        "captions": (
            CAPTIONS_MAX_BYTES,
            _captions_type,
            _("Please upload captions in WebVTT format (a .vtt file starting with WEBVTT)."),
        ),
    }


def _check_files(
    logo: Upload | None, video: Upload | None, captions: Upload | None, errors: dict[str, str]
) -> dict[str, str]:
    """The media type of each acceptable file, by its content; problems go into errors."""
    uploads = {"logo": logo, "video": video, "captions": captions}
    types: dict[str, str] = {}
    for field, (limit, type_of, refusal) in _file_rules().items():
        upload = uploads[field]
        if upload is None:
            continue
        if upload.size > limit:
            errors[field] = _("The file is too large: at most %(limit)s.", limit=_megabytes(limit))
        elif (kind := type_of(upload)) is None:
            errors[field] = refusal
        else:
            types[field] = kind
    return types


def _store(settings: Settings, upload: Upload, media_type: str) -> str:
    target = folder(settings)
    target.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16) + EXTENSIONS[media_type]
    upload.file.seek(0)
    with open(target / name, "wb") as out:
        shutil.copyfileobj(upload.file, out, 1024 * 1024)
    return name


async def save(
    settings: Settings,
    *,
    by: str,
    town_name: str,
    town_website: str,
    agency_contact: str,
    video_url: str,
    logo: Upload | None = None,
    video: Upload | None = None,
    captions: Upload | None = None,
    remove_logo: bool = False,
    remove_video: bool = False,
    dgs_text: str | None = None,
) -> TownFace:
    """Store the admin's values; a file given replaces the one before, a removal empties it (the setting applies
    again). `dgs_text` is the text version under the video (the sign-language page's body), saved when changed.
    Nothing is stored when anything is refused."""
    errors: dict[str, str] = {}
    types = _check_files(logo, video, captions, errors)
    row = await stored()
    if video is not None and captions is None and not row.captions_file and "video" not in errors:
        errors["captions"] = _("Please add the captions (WebVTT) with the video: people who cannot hear need them.")
    keeps_video = bool(row.video_file) and not remove_video
    if captions is not None and video is None and not keeps_video and "captions" not in errors:
        errors["captions"] = _("Captions belong to an uploaded video: please upload the video with them.")
    if errors:
        raise FaceError(errors)
    names = {
        part: await asyncio.to_thread(_store, settings, upload, types[part])
        for part, upload in (("logo", logo), ("video", video), ("captions", captions))
        if upload is not None
    }
    values: dict[str, Any] = {
        "town_name": town_name,
        "town_website": town_website,
        "agency_contact": agency_contact,
        "video_url": video_url,
    }
    if "logo" in names:
        values.update(logo_file=names["logo"], logo_type=types["logo"])
    elif remove_logo:
        values.update(logo_file="", logo_type="")
    if "video" in names:
        values.update(video_file=names["video"], video_type=types["video"])
    elif remove_video:
        values.update(video_file="", video_type="", captions_file="")
    if "captions" in names:
        values["captions_file"] = names["captions"]
    changed = sorted(key for key, value in values.items() if getattr(row, key) != value)
    replaced = [getattr(row, key) for key in ("logo_file", "video_file", "captions_file") if key in changed]
    text = await pages.get_page(DGS_PAGE, "de")
    new_text = dgs_text is not None and dgs_text.strip() != text.body.strip()
    if not changed and not new_text:
        return row
    async with transaction():
        if new_text and dgs_text is not None:
            await pages.save_page(DGS_PAGE, "de", text.title, dgs_text, by)
            changed.append("dgs_text")
        if changed == ["dgs_text"]:
            await TownFaceChange.create(changed_by=by, changed=changed)
            return row
        values.update(updated_by=by, updated_at=datetime.now(UTC))
        if await TownFace.exists(id=FACE_ID):
            await TownFace.filter(id=FACE_ID).update(**values)
        else:
            await TownFace.create(**values, id=FACE_ID)
        await TownFaceChange.create(changed_by=by, changed=changed)

        async def _delete_replaced() -> None:
            for name in replaced:
                if name:
                    (folder(settings) / name).unlink(missing_ok=True)

        await on_commit(_delete_replaced)
    return await stored()


async def is_file(path: str) -> bool:
    return bool(path) and await asyncio.to_thread(os.path.isfile, path)


async def changes(limit: int = 10) -> list[TownFaceChange]:
    return await TownFaceChange.all().order_by("-changed_at", "-id").limit(limit)
