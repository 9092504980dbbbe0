"""Words shown for the stored codes (phases, categories, statuses, votes, kinds), translated when rendered."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from agora.i18n import lazy_gettext
from participation.models import (
    ACCEPTED,
    AGREEMENT,
    ALREADY,
    CLOSED,
    DRAFT,
    DRAFTED,
    EMAIL,
    EVALUATION,
    HIDDEN,
    LETTER,
    MEETING,
    NOT_ACCEPTED,
    NOTED,
    OBJECTION,
    ONLINE,
    OPEN,
    PARTLY,
    PENDING_MODERATION,
    PENDING_VERIFICATION,
    PUBLISHED,
    QUESTION,
    RELEASED,
    RESPONSE_PUBLISHED,
    RESULT,
    SUGGESTION,
    UPCOMING,
    WITHDRAWN,
    WORKING_GROUP,
    Consultation,
)

PHASE_LABELS: dict[str, Any] = {
    DRAFT: lazy_gettext("Draft"),
    UPCOMING: lazy_gettext("Announced"),
    OPEN: lazy_gettext("Open for contributions"),
    CLOSED: lazy_gettext("Closed"),
    EVALUATION: lazy_gettext("In evaluation"),
    RESULT: lazy_gettext("Result published"),
}
CATEGORY_LABELS: dict[str, Any] = {
    SUGGESTION: lazy_gettext("Suggestion"),
    OBJECTION: lazy_gettext("Objection"),
    QUESTION: lazy_gettext("Question"),
    AGREEMENT: lazy_gettext("Agreement"),
}
STATUS_LABELS: dict[str, Any] = {
    PENDING_VERIFICATION: lazy_gettext("Waiting for email confirmation"),
    PENDING_MODERATION: lazy_gettext("Waiting for moderation"),
    PUBLISHED: lazy_gettext("Published"),
    HIDDEN: lazy_gettext("Hidden by moderation"),
    WITHDRAWN: lazy_gettext("Withdrawn by the author"),
}
VOTE_LABELS: dict[str, Any] = {
    ACCEPTED: lazy_gettext("Accepted"),
    PARTLY: lazy_gettext("Partly accepted"),
    NOT_ACCEPTED: lazy_gettext("Not accepted"),
    NOTED: lazy_gettext("Noted"),
    ALREADY: lazy_gettext("Already taken into account"),
    WORKING_GROUP: lazy_gettext("Referred to a working group"),
}
KIND_LABELS: dict[str, Any] = {
    ONLINE: lazy_gettext("Online"),
    LETTER: lazy_gettext("Letter"),
    EMAIL: lazy_gettext("Email"),
    MEETING: lazy_gettext("At a meeting"),
}
RESPONSE_STATE_LABELS: dict[str, Any] = {
    DRAFTED: lazy_gettext("Drafted"),
    RELEASED: lazy_gettext("Released"),
    RESPONSE_PUBLISHED: lazy_gettext("Published"),
}


def phase_steps(consultation: Consultation) -> list[tuple[Any, datetime | None, str]]:
    """The timeline: (label, date, state) with state "done", "current" or "later"."""
    current = consultation.phase()
    order = [UPCOMING, OPEN, CLOSED, EVALUATION, RESULT]
    dates = {
        UPCOMING: consultation.published_at,
        OPEN: consultation.opens_at,
        CLOSED: consultation.closes_at,
        EVALUATION: consultation.evaluation_at,
        RESULT: consultation.result_published_at,
    }
    position = order.index(current) if current in order else -1
    steps = []
    for index, phase in enumerate(order):
        state = "done" if index < position else "current" if index == position else "later"
        steps.append((PHASE_LABELS[phase], dates[phase], state))
    return steps
