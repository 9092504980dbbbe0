"""Exports: responses with stable columns (one per option of a multiple choice), a codebook, formulas defused."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from surveys import exports
from surveys.definition import load
from surveys.models import PERSONAL, Survey
from tests.surveys.helpers import answer, published_template, typical


async def test_csv_and_xlsx_with_codebook(staff_client, database) -> None:
    survey = await published_template()
    await answer(
        survey, {**typical(1), "wishes": '=HYPERLINK("x")', "topics": ["permits", "other"], "topics-other": "Breitband"}
    )
    await answer(survey, {"overall": 2, "contacts": "no"})
    url = f"/staff/surveys/{survey.id}/export"
    got = await staff_client.get(url + ".csv")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    assert header[:3] == ["response", "submitted_on", "session"] and "respondent" not in header
    assert header.index("topics_permits") < header.index("topics_staff") < header.index("topics_other")
    first = dict(zip(header, rows[1], strict=True))
    assert (first["topics_permits"], first["topics_staff"], first["topics_digital"]) == ("1", "0", "0")
    assert first["topics_other"] == "Breitband" and first["contacts_label"] == "Ja"
    assert first["organisation_time"] == "4" and first["wishes"].startswith("'=")
    second = dict(zip(header, rows[2], strict=True))
    assert second["topics_permits"] == "" and second["contacts"] == "no"

    book = await staff_client.get(url + ".xlsx")
    workbook = load_workbook(io.BytesIO(book.content))
    assert workbook.sheetnames == ["responses", "codebook"]
    assert workbook["responses"].cell(row=2, column=header.index("overall") + 1).value == 4  # a number
    codebook = [[c.value for c in row] for row in workbook["codebook"].iter_rows(min_row=2)]
    size = next(row for row in codebook if row[0] == "size")
    assert size[1:4] == ["size", "single", "Wie viele Beschäftigte hat Ihr Unternehmen?"]
    assert "s = 1 bis 9" in size[5]
    assert next(row for row in codebook if row[0] == "topics_staff")[5] == "1 = gewählt, 0 = nicht gewählt"
    assert (await staff_client.get(url + ".pdf")).status_code == 404
    report = await staff_client.get(f"/staff/surveys/{survey.id}/report")
    assert report.status_code == 200 and "Ergebnisbericht" in report.text


async def test_personal_mode_names_the_respondent(database) -> None:
    survey = await published_template(anonymity=PERSONAL)
    await answer(survey, typical(2))
    header, rows = await exports.table(await load(await Survey.get(id=survey.id)))
    assert "respondent" in header and len(rows) == 1
