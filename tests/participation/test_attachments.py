"""Files beside a consultation: staff attach PDF and office files that the public page lists and serves, refused
files (wrong content behind a right extension, too large) change nothing, and the scan of a letter stays with
staff."""

from __future__ import annotations

import io
import zipfile

from docx import Document
from openpyxl import Workbook

from participation.models import LETTER, PUBLISHED, Attachment, Contribution
from participation.services import attachments
from tests.conftest import csrf_from
from tests.participation.helpers import ago, open_consultation

STAFF = "/staff/participation"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _docx() -> bytes:
    buffer = io.BytesIO()
    Document().save(buffer)
    return buffer.getvalue()


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def _opendocument(kind: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", attachments.CONTENT_TYPES[kind])
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


async def _post(client, page_url: str, action: str, name: str, data: bytes):  # noqa: ANN202
    page = await client.get(page_url)
    assert page.status_code == 200
    return await client.post(
        action, data={"csrf_token": csrf_from(page.text)}, files={"file": (name, data, "application/octet-stream")}
    )


async def test_files_are_attached_listed_downloaded_and_removed(staff_client, client, database):
    consultation = await open_consultation()
    detail = f"{STAFF}/{consultation.id}"
    for name, data in [
        ("Entwurf.pdf", PDF),
        ("Begründung.docx", _docx()),
        ("Zahlen.xlsx", _xlsx()),
        ("Text.odt", _opendocument("odt")),
        ("Tabelle.ods", _opendocument("ods")),
    ]:
        accepted = await _post(staff_client, detail, detail + "/attachments", name, data)
        assert accepted.status_code == 303, name
    rows = await Attachment.filter(consultation_id=consultation.id).order_by("id")
    assert [r.kind for r in rows] == ["pdf", "docx", "xlsx", "odt", "ods"]
    page = await client.get(f"/beteiligung/{consultation.slug}")
    assert "Entwurf.pdf" in page.text and "(PDF, 48 Bytes)" in page.text and "Tabelle.ods" in page.text
    download = await client.get(f"/beteiligung/{consultation.slug}/anlagen/{rows[0].id}")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert "attachment" in download.headers["content-disposition"]
    staff_copy = await staff_client.get(f"{detail}/attachments/{rows[1].id}")
    assert len(staff_copy.content) == rows[1].size and staff_copy.content.startswith(b"PK")
    stored = attachments.path_of(database, rows[0])
    removed = await _post(staff_client, detail, f"{detail}/attachments/{rows[0].id}/delete", "x", b"")
    assert removed.status_code == 303
    assert not await Attachment.exists(id=rows[0].id) and not stored.exists()
    assert (await client.get(f"/beteiligung/{consultation.slug}/anlagen/{rows[0].id}")).status_code == 404


async def test_refused_files_change_nothing(staff_client, database, monkeypatch):
    consultation = await open_consultation()
    detail = f"{STAFF}/{consultation.id}"
    disguised = await _post(staff_client, detail, detail + "/attachments", "Entwurf.pdf", _docx())
    assert disguised.status_code == 400
    assert 'id="file-error"' in disguised.text and ".pdf, .docx, .xlsx, .odt, .ods" in disguised.text
    plain = await _post(staff_client, detail, detail + "/attachments", "Notiz.docx", b"just text")
    assert plain.status_code == 400
    program = await _post(staff_client, detail, detail + "/attachments", "setup.exe", b"MZ\x90\x00")
    assert program.status_code == 400
    empty = await staff_client.post(detail + "/attachments", data={"csrf_token": csrf_from(disguised.text)})
    assert empty.status_code == 400 and 'id="file-error"' in empty.text
    monkeypatch.setattr(attachments, "MAX_BYTES", 20)
    large = await _post(staff_client, detail, detail + "/attachments", "Entwurf.pdf", PDF)
    assert large.status_code == 400 and 'id="file-error"' in large.text
    assert not await Attachment.exists()
    folder = attachments.folder(database)
    assert not folder.exists() or not any(folder.iterdir())


async def test_a_letters_scan_is_shown_to_staff_only(staff_client, client):
    consultation = await open_consultation()
    letter = await Contribution.create(
        consultation_id=consultation.id, number=1, body="Per Post", kind=LETTER, status=PUBLISHED, received_at=ago(1)
    )
    online = await Contribution.create(
        consultation_id=consultation.id, number=2, body="Online", status=PUBLISHED, received_at=ago(1)
    )
    page = f"{STAFF}/{consultation.id}/contributions/{letter.id}"
    refused = await _post(staff_client, page, page + "/scans", "Brief.docx", _docx())
    assert refused.status_code == 400 and 'id="file-error"' in refused.text
    accepted = await _post(staff_client, page, page + "/scans", "Brief.pdf", PDF)
    assert accepted.status_code == 303
    scan = await Attachment.get(contribution_id=letter.id)
    assert "Brief.pdf" in (await staff_client.get(page)).text
    assert (await staff_client.get(f"{STAFF}/{consultation.id}/attachments/{scan.id}")).content == PDF
    public = await client.get(f"/beteiligung/{consultation.slug}")
    assert "Brief.pdf" not in public.text
    assert (await client.get(f"/beteiligung/{consultation.slug}/anlagen/{scan.id}")).status_code == 404
    other = f"{STAFF}/{consultation.id}/contributions/{online.id}"
    assert "Scan of the letter" not in (await staff_client.get(other)).text
    denied = await _post(staff_client, f"{STAFF}/{consultation.id}", other + "/scans", "Brief.pdf", PDF)
    assert denied.status_code == 400 and await Attachment.filter(contribution_id=online.id).count() == 0


async def test_files_of_a_draft_are_not_public(staff_client, client):
    consultation = await open_consultation(published_at=None)
    detail = f"{STAFF}/{consultation.id}"
    assert (await _post(staff_client, detail, detail + "/attachments", "Entwurf.pdf", PDF)).status_code == 303
    row = await Attachment.get(consultation_id=consultation.id)
    assert (await client.get(f"/beteiligung/{consultation.slug}/anlagen/{row.id}")).status_code == 404
    assert (await staff_client.get(f"{detail}/attachments/999999")).status_code == 404
