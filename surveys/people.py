"""Personal data in surveys: the addresses on personal links, for retention, data export and deletion.

A token keeps its row without the address (used_on and the reminder time stay), so response counts survive.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from agora.db import transaction
from agora.i18n import gettext as _
from surveys.models import Survey, Token

# Addresses are needed for the link and the one reminder while a survey runs, and for questions about an
# invitation for a while after; three months after closing nobody has a reason to ask any more.
TOKEN_RETENTION_DAYS = 90


async def purge_token_addresses(now: datetime | None = None, days: int = TOKEN_RETENTION_DAYS) -> int:
    """Remove the address from tokens of surveys closed more than `days` ago. Returns the count."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    closed = await Survey.filter(closes_at__lt=cutoff).values_list("id", flat=True)
    if not closed:
        return 0
    async with transaction():
        return await Token.filter(survey_id__in=closed).exclude(email="").update(email="", draft={})


async def personal_data(participant_id: int, email: str) -> dict[str, Any]:
    """The survey invitations (personal links) held under the participant's address."""
    tokens = await Token.filter(email__iexact=email).prefetch_related("survey").order_by("created_at")
    if not tokens:
        return {}
    return {
        _("Survey invitations"): [
            {
                "survey": token.survey.title,
                "invited_at": token.created_at.isoformat(),
                "reminded_at": token.reminded_at.isoformat() if token.reminded_at else None,
                "answered_on": token.used_on.isoformat() if token.used_on else None,
            }
            for token in tokens
        ]
    }


async def forget(participant_id: int, email: str) -> None:
    """Remove the address (and any unfinished draft) from the participant's personal links."""
    if email:
        async with transaction():
            await Token.filter(email__iexact=email).update(email="", draft={})
