"""Building consultations and contributions for the participation tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from participation.models import Consultation
from participation.services import consultations

BODY = """Einleitung zum Entwurf.

# Ziele

Alle Leistungen online.

# Maßnahmen

## Online-Dienste

Anwohnerparken zuerst.

## Glasfaser

Schulen zuerst anschließen.
"""


def ago(days: float) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


async def open_consultation(**overrides: Any) -> Consultation:
    data: dict[str, Any] = {
        "slug": "digitalstrategie",
        "title": "Digitalstrategie",
        "summary": "Der Entwurf",
        "office": "Amt für Digitales",
        "contact_name": "Tobias Netz",
        "contact_email": "digital@example.org",
        "topics": ["Digitales"],
        "body": BODY,
        "moderation": "post",
        "flag_threshold": 2,
        "published_at": ago(10),
        "opens_at": ago(5),
        "closes_at": ago(-20),
        "evaluation_at": None,
        "result_published_at": None,
        "result_summary": "",
    }
    data.update(overrides)
    return await consultations.create_consultation(**data)
