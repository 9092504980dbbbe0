"""Demo content of surveys: the follow-up survey answered after past sessions, and an open survey for everyone.

The responses are made up but steady (a seeded generator), enough per session for the analysis and the trend,
and one session with too few answers, so the suppression of small groups shows too.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from surveys import services
from surveys.definition import load
from surveys.models import LINK, SHORT_TEXT, SINGLE, Survey
from surveys.ready import create_followup_template

OPEN_TITLE = "Gewerbeflächen in Musterstadt"
WISHES = [
    "Schnellere Genehmigungen für Umbauten",
    "Mehr zu Fachkräften und Ausbildung",
    "Digitalisierung der Verwaltung, bitte mit Beispielen",
    "Gewerbeflächen und Breitband im Gewerbegebiet Nord",
    "Fördermittel für kleine Betriebe",
    "",
]


def _answers(rng: random.Random, mood: int) -> dict[str, Any]:
    """One made-up response; mood shifts the ratings of a session up or down."""
    overall = max(1, min(5, round(rng.gauss(3.4 + 0.4 * mood, 0.9))))
    contacts = "yes" if rng.random() < 0.6 else "no"
    return {
        "overall": overall,
        "recommend": max(0, min(10, round(rng.gauss(7 + mood, 2)))),
        "organisation": {row: max(1, min(5, overall + rng.choice((-1, 0, 0, 1)))) for row in ("venue", "time")},
        "topics": rng.sample(["permits", "staff", "digital", "space"], rng.randint(1, 2)),
        "contacts": contacts,
        "contacts_detail": rng.choice(WISHES[:4]) if contacts == "yes" else None,
        "wishes": rng.choice(WISHES) or None,
        "sector": rng.choice(["craft", "craft", "trade", "services", "industry"]),
        "size": rng.choice(["s", "s", "m", "l"]),
    }


async def followup_with_responses(waves: list[tuple[int, int]]) -> int:
    """The follow-up template, published, with the given number of responses per session id: its id."""
    survey = await create_followup_template()
    await Survey.filter(id=survey.id).update(published=True)
    definition = await load(await Survey.get(id=survey.id))
    rng = random.Random(2027)
    today = datetime.now(UTC).date()
    for mood, (session_id, count) in enumerate(waves):
        for _n in range(count):
            await services.submit(definition, _answers(rng, mood), session_id=session_id, today=today)
    return survey.id


async def create_open_survey() -> None:
    """A short survey anyone may answer, listed on the home page."""
    if await Survey.exists(title=OPEN_TITLE):
        return
    survey = await services.create_survey(
        title=OPEN_TITLE,
        intro="Die Wirtschaftsförderung plant neue Gewerbeflächen. Was braucht Ihr Betrieb?",
        published=True,
        access=LINK,
        closes_at=datetime.now(UTC) + timedelta(days=60),
    )
    page = await survey.pages.all().first()
    assert page is not None
    await services.add_question(
        survey.id,
        page.id,
        code="need",
        kind=SINGLE,
        label="Suchen Sie in den nächsten zwei Jahren eine Fläche?",
        options=[("yes", "Ja", False), ("maybe", "Vielleicht", False), ("no", "Nein", False)],
    )
    await services.add_question(
        survey.id, page.id, code="size_m2", kind="number", label="Wie viele Quadratmeter etwa?", min_value=0
    )
    await services.add_question(survey.id, page.id, code="note", kind=SHORT_TEXT, label="Was ist Ihnen wichtig?")
