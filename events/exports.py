"""Attendee, waitlist and answer lists of a session as CSV and XLSX.

Spreadsheets run a cell that starts with = + - @ (or a tab or carriage return, which some programs strip
before parsing) as a formula, so such values are written with a leading apostrophe: a registrant's
organisation "=HYPERLINK(...)" stays text. CSV carries a UTF-8 byte order mark so Excel reads umlauts.

Stored text may hold characters no spreadsheet can carry: control characters other than tab and line breaks
(XML 1.0, and so XLSX, refuses them; openpyxl raises), lone surrogates (not encodable as UTF-8) and the
non-characters U+FFFE/U+FFFF. Each becomes U+FFFD, visibly, in both formats, so one odd value never breaks the
export of a whole session.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from agora.i18n import format_dt, format_money
from agora.i18n import gettext as _
from agora.spreadsheets import safe_text as safe_cell
from events.models import ATTENDED, CONFIRMED, ONLINE, PENDING_APPROVAL, PENDING_CONFIRMATION, Registration, Session
from events.services import common
from events.services.planning import waitlist_of, waitlist_positions

KINDS = ("attendees", "waitlist", "answers")
FORMATS = ("csv", "xlsx")
ATTENDING = (CONFIRMED, ATTENDED, PENDING_APPROVAL, PENDING_CONFIRMATION)

Table = tuple[list[str], list[list[str]]]


def _answer_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


async def _attendees(session: Session) -> list[Registration]:
    return (
        await Registration.filter(session_id=session.id, status__in=ATTENDING)
        .order_by("name", "id")
        .prefetch_related("track")
    )


def _fee_text(session: Session) -> str:
    fee = _("Free of charge") if session.free else format_money(session.cost)
    return f"{fee} ({session.cost_note})" if session.cost_note else fee


def _person_row(reg: Registration, fee: str) -> list[str]:
    return [
        reg.name,
        reg.organisation,
        reg.role,
        reg.email,
        ", ".join(c.get("name", "") for c in reg.colleagues or []),
        str(reg.seats),
        reg.track.title if reg.track else "",
        reg.status,
        reg.checkin_code,
        _attendance_text(reg.attendance),
        fee,
    ]


def _attendance_text(attendance: str) -> str:
    return _("Online") if attendance == ONLINE else _("In the room")


def _person_header() -> list[str]:
    return [
        _("Name"),
        _("Organisation"),
        _("Role"),
        _("Email"),
        _("Colleagues"),
        _("Seats"),
        _("Track"),
        _("Status"),
        _("Check-in code"),
        _("Takes part"),
        _("Fee per person"),
    ]


async def table(session: Session, kind: str) -> Table:
    """Header and rows of one list, as plain text (escaping happens when writing)."""
    fee = _fee_text(session)
    if kind == "attendees":
        regs = await _attendees(session)
        header = [*_person_header(), _("Checked in")]
        return header, [[*_person_row(r, fee), format_dt(r.checked_in_at)] for r in regs]
    if kind == "waitlist":
        regs = await waitlist_of(session.id)
        for reg in regs:
            await reg.fetch_related("track")
        header = [_("Position"), *_person_header(), _("On the waitlist since")]
        positions = waitlist_positions(regs)
        return header, [[str(positions[r.id]), *_person_row(r, fee), format_dt(r.waitlisted_at)] for r in regs]
    if kind == "answers":
        questions = await common.questions_for(session)
        regs = (
            await Registration.filter(session_id=session.id).filter(anonymised_at__isnull=True).order_by("name", "id")
        )
        header = [_("Name"), _("Organisation"), _("Email"), _("Status"), *(q.label for q in questions)]
        rows = [
            [
                r.name,
                r.organisation,
                r.email,
                r.status,
                *(_answer_text(r.answers.get(str(q.id))) for q in questions),
            ]
            for r in regs
        ]
        return header, rows
    raise ValueError(f"unknown export {kind}")


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(v) for v in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(header: Sequence[str], rows: Iterable[Sequence[Any]], title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Export"
    sheet.append([safe_cell(v) for v in header])
    for row in rows:
        # Written as strings, so openpyxl never turns an "=..." value into a formula cell.
        sheet.append([safe_cell(v) for v in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def export(session: Session, kind: str, fmt: str) -> tuple[bytes, str, str]:
    """(content, media type, file name)."""
    header, rows = await table(session, kind)
    name = f"session-{session.id}-{kind}.{fmt}"
    if fmt == "csv":
        return to_csv(header, rows), "text/csv; charset=utf-8", name
    if fmt == "xlsx":
        return (
            to_xlsx(header, rows, kind),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            name,
        )
    raise ValueError(f"unknown format {fmt}")
