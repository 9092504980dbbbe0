"""The contact directory of businesses: filters, edits and the CSV import with its preview.

The import reads the file twice: once for the preview (nothing written) and again, from the same bytes
carried by the confirm form, for the import itself, which writes every row in one transaction.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from agora.db import transaction
from agora.forms import FieldErrors, normalise_email, validate
from agora.i18n import gettext as _
from events.errors import EventError, NotFound
from events.forms import ContactFilter, ContactInput
from events.models import Contact, Invitation

MAX_CSV_BYTES = 512 * 1024
MAX_ROWS = 5000
UPDATE, SKIP = "update", "skip"

# Header spellings (lower case, German as Excel exports it and English) -> field
HEADERS = {
    "firma": "company",
    "unternehmen": "company",
    "company": "company",
    "ansprechperson": "contact_person",
    "ansprechpartner": "contact_person",
    "ansprechpartnerin": "contact_person",
    "contact person": "contact_person",
    "contact_person": "contact_person",
    "e-mail": "email",
    "email": "email",
    "e-mail-adresse": "email",
    "branche": "sector",
    "sector": "sector",
    "größe": "size",
    "groesse": "size",
    "size": "size",
    "schlagworte": "tags",
    "tags": "tags",
    "quelle": "consent_source",
    "source": "consent_source",
    "einwilligung am": "consent_at",
    "consent date": "consent_at",
    "consent_at": "consent_at",
}
# Directory


async def list_contacts(flt: ContactFilter, limit: int = 500) -> list[Contact]:
    query = Contact.all().order_by("company", "id")
    if flt.sector:
        query = query.filter(sector=flt.sector)
    if flt.size:
        query = query.filter(size=flt.size)
    if flt.q:
        from tortoise.expressions import Q

        query = query.filter(
            Q(company__icontains=flt.q) | Q(contact_person__icontains=flt.q) | Q(email__icontains=flt.q)
        )
    contacts = await query
    if flt.tag:
        # Tags are a short JSON list: filtering here behaves the same on SQLite and PostgreSQL.
        wanted = flt.tag.lower()
        contacts = [c for c in contacts if wanted in (t.lower() for t in c.tags or [])]
    return contacts[:limit]


async def sectors() -> list[str]:
    values = await Contact.exclude(sector="").distinct().values_list("sector", flat=True)
    return sorted({str(value) for value in values}, key=str.lower)


async def all_tags() -> list[str]:
    seen: dict[str, str] = {}
    for tags in await Contact.all().values_list("tags", flat=True):
        for tag in tags or []:
            seen.setdefault(tag.lower(), tag)
    return sorted(seen.values(), key=str.lower)


async def get_contact(contact_id: int) -> Contact:
    contact = await Contact.get_or_none(id=contact_id)
    if contact is None:
        raise NotFound({"contact": _("This contact does not exist.")})
    return contact


async def save_contact(contact_id: int | None, contact_input: ContactInput) -> Contact:
    """Create (contact_id None) or update a contact. Raises EventError when the address is taken."""
    cleaned = contact_input.fields()
    unsubscribed = contact_input.unsubscribed
    async with transaction():
        clash = await Contact.filter(email=cleaned["email"]).exclude(id=contact_id or 0).exists()
        if clash:
            raise EventError({"email": _("A contact with this email address exists already.")})
        if contact_id is None:
            return await Contact.create(**cleaned, unsubscribed=unsubscribed)
        contact = await get_contact(contact_id)
        await Contact.filter(id=contact_id).update(**cleaned, unsubscribed=unsubscribed)
        await contact.refresh_from_db()
        return contact


async def delete_contact(contact_id: int) -> None:
    async with transaction():
        await Invitation.filter(contact_id=contact_id).update(contact_id=None)
        deleted = await Contact.filter(id=contact_id).delete()
    if not deleted:
        raise NotFound({"contact": _("This contact does not exist.")})


# A participant's own data (the "my data" page) and its deletion


async def personal_data(participant_id: int, email: str) -> dict[str, Any]:
    """The directory entry and invitations held under the participant's address."""
    address = normalise_email(email)
    entries = await Contact.filter(email=address).values(
        "company", "contact_person", "sector", "size", "tags", "consent_source", "consent_at", "unsubscribed"
    )
    for entry in entries:
        entry["consent_at"] = entry["consent_at"].isoformat() if entry["consent_at"] else None
    invited = await Invitation.filter(email=address).prefetch_related("session").order_by("invited_at")
    if not entries and not invited:
        return {}
    return {
        _("Contact directory for invitations"): entries,
        _("Invitations to sessions"): [
            {"session": i.session.title, "status": i.status, "invited_at": i.invited_at.isoformat()} for i in invited
        ],
    }


