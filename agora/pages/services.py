"""Writes and reads of the legal pages and barrier reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from agora.db import transaction
from agora.i18n import gettext as _
from agora.pages.models import BarrierReport, ContentPage

DEFAULTS_DIR = Path(__file__).parent / "defaults"


@dataclass(frozen=True)
class PageKind:
    slug: str
    path: str
    title_msgid: str


# The path is German on purpose: these are the addresses German public bodies are expected to have.
PAGES = (
    PageKind("impressum", "/impressum", "Legal notice"),
    PageKind("datenschutz", "/datenschutz", "Privacy policy"),
    PageKind("barrierefreiheit", "/barrierefreiheit", "Accessibility statement"),
    PageKind("leichte-sprache", "/leichte-sprache", "Easy-to-read German"),
    PageKind("gebaerdensprache", "/gebaerdensprache", "German Sign Language"),
)
# Leichte Sprache and German Sign Language are German by definition: no English version.
GERMAN_ONLY = ("leichte-sprache", "gebaerdensprache")
PAGE_BY_SLUG = {p.slug: p for p in PAGES}


@dataclass
class PageContent:
    slug: str
    language: str
    title: str
    body: str
    updated_at: datetime | None
    is_default: bool


def _default(slug: str, language: str) -> tuple[str, str]:
    path = DEFAULTS_DIR / f"{slug}.{language}.md"
    if not path.exists():
        path = DEFAULTS_DIR / f"{slug}.de.md"
    text = path.read_text(encoding="utf-8")
    title, _sep, body = text.partition("\n")
    return title.lstrip("# ").strip(), body.strip()


async def get_page(slug: str, language: str) -> PageContent:
    if slug in GERMAN_ONLY:
        language = "de"
    row = await ContentPage.get_or_none(slug=slug, language=language)
    if row:
        return PageContent(slug, language, row.title, row.body, row.updated_at, False)
    title, body = _default(slug, language)
    return PageContent(slug, language, title, body, None, True)


class PageError(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


async def save_page(slug: str, language: str, title: str, body: str, editor_email: str) -> None:
    errors = {}
    if slug not in PAGE_BY_SLUG:
        errors["slug"] = _("Unknown page.")
    if errors:
        raise PageError(errors)
    async with transaction():
        row = await ContentPage.get_or_none(slug=slug, language=language)
        if row is None:
            await ContentPage.create(
                slug=slug, language=language, title=title.strip(), body=body, updated_by=editor_email
            )
        else:
            row.title, row.body, row.updated_by = title.strip(), body, editor_email
            await row.save()


async def pages_on_defaults(languages: tuple[str, ...]) -> list[tuple[PageKind, str]]:
    """Legal pages (and their languages) still showing the shipped placeholder text."""
    saved = set(await ContentPage.all().values_list("slug", "language"))
    missing = []
    for kind in PAGES:
        for language in ("de",) if kind.slug in GERMAN_ONLY else languages:
            if (kind.slug, language) not in saved:
                missing.append((kind, language))
    return missing


async def report_barrier(page_url: str, description: str, name: str, email: str) -> BarrierReport:
    """A report as agora.pages.forms.BarrierReportInput reads it."""
    async with transaction():
        return await BarrierReport.create(page_url=page_url, description=description, name=name, email=email)


async def open_barrier_report_count() -> int:
    return await BarrierReport.filter(handled_at__isnull=True).count()


async def mark_barrier_handled(report_id: int, staff_email: str, note: str) -> bool:
    return (
        await BarrierReport.filter(id=report_id, handled_at__isnull=True).update(
            handled_at=datetime.now(UTC), handled_by=staff_email, staff_note=note[:5000]
        )
        > 0
    )
