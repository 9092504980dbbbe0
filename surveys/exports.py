"""Responses as CSV and XLSX: a stable column per question, per option of a multiple choice, per matrix row and
per ranked option, with codes and labels; a codebook sheet names every column and value.

Cells are written as events' exports write them: characters a spreadsheet cannot hold become U+FFFD, and text
that starts like a formula gets a leading apostrophe. Numbers stay numbers in the XLSX file.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from agora.i18n import gettext as _
from agora.spreadsheets import safe_value as safe_cell
from surveys.definition import NO, YES, Definition, QuestionDef
from surveys.models import (
    ANONYMOUS,
    DATE,
    DROPDOWN,
    MATRIX,
    MULTIPLE,
    RANKING,
    SINGLE,
    YES_NO,
    Answer,
    Response,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def columns(question: QuestionDef) -> list[tuple[str, str]]:
    """(column, what it holds) of one question, in a fixed order."""
    code = question.code
    if question.kind in (SINGLE, DROPDOWN, YES_NO):
        cols = [(code, _("code")), (f"{code}_label", _("label"))]
        return cols + ([(f"{code}_other", _("other text"))] if question.has_other else [])
    if question.kind == MULTIPLE:
        cols = [(f"{code}_{o.code}", o.label) for o in question.options]
        return cols + ([(f"{code}_other", _("other text"))] if question.has_other else [])
    if question.kind == MATRIX:
        return [(f"{code}_{row.code}", row.label) for row in question.rows]
    if question.kind == RANKING:
        return [(f"{code}_{o.code}", o.label) for o in question.options]
    return [(code, question.label)]


async def table(definition: Definition) -> tuple[list[str], list[list[Any]]]:
    questions = definition.questions
    by_id = {q.id: q for q in questions}
    personal = definition.anonymity != ANONYMOUS
    header = ["response", "submitted_on", "session", *(["respondent"] if personal else [])]
    for question in questions:
        header += [name for name, _what in columns(question)]
    responses = await Response.filter(survey_id=definition.id).order_by("id")
    answers: dict[int, list[Answer]] = {}
    for answer in await Answer.filter(response__survey_id=definition.id).order_by("id"):
        answers.setdefault(answer.response_id, []).append(answer)
    rows = []
    for response in responses:
        cells: dict[str, Any] = {}
        for answer in answers.get(response.id, []):
            asked = by_id.get(answer.question_id)
            if asked is not None:
                for name, value in _cells(asked, answer).items():
                    if value == 0 and name in cells:  # another row of the same multiple choice chose it
                        continue
                    cells[name] = value
        row: list[Any] = [response.id, response.submitted_on.isoformat(), response.session_id or ""]
        if personal:
            row.append(response.respondent)
        for question in questions:
            for name, _what in columns(question):
                row.append(cells.get(name, ""))
        rows.append(row)
    return header, rows


def _cells(question: QuestionDef, answer: Answer) -> dict[str, Any]:
    code = question.code
    number = int(answer.number) if answer.number is not None and answer.number.is_integer() else answer.number
    if question.kind in (SINGLE, DROPDOWN, YES_NO):
        if not answer.option:
            return {}
        label = {YES: _("Yes"), NO: _("No")}.get(answer.option) if question.kind == YES_NO else None
        cells = {code: answer.option, f"{code}_label": label or question.label_of(answer.option)}
        return {**cells, **({f"{code}_other": answer.text} if answer.text else {})}
    if question.kind == MULTIPLE:
        if not answer.option:
            return {}
        chosen = {f"{code}_{o.code}": 0 for o in question.options}
        return {**chosen, f"{code}_{answer.option}": 1, **({f"{code}_other": answer.text} if answer.text else {})}
    if question.kind == MATRIX:
        return {f"{code}_{answer.row}": number} if answer.row else {}
    if question.kind == RANKING:
        return {f"{code}_{answer.option}": number} if answer.option else {}
    if question.kind == DATE or answer.text:
        return {code: answer.text} if answer.text else {}
    return {code: number} if number is not None else {}


def codebook(definition: Definition) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for question in definition.questions:
        for name, what in columns(question):
            values = ""
            if name == question.code and question.choices():
                values = "; ".join(f"{o.code} = {question.label_of(o.code)}" for o in question.choices())
            elif question.kind == MULTIPLE and name != f"{question.code}_other":
                values = _("1 = chosen, 0 = not chosen")
            elif question.kind in (MATRIX,) or question.scale():
                values = ", ".join(str(v) for v in question.scale())
            rows.append([name, question.code, question.kind, question.label, what, values])
    return rows


def to_csv(header: list[str], rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(v) for v in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(header: list[str], rows: list[list[Any]], book: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "responses"
    for line in [header, *rows]:
        sheet.append([safe_cell(v) for v in line])
    codes = workbook.create_sheet("codebook")
    codes.append([_("column"), _("question code"), _("kind"), _("question"), _("holds"), _("values")])
    for line in book:
        codes.append([safe_cell(v) for v in line])
    for page in (sheet, codes):
        for cell in page[1]:
            cell.font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def export(definition: Definition, fmt: str) -> tuple[bytes, str, str]:
    header, rows = await table(definition)
    if fmt == "csv":
        return to_csv(header, rows), "text/csv; charset=utf-8", f"survey-{definition.id}-responses.csv"
    return to_xlsx(header, rows, codebook(definition)), XLSX, f"survey-{definition.id}-responses.xlsx"
