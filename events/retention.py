"""Retention: personal data of registrations goes a set number of days after the session ended.

The rows stay (with status, seats, track and times), so counts of registered, attended and no-shows survive.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agora.db import transaction
from events.models import Registration, Session


async def purge_personal_data(older_than_days: int, now: datetime | None = None) -> int:
    """Anonymise registrations of sessions that ended more than `older_than_days` ago. Returns the count."""
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(days=older_than_days)
    ended = await Session.filter(ends_at__lt=cutoff).values_list("id", flat=True)
    if not ended:
        return 0
    rows = await Registration.filter(session_id__in=ended, anonymised_at=None).values_list("id", flat=True)
    async with transaction():
        for registration_id in rows:
            await Registration.filter(id=registration_id, anonymised_at=None).update(
                name="",
                email=f"anonymised-{registration_id}@invalid",
                organisation="",
                role="",
                answers={},
                colleagues=[],
                consent_text="",
                anonymised_at=now,
            )
    return len(rows)
