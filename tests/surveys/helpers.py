"""Surveys for tests: the ready template published, and responses stored through the service."""

from __future__ import annotations

from typing import Any

from surveys import services
from surveys.definition import load
from surveys.models import LINK, Survey
from surveys.ready import create_followup_template


async def published_template(access: str = LINK, **changes: Any) -> Survey:
    survey = await create_followup_template()
    await Survey.filter(id=survey.id).update(published=True, access=access, **changes)
    return await Survey.get(id=survey.id)


async def answer(survey: Survey, answers: dict[str, Any], *, session_id: int | None = None) -> None:
    """A complete response through the service, checked by the survey's own model first."""
    from agora.forms import validate
    from surveys.forms import answers_model

    definition = await load(await Survey.get(id=survey.id))
    clean = validate(answers_model(definition), answers).model_dump(by_alias=True)
    await services.submit(definition, {**answers, **clean}, session_id=session_id)


def typical(n: int) -> dict[str, Any]:
    """The n-th of a varied set of complete answers to the template."""
    return {
        "overall": 5 - n % 3,
        "recommend": 10 - n % 5,
        "organisation": {"venue": 4, "time": 3 + n % 3},
        "topics": ["permits", "digital"] if n % 2 else ["staff"],
        "contacts": "yes" if n % 4 else "no",
        "contacts_detail": "Gute Kontakte zur Bauverwaltung und Genehmigungen" if n % 4 else "",
        "wishes": "Mehr zu Genehmigungen und Fachkräften",
        "sector": "craft" if n % 2 else "trade",
        "size": "s",
    }
