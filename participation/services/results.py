"""The public results: summary figures and every weighed contribution with its published response."""

from __future__ import annotations

from collections import Counter

from participation.models import PENDING_VERIFICATION, RESPONSE_PUBLISHED, Consultation, Contribution, Response
from participation.services.public import ResultView


async def result_view(consultation: Consultation) -> ResultView:
    rows = (
        await Contribution.filter(consultation_id=consultation.id, depth=0)
        .exclude(status=PENDING_VERIFICATION)
        .order_by("number")
        .prefetch_related("section")
    )
    responses = {
        r.contribution_id: r
        for r in await Response.filter(contribution__consultation_id=consultation.id, state=RESPONSE_PUBLISHED)
    }
    votes = Counter(r.vote for r in responses.values())
    return ResultView(consultation, rows, responses, votes, len(rows), len(responses))
