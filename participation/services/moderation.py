"""Moderation: one queue across all consultations, bulk decisions, blocks, every action in the audit log."""

from __future__ import annotations

from typing import Any

from agora.db import transaction
from agora.i18n import gettext as _
from participation import mail
from participation.errors import ParticipationError
from participation.models import HIDDEN, PENDING_MODERATION, PUBLISHED, Block, Contribution
from participation.services.consultations import audit

QUEUE_LIMIT = 200
STATUS_FILTERS: dict[str, dict[str, Any]] = {
    "waiting": {"status": PENDING_MODERATION},
    "published": {"status": PUBLISHED},
    "hidden": {"status": HIDDEN},
    "flagged": {"flags_count__gt": 0, "status__in": (PUBLISHED, PENDING_MODERATION, HIDDEN)},
}
ORDER = {"oldest": ("created_at", "id"), "newest": ("-created_at", "-id"), "flags": ("-flags_count", "id")}


async def queue(status: str, consultation_id: int | None, sort: str) -> list[Contribution]:
    query = Contribution.filter(**STATUS_FILTERS[status])
    if consultation_id is not None:
        query = query.filter(consultation_id=consultation_id)
    return await query.order_by(*ORDER[sort]).limit(QUEUE_LIMIT).prefetch_related("consultation", "section")


async def waiting_count() -> int:
    return await Contribution.filter(status=PENDING_MODERATION).count()


async def moderate(actor: str, ids: list[int], action: str, reason: str) -> int:
    """Publish or hide contributions; the authors of hidden ones are told why. Returns how many changed."""
    rows = await Contribution.filter(id__in=ids, status__in=(PENDING_MODERATION, PUBLISHED, HIDDEN)).prefetch_related(
        "consultation"
    )
    changed = 0
    async with transaction():
        for row in rows:
            if action == "publish":
                if row.status == PUBLISHED:
                    continue
                await Contribution.filter(id=row.id).update(status=PUBLISHED, hidden_reason="")
                if row.status == PENDING_MODERATION:
                    row.status = PUBLISHED
                    await mail.tell_followers(row.consultation, row)
            else:
                if row.status == HIDDEN:
                    continue
                await Contribution.filter(id=row.id).update(status=HIDDEN, hidden_reason=reason)
                await mail.tell_hidden(row, row.consultation, reason)
            await audit(actor, action, consultation_id=row.consultation_id, contribution_id=row.id, detail=reason)
            changed += 1
    return changed


async def block(actor: str, participant_id: int, reason: str) -> None:
    if await Block.exists(participant_id=participant_id):
        raise ParticipationError({"form": _("This participant is already blocked.")})
    async with transaction():
        await Block.create(participant_id=participant_id, reason=reason)
        await audit(actor, "block", detail=f"{participant_id}: {reason}")


async def unblock(actor: str, participant_id: int) -> None:
    async with transaction():
        removed = await Block.filter(participant_id=participant_id).delete()
        if not removed:
            raise ParticipationError({"form": _("This participant is not blocked.")})
        await audit(actor, "unblock", detail=str(participant_id))


async def blocked_ids() -> set[int]:
    return {block.participant_id for block in await Block.all()}
