"""Writes and reads of the legal pages and barrier reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from agora.db import transaction
from agora.i18n import current_locale
from agora.i18n import gettext as _
from agora.pages.models import BarrierReport, ContentPage
from agora.settings import Settings
from notifications import api

# To the staff address of the settings, to the reporter (receipt) and to the reporter again with the staff's answer.
REPORT_TO_STAFF, REPORT_RECEIVED, REPORT_ANSWER = "barrier_report", "barrier_report_received", "barrier_report_answer"
for _kind in (REPORT_TO_STAFF, REPORT_RECEIVED, REPORT_ANSWER):
    api.register_kind(_kind)

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


async def report_barrier(settings: Settings, page_url: str, description: str, name: str, email: str) -> BarrierReport:
    """Store a report as BarrierReportInput reads it; mail staff and (with an address) the reporter."""
    async with transaction():
        report = await BarrierReport.create(page_url=page_url, description=description, name=name, email=email)
        context = {"report_id": report.id, "page_url": page_url, "description": description, "name": name}
        if settings.accessibility_email:
            await api.enqueue(
                REPORT_TO_STAFF,
                to=settings.accessibility_email,
                context={
                    **context,
                    "email": email,
                    "reports_url": f"{settings.base_url.rstrip('/')}/staff/barrier-reports",
                },
                dedup_key=f"pages.barrier_report:{report.id}",
            )
        if email:
            await api.enqueue(
                REPORT_RECEIVED,
                to=email,
                locale=current_locale.get(),
                context=context,
                dedup_key=f"pages.barrier_report_received:{report.id}",
            )
        return report


async def open_barrier_report_count() -> int:
    return await BarrierReport.filter(handled_at__isnull=True).count()


async def answer_barrier_report(report_id: int, staff_email: str, answer: str) -> bool:
    """Record the answer (who, when, text) and mail it to the reporter; False when the report is unknown or answered."""
    async with transaction():
        updated = await BarrierReport.filter(id=report_id, handled_at__isnull=True).update(
            handled_at=datetime.now(UTC), handled_by=staff_email, staff_note=answer
        )
        if not updated:
            return False
        report = await BarrierReport.get(id=report_id)
        if report.email:
            await api.enqueue(
                REPORT_ANSWER,
                to=report.email,
                context={
                    "report_id": report.id,
                    "description": report.description,
                    "name": report.name,
                    "answer": answer,
                },
                dedup_key=f"pages.barrier_report_answer:{report.id}",
            )
    return True
