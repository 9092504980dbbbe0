"""Server-rendered SVG charts: horizontal bars and a line of means, each with a title and a description.

The figures are also in a table beside each chart, so nothing is only in the picture; a suppressed value is
drawn as no bar and named in the description.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from agora.i18n import gettext as _

WIDTH = 560
BAR = 22
GAP = 8
LABEL = 200


@dataclass
class Bar:
    label: str
    value: float | None  # None: suppressed


def _svg(chart_id: str, title: str, description: str, height: int, body: str) -> Markup:
    return Markup(  # noqa: S704 - every text below is escaped
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>'
        f"{body}</svg>"
    )


def bars(chart_id: str, title: str, items: list[Bar], *, unit: str = "%", scale: float = 100.0) -> Markup:
    """Horizontal bars of values from 0 to scale."""
    height = len(items) * (BAR + GAP) + GAP
    parts = []
    described = []
    for index, item in enumerate(items):
        y = GAP + index * (BAR + GAP)
        parts.append(
            f'<text x="{LABEL - 6}" y="{y + BAR * 0.7:.0f}" text-anchor="end" font-size="13">'
            f"{escape(item.label[:30])}</text>"
        )
        if item.value is None:
            parts.append(f'<text x="{LABEL + 4}" y="{y + BAR * 0.7:.0f}" font-size="13">{escape(_("hidden"))}</text>')
            described.append(_("%(label)s: hidden (too few answers)", label=item.label))
            continue
        width = max(0.0, min(1.0, item.value / scale)) * (WIDTH - LABEL - 60)
        parts.append(f'<rect x="{LABEL}" y="{y}" width="{width:.1f}" height="{BAR}" fill="#1d5b94"></rect>')
        parts.append(
            f'<text x="{LABEL + width + 4:.1f}" y="{y + BAR * 0.7:.0f}" font-size="13">{item.value:g}{unit}</text>'
        )
        described.append(f"{item.label}: {item.value:g}{unit}")
    return _svg(chart_id, title, "; ".join(described), height, "".join(parts))


def line(chart_id: str, title: str, points: list[Bar], *, low: float, high: float) -> Markup:
    """Means per wave joined by a line; a suppressed wave leaves a gap."""
    height = 220
    top, bottom, left, right = 20, 180, 40, WIDTH - 20
    step = (right - left) / max(1, len(points) - 1)
    parts = [f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#555"></line>']
    for value in (low, high):
        y = bottom - (value - low) / (high - low) * (bottom - top)
        parts.append(f'<text x="{left - 6}" y="{y + 4:.0f}" text-anchor="end" font-size="12">{value:g}</text>')
    previous = None
    described = []
    for index, point in enumerate(points):
        x = left + index * step
        parts.append(f'<text x="{x:.0f}" y="{bottom + 18}" text-anchor="middle" font-size="11">{index + 1}</text>')
        if point.value is None:
            previous = None
            described.append(_("%(label)s: hidden (too few answers)", label=point.label))
            continue
        y = bottom - (point.value - low) / (high - low) * (bottom - top)
        if previous is not None:
            parts.append(
                f'<line x1="{previous[0]:.1f}" y1="{previous[1]:.1f}" x2="{x:.1f}" y2="{y:.1f}" '
                'stroke="#1d5b94" stroke-width="2"></line>'
            )
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#1d5b94"></circle>')
        previous = (x, y)
        described.append(f"{point.label}: {point.value:g}")
    return _svg(chart_id, title, "; ".join(described), height, "".join(parts))
