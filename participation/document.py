"""The draft's Markdown body split into numbered sections, one per heading.

Numbers follow the heading levels (1, 1.1, 1.2, 2, ...); each section keeps its character range in the body,
which is how XBeteiligung locates a contribution in the draft. Text before the first heading is the preamble and
belongs to no section.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark")
MAX_HEADING = 300


@dataclass(frozen=True)
class DraftSection:
    number: str
    level: int
    anchor: str
    heading: str
    body: str
    start: int
    end: int


def slugify(text: str, limit: int = 100) -> str:
    """ASCII words joined by hyphens: "Straßen & Plätze" -> "strassen-platze"."""
    text = text.replace("ß", "ss")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-")


def _line_offsets(text: str) -> list[int]:
    offsets = [0]
    for line in text.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    return offsets


def split_sections(body: str) -> tuple[str, list[DraftSection]]:
    """(preamble, sections) of a Markdown body."""
    tokens = _md.parse(body)
    offsets = _line_offsets(body)
    headings: list[tuple[int, int, int, str]] = []  # (level, first line, line after, text)
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.map:
            inline = tokens[index + 1]
            headings.append((int(token.tag[1:]), token.map[0], token.map[1], inline.content.strip()))
    if not headings:
        return body.strip(), []
    top = min(level for level, *_ in headings)
    counters: list[int] = []
    sections: list[DraftSection] = []
    used: set[str] = set()
    for index, (level, first, after, text) in enumerate(headings):
        depth = min(level - top, len(counters))
        counters = counters[: depth + 1]
        while len(counters) <= depth:
            counters.append(0)
        counters[depth] += 1
        number = ".".join(str(n) for n in counters)
        start = offsets[first]
        end = offsets[headings[index + 1][1]] if index + 1 < len(headings) else len(body)
        content = body[offsets[min(after, len(offsets) - 1)] : end].strip()
        base = "abschnitt-" + number.replace(".", "-")
        anchor = base
        while anchor in used:
            anchor += "-x"
        used.add(anchor)
        heading = text[:MAX_HEADING] or number
        sections.append(DraftSection(number, depth + 1, anchor, heading, content, start, end))
    preamble = body[: offsets[headings[0][1]]].strip()
    return preamble, sections
