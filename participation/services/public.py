"""What the public pages show: a consultation with its sections and threads, and its results.

The page is read with a fixed number of statements whatever the number of contributions: sections, the visible
contributions, their published responses, and the reader's own supports, each in one query; threads are built
here. Anonymous readers get the same page (nothing is written).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from participation.models import (
    HIDDEN,
    PUBLISHED,
    RESPONSE_PUBLISHED,
    VOTES,
    WITHDRAWN,
    Consultation,
    Contribution,
    Response,
    Section,
    Support,
)

SORTS = {
    "newest": lambda c: (-c.created_at.timestamp(), -c.id),
    "oldest": lambda c: (c.created_at.timestamp(), c.id),
    "supported": lambda c: (-c.supports_count, -c.created_at.timestamp(), -c.id),
}
SHOWN = (PUBLISHED, HIDDEN, WITHDRAWN)


@dataclass
class Thread:
    contribution: Contribution
    response: Response | None
    replies: list[Thread] = field(default_factory=list)


@dataclass
class ConsultationView:
    consultation: Consultation
    sections: list[Section]
    threads: dict[int | None, list[Thread]]  # section id (None: the whole draft) -> threads
    supported: set[int]
    count: int


def public_name(contribution: Contribution) -> str:
    """The name shown publicly: an organisation by name; a private person only if they chose so."""
    if contribution.organisation:
        return contribution.organisation
    if contribution.show_name and contribution.author_name:
        return contribution.author_name
    return ""


async def consultation_view(consultation: Consultation, sort: str, participant_id: int | None) -> ConsultationView:
    sections = await Section.filter(consultation_id=consultation.id).order_by("position")
    rows = await Contribution.filter(consultation_id=consultation.id, status__in=SHOWN)
    responses = {
        r.contribution_id: r
        for r in await Response.filter(contribution__consultation_id=consultation.id, state=RESPONSE_PUBLISHED)
    }
    supported: set[int] = set()
    if participant_id is not None:
        supported = {
            s.contribution_id
            for s in await Support.filter(participant_id=participant_id, contribution__consultation_id=consultation.id)
        }
    key = SORTS[sort]
    nodes = {row.id: Thread(row, responses.get(row.id)) for row in rows}
    threads: dict[int | None, list[Thread]] = defaultdict(list)
    for row in sorted(rows, key=key):
        node = nodes[row.id]
        if row.parent_id is None:
            threads[row.section_id].append(node)
        elif row.parent_id in nodes:
            nodes[row.parent_id].replies.append(node)
    for node in nodes.values():
        node.replies.sort(key=lambda t: (t.contribution.created_at.timestamp(), t.contribution.id))
    count = sum(1 for r in rows if r.status == PUBLISHED)
    return ConsultationView(consultation, sections, dict(threads), supported, count)


@dataclass
class ResultView:
    consultation: Consultation
    rows: list[Contribution]
    responses: dict[int, Response]
    votes: Counter[str]
    total: int
    answered: int
    vote_order: tuple[str, ...] = VOTES
