"""The ready template "Nachbefragung Wirtschaft trifft Verwaltung": the agency's follow-up after each session.

Its texts are content, written in German like the agency's surveys; the question codes stay the same in every
copy, which is what lets the analysis compare one session with the next.
"""

from __future__ import annotations

from typing import Any

from agora.db import transaction
from surveys import services
from surveys.models import (
    ANONYMOUS,
    DROPDOWN,
    EQUALS,
    LONG_TEXT,
    MATRIX,
    MULTIPLE,
    NPS,
    RATING,
    SINGLE,
    TOKENS,
    YES_NO,
    Page,
    Survey,
)

TITLE = "Nachbefragung Wirtschaft trifft Verwaltung"

PAGES: list[tuple[str, list[dict[str, Any]]]] = [
    (
        "Ihr Eindruck",
        [
            {"code": "overall", "kind": RATING, "required": True,
             "label": "Wie zufrieden waren Sie insgesamt mit der Veranstaltung?"},
            {"code": "recommend", "kind": NPS,
             "label": "Wie wahrscheinlich ist es, dass Sie die Veranstaltung einem anderen Unternehmen empfehlen?"},
            {"code": "organisation", "kind": MATRIX, "label": "Wie bewerten Sie die Organisation?",
             "rows": [("venue", "Veranstaltungsort"), ("time", "Uhrzeit"), ("length", "Dauer"),
                      ("moderation", "Moderation")]},
            {"code": "topics", "kind": MULTIPLE, "label": "Welche Themen waren für Ihr Unternehmen wichtig?",
             "options": [("permits", "Genehmigungen"), ("staff", "Fachkräfte"), ("digital", "Digitalisierung"),
                         ("space", "Gewerbeflächen"), ("other", "Anderes", True)]},
        ],
    ),
    (
        "Ergebnisse",
        [
            {"code": "contacts", "kind": YES_NO, "required": True,
             "label": "Haben Sie konkrete Ansprechpartner oder Lösungen mitgenommen?"},
            {"code": "contacts_detail", "kind": LONG_TEXT, "max_length": 2000,
             "label": "Welche? Was hat Ihnen besonders geholfen?",
             "condition": ("contacts", EQUALS, "yes")},
            {"code": "wishes", "kind": LONG_TEXT, "max_length": 2000,
             "label": "Welche Themen wünschen Sie sich für die nächsten Termine?"},
        ],
    ),
    (
        "Über Ihr Unternehmen",
        [
            {"code": "sector", "kind": DROPDOWN, "label": "Branche",
             "options": [("craft", "Handwerk"), ("trade", "Handel"), ("industry", "Industrie"),
                         ("services", "Dienstleistungen"), ("other", "Sonstige")]},
            {"code": "size", "kind": SINGLE, "label": "Wie viele Beschäftigte hat Ihr Unternehmen?",
             "options": [("s", "1 bis 9"), ("m", "10 bis 49"), ("l", "50 bis 249"), ("xl", "250 und mehr")]},
        ],
    ),
]  # fmt: skip


async def create_followup_template(title: str = TITLE) -> Survey:
    """A new, unpublished copy of the template, answered through personal links, anonymous."""
    async with transaction():
        survey = await Survey.create(
            title=title,
            intro="Vielen Dank, dass Sie bei „Wirtschaft trifft Verwaltung“ dabei waren. "
            "Die Befragung dauert etwa drei Minuten.",
            thanks="Ihre Rückmeldung hilft uns, die nächsten Termine besser zu machen.",
            anonymity=ANONYMOUS,
            access=TOKENS,
        )
        for position, (page_title, questions) in enumerate(PAGES):
            page = await Page.create(survey_id=survey.id, position=position, title=page_title)
            for spec in questions:
                condition = spec.get("condition") or ("", "", "")
                await services.add_question(
                    survey.id,
                    page.id,
                    code=spec["code"],
                    kind=spec["kind"],
                    label=spec["label"],
                    required=spec.get("required", False),
                    max_length=spec.get("max_length"),
                    options=[(o[0], o[1], len(o) > 2) for o in spec.get("options", [])],
                    rows=[(r[0], r[1], False) for r in spec.get("rows", [])],
                    condition_code=condition[0],
                    condition_op=condition[1],
                    condition_value=condition[2],
                )
    return survey