async def forget(participant_id: int, email: str) -> None:
    """Delete the directory entry; invitations keep only their status, for the counts."""
    address = normalise_email(email)
    async with transaction():
        for invitation_id in await Invitation.filter(email=address).values_list("id", flat=True):
            await Invitation.filter(id=invitation_id).update(
                email=f"forgotten-{invitation_id}@invalid", contact_id=None
            )
        await Contact.filter(email=address).delete()


# CSV import

NEW, UPDATE_ROW, SKIP_ROW, ERROR = "new", "update", "skip", "error"


@dataclass
class ImportRow:
    line: int
    data: dict[str, Any]
    status: str = NEW
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    rows: list[ImportRow]
    unknown_headers: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def importable(self) -> list[ImportRow]:
        return [row for row in self.rows if row.status in (NEW, UPDATE_ROW)]


def decode_csv(data: bytes) -> str:
    """UTF-8 with or without BOM (Excel's "CSV UTF-8"), else Windows-1252 (Excel's plain "CSV")."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_rows(data: bytes) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    """(line number, field -> value) per data row, and the headers that were not understood.

    Raises EventError when the file is not a usable CSV.
    """
    if len(data) > MAX_CSV_BYTES:
        raise EventError({"file": _("The file is too large (at most %(kb)d KB).", kb=MAX_CSV_BYTES // 1024)})
    text = decode_csv(data)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") and ";" in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise EventError({"file": _("The file is empty.")}) from None
    fields_by_column = [HEADERS.get(h.strip().lower()) for h in header]
    if "company" not in fields_by_column or "email" not in fields_by_column:
        raise EventError({"file": _("The first line must name the columns, at least Firma (Company) and E-Mail.")})
    unknown = [h.strip() for h, f in zip(header, fields_by_column, strict=True) if f is None and h.strip()]
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            if len(rows) >= MAX_ROWS:
                raise EventError({"file": _("At most %(rows)d rows per file.", rows=MAX_ROWS)})
            row = {f: v for f, v in zip(fields_by_column, values, strict=False) if f is not None}
            rows.append((reader.line_num, row))
    except csv.Error:
        raise EventError({"file": _("The file could not be read as CSV.")}) from None
    return rows, unknown


async def preview_import(data: bytes, on_existing: str) -> ImportReport:
    """Validate every row against the rules, the file itself and the directory. Writes nothing."""
    parsed, unknown = read_rows(data)
    rows: list[ImportRow] = []
    for line, raw in parsed:
        try:
            rows.append(ImportRow(line=line, data=validate(ContactInput, raw).fields()))
        except FieldErrors as exc:
            errors = [f"{_column(field)}: {message}" for field, message in exc.errors.items()]
            rows.append(ImportRow(line=line, data=_shown(raw), status=ERROR, errors=errors))
    valid = [row.data["email"] for row in rows if row.status != ERROR]
    existing = set(await Contact.filter(email__in=valid).values_list("email", flat=True))
    seen: dict[str, int] = {}
    report = ImportReport(rows=rows, unknown_headers=unknown)
    for row in rows:
        email = row.data["email"]
        if row.status != ERROR and email in seen:
            row.errors.append(_("Same email address as line %(line)d.", line=seen[email]))
            row.status = ERROR
        elif row.status != ERROR:
            seen[email] = row.line
            if email in existing:
                row.status = UPDATE_ROW if on_existing == UPDATE else SKIP_ROW
    return report


def _column(field: str) -> str:
    """The column a refused value came from, in the reader's language."""
    labels = {
        "company": _("Company"),
        "contact_person": _("Contact person"),
        "email": _("Email address"),
        "sector": _("Sector"),
        "size": _("Size"),
        "tags": _("Tags"),
        "consent_source": _("Source of the consent"),
        "consent_at": _("Date of the consent"),
    }
    return labels.get(field, field)


def _shown(raw: dict[str, str]) -> dict[str, Any]:
    """A refused row as the preview lists it."""
    keys = ("company", "contact_person", "email", "sector", "size", "consent_source")
    return {key: str(raw.get(key) or "")[:200] for key in keys}


async def apply_import(rows: list[ImportRow]) -> int:
    """Write the rows in one transaction: any failure leaves the directory as it was."""
    async with transaction():
        existing = set(await Contact.filter(email__in=[r.data["email"] for r in rows]).values_list("email", flat=True))
        for row in rows:
            if row.data["email"] in existing:
                fields = {k: v for k, v in row.data.items() if k != "email"}
                await Contact.filter(email=row.data["email"]).update(**fields)
            else:
                await Contact.create(**row.data)
    return len(rows)


async def import_contacts(data: bytes, on_existing: str) -> ImportReport:
    """Check the file again (the directory may have changed since the preview) and import its good rows."""
    report = await preview_import(data, on_existing)
    await apply_import(report.importable)
    return report
