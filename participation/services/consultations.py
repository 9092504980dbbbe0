"""Consultations and their sections: create, edit (re-splitting the body), list, and the audit log."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from agora import pagecache
from agora.db import transaction
from agora.i18n import gettext as _
from participation.document import DraftSection, split_sections
from participation.errors import NotFound, ParticipationError
from participation.models import (
    DRAFT,
    OPEN,
    AuditEntry,
    Consultation,
    Section,
)

SLUG = re.compile(r"[a-z0-9-]{1,120}")


def _now() -> datetime:
    return datetime.now(UTC)


async def audit(
    actor: str, action: str, *, consultation_id: int | None = None, contribution_id: int | None = None, detail: str = ""
) -> None:
    await AuditEntry.create(
        actor=actor[:254],
        action=action,
        consultation_id=consultation_id,
        contribution_id=contribution_id,
        detail=detail,
    )


async def get_consultation(consultation_id: int) -> Consultation:
    found = await Consultation.get_or_none(id=consultation_id)
    if found is None:
        raise NotFound({"consultation": _("This consultation does not exist.")})
    return found


async def public_consultation(slug: str) -> Consultation:
    """A consultation the public may see (published); drafts and impossible slugs are not found."""
    found = await Consultation.get_or_none(slug=slug) if SLUG.fullmatch(slug) else None
    if found is None or found.phase() == DRAFT:
        raise NotFound({"consultation": _("This consultation does not exist.")})
    # Its pages are cached: the phase moves on with the clock alone.
    _declare_phase_changes(found)
    return found


def _declare_phase_changes(c: Consultation) -> None:
    pagecache.changes_at(c.published_at, c.opens_at, c.closes_at, c.evaluation_at, c.result_published_at)


async def public_consultations() -> list[Consultation]:
    rows = await Consultation.filter(published_at__not_isnull=True).order_by("-opens_at", "-id")
    for c in rows:
        _declare_phase_changes(c)
    return [c for c in rows if c.phase() != DRAFT]


async def home_consultations() -> list[dict[str, Any]]:
    """The home page's section: consultations open for contributions. The home page is cached, so the moments
    at which a consultation appears or leaves by the clock alone are declared to the page cache."""
    rows = await Consultation.filter(published_at__not_isnull=True).order_by("-opens_at", "-id")
    for c in rows:
        _declare_phase_changes(c)
    now = _now()
    return [
        {"title": c.title, "url": f"/beteiligung/{c.slug}", "when": c.closes_at}
        for c in rows
        if c.published_at is not None and c.published_at <= now and c.phase() == OPEN
    ]


async def _check_slug(slug: str, own_id: int | None) -> None:
    if not slug:
        raise ParticipationError({"slug": _("Please enter a web address name.")})
    taken = await Consultation.filter(slug=slug).exclude(id=own_id or 0).exists()
    if taken:
        raise ParticipationError({"slug": _("This web address name is already used by another consultation.")})


async def _sync_sections(consultation: Consultation) -> None:
    """Re-split the body. A section whose heading is unchanged keeps its row, and so its contributions."""
    _preamble, drafts = split_sections(consultation.body)
    existing = {s.heading: s for s in await Section.filter(consultation_id=consultation.id)}
    kept: list[tuple[Section, DraftSection]] = []
    new: list[DraftSection] = []
    for draft in drafts:
        match = existing.pop(draft.heading, None)
        if match is None:
            new.append(draft)
        else:
            kept.append((match, draft))
    if existing:
        await Section.filter(id__in=[s.id for s in existing.values()]).delete()
    # Anchors are unique per consultation: move kept rows out of the way before renumbering them.
    for row, _draft in kept:
        await Section.filter(id=row.id).update(anchor=f"tmp-{row.id}")
    for position, draft in enumerate(drafts):
        values: dict[str, Any] = {
            "number": draft.number,
            "position": position,
            "level": draft.level,
            "anchor": draft.anchor,
            "heading": draft.heading,
            "body": draft.body,
            "start": draft.start,
            "end": draft.end,
        }
        match = next((r for r, d in kept if d is draft), None)
        if match is None:
            await Section.create(consultation_id=consultation.id, **values)
        else:
            await Section.filter(id=match.id).update(**values)


async def _check_survey(survey_id: int | None) -> None:
    from surveys import api as surveys

    if survey_id is not None and not await surveys.survey_is_published(survey_id):
        raise ParticipationError({"survey_id": _("Please choose a published survey.")})


async def survey_beside(consultation: Consultation) -> tuple[str, str] | None:
    """(title, path) of the consultation's survey while anyone may answer it."""
    from surveys import api as surveys

    return await surveys.open_survey_link(consultation.survey_id)


async def create_consultation(**fields: Any) -> Consultation:
    await _check_slug(fields["slug"], None)
    await _check_survey(fields.get("survey_id"))
    async with transaction():
        consultation = await Consultation.create(**fields)
        await _sync_sections(consultation)
    return consultation


async def update_consultation(consultation_id: int, **fields: Any) -> Consultation:
    consultation = await get_consultation(consultation_id)
    await _check_slug(fields["slug"], consultation.id)
    await _check_survey(fields.get("survey_id"))
    async with transaction():
        for key, value in fields.items():
            setattr(consultation, key, value)
        await consultation.save()
        await _sync_sections(consultation)
    return consultation


async def sections_of(consultation_id: int) -> list[Section]:
    return await Section.filter(consultation_id=consultation_id).order_by("position")


async def audit_log(limit: int = 200) -> list[AuditEntry]:
    return await AuditEntry.all().order_by("-created_at", "-id").limit(limit)


async def replace_body(actor: str, consultation_id: int, body: str) -> Consultation:
    """A new body (an imported document): sections whose heading is unchanged keep their contributions."""
    consultation = await get_consultation(consultation_id)
    async with transaction():
        consultation.body = body
        await consultation.save(update_fields=["body", "updated_at"])
        await _sync_sections(consultation)
        await audit(actor, "import", consultation_id=consultation.id)
    return consultation


def compare_sections(old: list[Section], body: str) -> list[tuple[str, str, str]]:
    """(number, heading, state) of the sections a new body gives: "unchanged", "changed" or "new"; then the
    sections that would go, as "removed"."""
    _preamble, drafts = split_sections(body)
    before = {s.heading: s for s in old}
    rows = []
    for draft in drafts:
        match = before.pop(draft.heading, None)
        state = "new" if match is None else "unchanged" if match.body == draft.body else "changed"
        rows.append((draft.number, draft.heading, state))
    rows.extend((s.number, s.heading, "removed") for s in before.values())
    return rows
