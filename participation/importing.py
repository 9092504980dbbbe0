"""A draft uploaded as .docx or .odt becomes the consultation's Markdown body (pandoc via pypandoc-binary).

The type is told by the content, not the name: both are ZIP files, a .docx holds word/document.xml, an .odt a
"mimetype" entry naming the OpenDocument text type. Headings become Markdown headings and so numbered sections.
"""

from __future__ import annotations

import asyncio
import io
import tempfile
import zipfile
from pathlib import Path

import pypandoc

from agora.i18n import gettext as _
from participation.errors import ParticipationError

MAX_BYTES = 10 * 1024 * 1024
ODT_TYPE = b"application/vnd.oasis.opendocument.text"


def kind_of(data: bytes) -> str | None:
    """ "docx", "odt" or None for anything else."""
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return "docx"
            if "mimetype" in names and archive.read("mimetype").strip() == ODT_TYPE:
                return "odt"
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError):
        return None
    return None


def _convert(data: bytes, kind: str) -> str:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / f"draft.{kind}"
        source.write_bytes(data)
        return str(pypandoc.convert_file(str(source), "gfm", format=kind, extra_args=["--wrap=none"]))


async def to_markdown(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ParticipationError({"file": _("The file is larger than %(mb)s MB.", mb=MAX_BYTES // (1024 * 1024))})
    kind = kind_of(data)
    if kind is None:
        raise ParticipationError({"file": _("Please upload a Word (.docx) or OpenDocument (.odt) text file.")})
    try:
        text = await asyncio.to_thread(_convert, data, kind)
    except (RuntimeError, OSError):
        raise ParticipationError({"file": _("The file could not be read.")}) from None
    return text.strip() + "\n"
