"""XLSForm: Agora's export is read by pyxform (an independent implementation), a hand-made form imports."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from pyxform.xls2xform import convert

from surveys import xlsform
from surveys.definition import load
from surveys.models import Option, Page, Question, Survey
from tests.conftest import csrf_from
from tests.surveys.helpers import published_template


async def test_pyxform_converts_the_export(staff_client, database) -> None:
    survey = await published_template()
    got = await staff_client.get(f"/staff/surveys/{survey.id}/xlsform.xlsx")
    assert got.status_code == 200
    result = convert(io.BytesIO(got.content), file_type=".xlsx")
    xml = result.xform
    assert "<h:title>Nachbefragung Wirtschaft trifft Verwaltung</h:title>" in xml
    binds = {m.group(1): m.group(0) for m in re.finditer(r'<bind nodeset="([^"]+)"[^>]*>', xml)}
    detail = binds["/data/page_2/contacts_detail"]
    assert "relevant=" in detail and "/data/page_2/contacts" in detail and "'yes'" in detail
    assert 'required="true()"' in binds["/data/page_1/overall"]
    assert "/data/page_1/organisation/organisation_venue" in binds  # a matrix row is a question of its group
    assert "selected(" in binds["/data/page_1/topics_other"]
    assert "<label>Ja</label>" in xml and "<select " in xml  # yes and no in the reader's words


def _handmade() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in [
        ["type", "name", "label::Deutsch (de)", "required", "relevant", "appearance"],
        ["start", "start", "", "", "", ""],
        ["begin_group", "about", "Über Sie", "", "", "field-list"],
        ["select_one branchen", "branche", "Branche", "yes", "", "minimal"],
        ["select_multiple themen", "themen", "Themen", "", "", ""],
        ["end_group", "", "", "", "", ""],
        ["begin_group", "more", "Mehr", "", "", ""],
        ["text", "warum", "Warum Handwerk?", "", "${branche} = 'handwerk'", ""],
        ["text", "digital-wunsch", "Was genau?", "", "selected(${themen}, 'digital')", "multiline"],
        ["integer", "anzahl", "Beschäftigte", "", "${branche} = 'handel' and ${themen} != ''", ""],
        ["geopoint", "ort", "Ort", "", "", ""],
        ["end_group", "", "", "", "", ""],
    ]:
        sheet.append(row)
    choices = book.create_sheet("choices")
    for row in [
        ["list_name", "name", "label::Deutsch (de)"],
        ["branchen", "handwerk", "Handwerk"],
        ["branchen", "handel", "Handel"],
        ["themen", "digital", "Digitalisierung"],
        ["themen", "flaechen", "Flächen"],
    ]:
        choices.append(row)
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id"])
    settings.append(["Umfrage aus KoboToolbox", "kobo_1"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def test_a_handmade_xlsform_imports(staff_client, database) -> None:
    data = _handmade()
    convert(io.BytesIO(data), file_type=".xlsx")  # the test form itself is valid XLSForm
    listing = await staff_client.get("/staff/surveys")
    files = {"file": ("kobo.xlsx", data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
    done = await staff_client.post("/staff/surveys/import", data={"csrf_token": csrf_from(listing.text)}, files=files)
    assert done.status_code == 303
    survey = await Survey.get(title="Umfrage aus KoboToolbox")
    assert not survey.published
    pages = await Page.filter(survey_id=survey.id).order_by("position")
    assert [p.title for p in pages] == ["Über Sie", "Mehr"]
    definition = await load(survey)
    kinds = {q.code: q.kind for q in definition.questions}
    assert kinds == {
        "branche": "dropdown",
        "themen": "multiple",
        "warum": "short_text",
        "digital_wunsch": "long_text",
        "anzahl": "number",
    }
    why = await Question.get(survey_id=survey.id, code="warum")
    assert (why.condition_code, why.condition_op, why.condition_value) == ("branche", "equals", "handwerk")
    wish = await Question.get(survey_id=survey.id, code="digital_wunsch")
    assert (wish.condition_code, wish.condition_op, wish.condition_value) == ("themen", "contains", "digital")
    branche = await Question.get(survey_id=survey.id, code="branche")
    assert await Option.filter(question_id=branche.id).values_list("label", flat=True) == ["Handwerk", "Handel"]
    page = await staff_client.get(f"/staff/surveys/{survey.id}")
    assert "geopoint" in page.text and "anzahl" in page.text  # what was not taken over is named


async def test_refused_uploads(staff_client, database) -> None:
    listing = await staff_client.get("/staff/surveys")
    token = {"csrf_token": csrf_from(listing.text)}
    none = await staff_client.post("/staff/surveys/import", data=token, files={"file": ("", b"", "text/plain")})
    assert none.status_code == 400
    junk = await staff_client.post("/staff/surveys/import", data=token, files={"file": ("a.xlsx", b"junk", "x/y")})
    assert junk.status_code == 400 and "kein XLSForm" in junk.text
    book = Workbook()
    buffer = io.BytesIO()
    book.save(buffer)
    empty = await staff_client.post(
        "/staff/surveys/import", data=token, files={"file": ("b.xlsx", buffer.getvalue(), "x/y")}
    )
    assert empty.status_code == 400 and await Survey.all().count() == 0
    assert xlsform.parse_relevant("${a} > 3", {}) is None
