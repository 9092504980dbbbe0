"""Personal data of participants in consultations ("my data") and what deleting an account does here."""

from __future__ import annotations

from typing import Any

from agora.db import transaction
from agora.i18n import gettext as _
from participation.models import PENDING_VERIFICATION, Block, Contribution, Flag, Follow, Support


async def personal_data(participant_id: int, email: str) -> dict[str, Any]:
    own = await Contribution.filter(author_id=participant_id).prefetch_related("consultation").order_by("id")
    waiting = await Contribution.filter(author_email=email, status=PENDING_VERIFICATION).prefetch_related(
        "consultation"
    )
    rows = [
        {
            "consultation": c.consultation.title,
            "text": c.body,
            "status": c.status,
            "name": c.author_name,
            "show_name": c.show_name,
            "organisation": c.organisation,
            "created_at": c.created_at.isoformat(),
        }
        for c in [*own, *waiting]
    ]
    supports = await Support.filter(participant_id=participant_id).count()
    follows = await Follow.filter(participant_id=participant_id).prefetch_related("consultation")
    if not rows and not supports and not follows:
        return {}
    return {
        _("Contributions to consultations"): rows,
        _("Consultations you follow"): [{"consultation": f.consultation.title, "mode": f.mode} for f in follows],
        _("Contributions you support"): supports,
    }


async def forget(participant_id: int, email: str) -> None:
    """Public contributions stay (the weighing must show them) without the name; everything else goes."""
    async with transaction():
        await Contribution.filter(author_email=email, status=PENDING_VERIFICATION).delete()
        await Contribution.filter(author_id=participant_id).update(author_id=None, author_name="", show_name=False)
        await Support.filter(participant_id=participant_id).delete()
        await Flag.filter(participant_id=participant_id).delete()
        await Follow.filter(participant_id=participant_id).delete()
        await Block.filter(participant_id=participant_id).delete()
