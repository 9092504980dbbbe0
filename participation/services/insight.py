"""Figures for the staff: contributions per section, category and day, supports, flags and open responses."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from babel.dates import format_date

from agora.i18n import current_locale, to_local
from participation.labels import CATEGORY_LABELS
from participation.models import PENDING_VERIFICATION, RESPONSE_PUBLISHED, WITHDRAWN, Consultation, Contribution
from participation.services.consultations import sections_of

BAR_WIDTH = 24
CHART_HEIGHT = 120


@dataclass
class Bar:
    label: str
    value: int
    x: int
    height: int


@dataclass
class Insight:
    per_section: list[tuple[str, int]]
    per_category: list[tuple[str, int]]
    per_day: list[Bar]
    chart_width: int
    chart_height: int
    supports: int
    flags: int
    open_responses: int
    total: int


async def insight(consultation: Consultation) -> Insight:
    rows = (
        await Contribution.filter(consultation_id=consultation.id)
        .exclude(status__in=(PENDING_VERIFICATION, WITHDRAWN))
        .prefetch_related("response")
    )
    sections = await sections_of(consultation.id)
    by_section = Counter(r.section_id for r in rows)
    per_section = [(f"{s.number} {s.heading}", by_section.get(s.id, 0)) for s in sections]
    per_section.append(("–", by_section.get(None, 0)))
    by_category = Counter(r.category for r in rows)
    per_category = [(str(label), by_category.get(key, 0)) for key, label in CATEGORY_LABELS.items()]
    by_day = Counter(to_local(r.received_at).date() for r in rows)
    days = sorted(by_day)
    top = max(by_day.values(), default=1)
    bars = [
        Bar(
            format_date(day, "short", locale=current_locale.get()),
            by_day[day],
            index * (BAR_WIDTH + 8),
            round(CHART_HEIGHT * by_day[day] / top),
        )
        for index, day in enumerate(days)
    ]
    top_level = [r for r in rows if r.depth == 0]
    answered = sum(1 for r in top_level if getattr(r, "response", None) and r.response.state == RESPONSE_PUBLISHED)
    return Insight(
        per_section=per_section,
        per_category=per_category,
        per_day=bars,
        chart_width=max(1, len(bars)) * (BAR_WIDTH + 8),
        chart_height=CHART_HEIGHT,
        supports=sum(r.supports_count for r in rows),
        flags=sum(r.flags_count for r in rows),
        open_responses=len(top_level) - answered,
        total=len(rows),
    )
