"""Input of the contact directory: a contact (the staff form and every row of a CSV import), the filter of a
segment, and the invitation of a segment to a session."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, field_validator

from agora.forms import Checkbox, Email, Id, InputModel, Line
from agora.forms import column_length as limit
from agora.i18n import gettext as _
from events.models import CONTACT_SIZES, Contact

TAG_MAX = 60
TAGS_MAX = 1_000


def normalise_size(raw: str) -> str | None:
    """'1 – 9' -> '1-9'. None when it is not one of CONTACT_SIZES."""
    value = re.sub(r"\s+", "", raw).replace("–", "-").replace("—", "-")
    if value in ("250+", ">=250", "ab250", "über250"):
        return "250+"
    return value if value in CONTACT_SIZES else None


def split_tags(raw: str) -> list[str]:
    tags: list[str] = []
    for part in re.split(r"[,|]", raw):
        tag = part.strip()[:TAG_MAX]
        if tag and tag.lower() not in (t.lower() for t in tags):
            tags.append(tag)
    return tags


def _date(value: Any) -> Any:
    """31.03.2026 as people in Germany write it, or 2026-03-31; empty is no date."""
    if not isinstance(value, str):
        return value
    raw = value.strip()
    if not raw:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"):
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("Unknown date %(value)s: use 2026-03-31 or 31.03.2026.", value=raw[:40]))


class ContactInput(InputModel):
    """A business in the directory; `tags` as typed ("Handel, Innenstadt"), `size` in the usual spellings."""

    company: Annotated[str, Line(limit(Contact, "company"), min_length=1)]
    contact_person: Annotated[str, Line(limit(Contact, "contact_person"))] = ""
    email: Email
    sector: Annotated[str, Line(limit(Contact, "sector"))] = ""
    size: Annotated[str, Line(20)] = ""
    tags: Annotated[str, Line(TAGS_MAX)] = ""
    consent_source: Annotated[str, Line(limit(Contact, "consent_source"))] = ""
    consent_at: Annotated[date | None, BeforeValidator(_date)] = None
    unsubscribed: Checkbox = False

    @field_validator("size")
    @classmethod
    def _size(cls, raw: str) -> str:
        size = normalise_size(raw) if raw else ""
        if size is None:
            raise ValueError(_("Unknown size %(size)s: use 1-9, 10-49, 50-249 or 250+.", size=raw))
        return size

    def fields(self) -> dict[str, Any]:
        """The directory's columns, without the unsubscription (an import never changes it)."""
        return {**self.model_dump(exclude={"tags", "unsubscribed"}), "tags": split_tags(self.tags)}


class ContactFilter(InputModel):
    """A segment of the directory (query of the list, fields of the invitation form)."""

    sector: Annotated[str, Line(limit(Contact, "sector"))] = ""
    size: str = Field(default="", json_schema_extra={"enum": ["", *CONTACT_SIZES]})
    tag: Annotated[str, Line(TAG_MAX)] = ""
    q: Annotated[str, Line(120)] = ""

    @field_validator("size")
    @classmethod
    def _size(cls, size: str) -> str:
        # A size that is none of the offered ones filters nothing, like an empty one.
        return size if size in CONTACT_SIZES else ""

    def as_dict(self) -> dict[str, str]:
        return self.model_dump()


class InviteQuery(ContactFilter):
    session: Id | None = None


class InviteInput(ContactFilter):
    session: Id
