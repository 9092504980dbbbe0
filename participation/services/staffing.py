"""Staff-side writes and figures that are not weighing: contributions received elsewhere, list counts."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from agora.db import transaction
from agora.i18n import gettext as _
from participation.errors import ParticipationError
from participation.forms import ReceivedInput
from participation.models import PENDING_MODERATION, PUBLISHED, Consultation, Contribution, Section
from participation.services.consultations import audit


async def add_received(actor: str, consultation: Consultation, data: ReceivedInput) -> Contribution:
    """A letter, email or statement at a meeting, entered so that it is weighed and listed like any other."""
    if data.section_id is not None and not await Section.exists(id=data.section_id, consultation_id=consultation.id):
        raise ParticipationError({"section_id": _("Please choose one of the sections.")})
    received = data.received_on or datetime.now(UTC)
    async with transaction():
        last = await Contribution.filter(consultation_id=consultation.id).order_by("-number").first()
        contribution = await Contribution.create(
            consultation_id=consultation.id,
            section_id=data.section_id,
            number=(last.number if last else 0) + 1,
            category=data.category,
            body=data.body,
            author_name=data.sender.splitlines()[0][:120] if data.sender else "",
            show_name=data.show_name,
            organisation=data.organisation,
            status=PUBLISHED,
            kind=data.kind,
            received_at=received,
            sender=data.sender,
        )
        await audit(actor, "received", consultation_id=consultation.id, contribution_id=contribution.id)
    return contribution


async def counts() -> dict[int, Counter[str]]:
    """Per consultation: contributions by status (one query)."""
    result: dict[int, Counter[str]] = {}
    for consultation_id, status in await Contribution.all().values_list("consultation_id", "status"):
        result.setdefault(int(consultation_id), Counter())[str(status)] += 1
    return result


async def waiting() -> int:
    return await Contribution.filter(status=PENDING_MODERATION).count()
