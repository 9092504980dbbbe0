"""Importing a draft from .docx and .odt: type checked by content, preview before saving, unchanged sections kept."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pypandoc
import pytest
from docx import Document

from participation.errors import ParticipationError
from participation.importing import kind_of, to_markdown
from participation.models import AuditEntry, Consultation, Contribution, Section
from tests.conftest import csrf_from
from tests.participation.helpers import ago, open_consultation

STAFF = "/staff/participation"


def _docx(*sections: tuple[str, str]) -> bytes:
    document = Document()
    for heading, text in sections:
        document.add_heading(heading, level=1)
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _odt(markdown: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "draft.odt"
        pypandoc.convert_text(markdown, "odt", format="md", outputfile=str(target))
        return target.read_bytes()


async def _upload(client, consultation_id: int, name: str, data: bytes):  # noqa: ANN202
    page = await client.get(f"{STAFF}/{consultation_id}/import")
    assert page.status_code == 200
    return await client.post(
        f"{STAFF}/{consultation_id}/import",
        data={"csrf_token": csrf_from(page.text)},
        files={"file": (name, data, "application/octet-stream")},
    )


async def test_docx_import_previews_then_keeps_unchanged_sections(staff_client):
    consultation = await open_consultation(body="# Ziele\n\nAlle Leistungen online.\n\n# Alt\n\nweg\n")
    ziele = await Section.get(consultation_id=consultation.id, heading="Ziele")
    await Contribution.create(
        consultation_id=consultation.id,
        section_id=ziele.id,
        number=1,
        body="Gut",
        status="published",
        received_at=ago(1),
    )
    preview = await _upload(
        staff_client, consultation.id, "entwurf.docx", _docx(("Ziele", "Alle Leistungen online."), ("Neu", "Text"))
    )
    assert preview.status_code == 200
    assert "unverändert" in preview.text and "entfernt" in preview.text and "neu" in preview.text
    assert (await Consultation.get(id=consultation.id)).body.startswith("# Ziele")  # nothing saved yet
    body = preview.text.split('name="body" rows="16">')[1].split("</textarea>")[0]
    saved = await staff_client.post(
        f"{STAFF}/{consultation.id}/import/save",
        data={"csrf_token": csrf_from(preview.text), "body": body.replace("&#34;", '"')},
    )
    assert saved.status_code == 303
    sections = await Section.filter(consultation_id=consultation.id).order_by("position")
    assert [s.heading for s in sections] == ["Ziele", "Neu"]
    assert sections[0].id == ziele.id and await Contribution.filter(section_id=ziele.id).count() == 1
    assert await AuditEntry.exists(action="import")


async def test_odt_import_and_refusals(staff_client):
    consultation = await open_consultation()
    odt = _odt("# Erster Teil\n\nText\n\n## Unterpunkt\n\nMehr")
    assert kind_of(odt) == "odt"
    preview = await _upload(staff_client, consultation.id, "entwurf.odt", odt)
    assert preview.status_code == 200 and "Erster Teil" in preview.text and "Unterpunkt" in preview.text
    fake = await _upload(staff_client, consultation.id, "entwurf.docx", b"%PDF-1.7 not a docx")
    assert fake.status_code == 400
    zipped = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("hello.txt", "hi")
    other_zip = await _upload(staff_client, consultation.id, "entwurf.docx", zipped.getvalue())
    assert other_zip.status_code == 400
    page = await staff_client.get(f"{STAFF}/{consultation.id}/import")
    none = await staff_client.post(f"{STAFF}/{consultation.id}/import", data={"csrf_token": csrf_from(page.text)})
    assert none.status_code == 400
    too_big = await _upload(staff_client, consultation.id, "x.docx", b"PK\x03\x04" + b"0" * (10 * 1024 * 1024 + 1))
    assert too_big.status_code in (400, 413)
    with pytest.raises(ParticipationError):
        await to_markdown(b"PK\x03\x04" + b"0" * (10 * 1024 * 1024 + 1))
    broken = await _upload(staff_client, consultation.id, "x.docx", b"PK\x03\x04broken")
    assert broken.status_code == 400
    assert (await Consultation.get(id=consultation.id)).body == consultation.body
