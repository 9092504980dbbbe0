"""The consideration table (Abwägungstabelle) as CSV, XLSX and DOCX, and the staff's export of all contributions.

Private persons are anonymised unless they agreed to be named; organisations are named. Withdrawn and hidden
contributions stay in the table, marked, without their text. Every spreadsheet cell goes through safe_cell:
characters a spreadsheet cannot carry become U+FFFD, and a value that starts like a formula gets an apostrophe.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from starlette.responses import Response

from agora.i18n import format_d
from agora.i18n import gettext as _
from agora.spreadsheets import safe_text as safe_cell
from agora.spreadsheets import writable
from participation.labels import CATEGORY_LABELS, KIND_LABELS, STATUS_LABELS, VOTE_LABELS
from participation.models import (
    HIDDEN,
    PENDING_VERIFICATION,
    RESPONSE_PUBLISHED,
    WITHDRAWN,
    XBETEILIGUNG_CODES,
    Consultation,
    Contribution,
)
from participation.models import (
    Response as Answer,
)
from participation.services.public import public_name

FORMATS = ("csv", "xlsx", "docx")
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list[str]]


def author_label(contribution: Contribution) -> str:
    return public_name(contribution) or _("Private person")


def _text(contribution: Contribution) -> str:
    if contribution.status == WITHDRAWN:
        return _("Withdrawn by the author")
    if contribution.status == HIDDEN:
        return _("Hidden by moderation: %(reason)s", reason=contribution.hidden_reason)
    return contribution.body


async def consideration_table(consultation: Consultation, *, published_only: bool = True) -> Table:
    rows = (
        await Contribution.filter(consultation_id=consultation.id, depth=0)
        .exclude(status=PENDING_VERIFICATION)
        .order_by("number")
        .prefetch_related("section")
    )
    answers = {a.contribution_id: a for a in await Answer.filter(contribution__consultation_id=consultation.id)}
    header = [
        _("No."),
        _("Received"),
        _("Kind of submission"),
        _("Author"),
        _("Section"),
        _("Category"),
        _("Contribution"),
        _("Vote"),
        _("XBeteiligung code"),
        _("Response"),
        _("Co-signers"),
        _("Status"),
    ]
    table_rows = []
    for c in rows:
        answer = answers.get(c.id)
        if answer is not None and published_only and answer.state != RESPONSE_PUBLISHED:
            answer = None
        section = c.section
        table_rows.append(
            [
                str(c.number),
                format_d(c.received_at, "medium"),
                str(KIND_LABELS.get(c.kind, c.kind)),
                author_label(c),
                f"{section.number} {section.heading}" if section else _("Whole draft"),
                str(CATEGORY_LABELS.get(c.category, c.category)),
                _text(c),
                str(VOTE_LABELS[answer.vote]) if answer else "",
                str(XBETEILIGUNG_CODES[answer.vote]) if answer else "",
                answer.text if answer else "",
                str(c.supports_count),
                str(STATUS_LABELS.get(c.status, c.status)),
            ]
        )
    return Table(consultation.title, header, table_rows)


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in [table.header, *table.rows]:
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(table: Table) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "".join(ch for ch in table.title if ch not in "[]:*?/\\")[:31] or "Abwaegung"
    for row in [table.header, *table.rows]:
        # Written as strings, so openpyxl never turns an "=..." value into a formula cell.
        sheet.append([safe_cell(v) for v in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_docx(table: Table) -> bytes:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    document.add_heading(_("Consideration table: %(title)s", title=table.title), level=1)
    grid = document.add_table(rows=1, cols=len(table.header))
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, table.header, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(safe_docx(text))
        run.bold = True
        run.font.size = Pt(8)
    for row in table.rows:
        cells = grid.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(safe_docx(text)).font.size = Pt(8)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def safe_docx(value: str) -> str:
    # XML cannot hold these; formulas mean nothing in a Word table, so only the characters are replaced.
    return writable(value)


def render(table: Table, fmt: str) -> bytes:
    if fmt == "csv":
        return to_csv(table)
    if fmt == "xlsx":
        return to_xlsx(table)
    return to_docx(table)


def download(table: Table, fmt: str, name: str) -> Response:
    return Response(
        render(table, fmt),
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )
