"""Weighing: responses with a vote, offices, internal notes, groups answered at once, text modules, release and
publication with the final notice to every author and co-signer."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from agora.db import transaction
from agora.i18n import gettext as _
from participation import mail, similarity
from participation.errors import NotFound, ParticipationError
from participation.models import (
    DRAFTED,
    HIDDEN,
    PENDING_VERIFICATION,
    RELEASED,
    RESPONSE_PUBLISHED,
    WITHDRAWN,
    Consultation,
    Contribution,
    Group,
    Response,
    TextModule,
)
from participation.services.consultations import audit

# Contributions that are weighed: everything received, except those that never became real or were taken back.
NOT_WEIGHED = (PENDING_VERIFICATION, WITHDRAWN)


async def contribution_of(consultation_id: int, contribution_id: int) -> Contribution:
    found = await Contribution.get_or_none(id=contribution_id, consultation_id=consultation_id)
    if found is None:
        raise NotFound({"contribution": _("This contribution does not exist.")})
    return found


async def weighed(consultation_id: int) -> list[Contribution]:
    return (
        await Contribution.filter(consultation_id=consultation_id, depth=0)
        .exclude(status__in=NOT_WEIGHED)
        .order_by("number")
        .prefetch_related("response", "section", "group")
    )


async def _write_response(actor: str, contribution: Contribution, vote: str, text: str, office: str) -> None:
    existing = await Response.get_or_none(contribution_id=contribution.id)
    if existing is not None and existing.state == RESPONSE_PUBLISHED:
        raise ParticipationError({"text": _("This response is published and can no longer be changed.")})
    if existing is None:
        await Response.create(
            contribution_id=contribution.id, vote=vote, text=text, office=office, drafted_by=actor, state=DRAFTED
        )
    else:
        await Response.filter(id=existing.id).update(
            vote=vote, text=text, office=office, drafted_by=actor, state=DRAFTED, released_by=""
        )


async def respond(
    actor: str, consultation_id: int, contribution_id: int, *, vote: str, text: str, office: str, note: str
) -> Response:
    contribution = await contribution_of(consultation_id, contribution_id)
    if contribution.status in NOT_WEIGHED or contribution.depth != 0:
        raise ParticipationError({"text": _("This contribution is not weighed.")})
    async with transaction():
        await _write_response(actor, contribution, vote, text, office)
        await Contribution.filter(id=contribution.id).update(note=note, office=office)
        await audit(actor, "respond", consultation_id=consultation_id, contribution_id=contribution.id, detail=vote)
    return await Response.get(contribution_id=contribution.id)


async def create_group(actor: str, consultation_id: int, title: str, ids: list[int]) -> Group:
    members = await Contribution.filter(id__in=ids, consultation_id=consultation_id, depth=0).exclude(
        status__in=NOT_WEIGHED
    )
    if len(members) < 2:
        raise ParticipationError({"ids": _("Please choose at least two contributions of this consultation.")})
    async with transaction():
        group = await Group.create(consultation_id=consultation_id, title=title)
        await Contribution.filter(id__in=[m.id for m in members]).update(group_id=group.id)
        await audit(actor, "group", consultation_id=consultation_id, detail=f"{title}: {[m.number for m in members]}")
    return group


async def respond_group(actor: str, consultation_id: int, group_id: int, *, vote: str, text: str, office: str) -> int:
    """The same response for every member of the group; published members keep theirs."""
    group = await Group.get_or_none(id=group_id, consultation_id=consultation_id)
    if group is None:
        raise NotFound({"group": _("This group does not exist.")})
    members = await Contribution.filter(group_id=group.id).exclude(status__in=NOT_WEIGHED).prefetch_related("response")
    written = 0
    async with transaction():
        for member in members:
            answer = getattr(member, "response", None)
            if answer is not None and answer.state == RESPONSE_PUBLISHED:
                continue
            await _write_response(actor, member, vote, text, office)
            written += 1
        await audit(actor, "respond_group", consultation_id=consultation_id, detail=f"{group.title}: {vote}")
    return written


async def ungroup(actor: str, consultation_id: int, group_id: int) -> None:
    async with transaction():
        deleted = await Group.filter(id=group_id, consultation_id=consultation_id).delete()
        if not deleted:
            raise NotFound({"group": _("This group does not exist.")})
        await audit(actor, "ungroup", consultation_id=consultation_id, detail=str(group_id))


async def groups_of(consultation_id: int) -> list[Group]:
    return await Group.filter(consultation_id=consultation_id).order_by("id").prefetch_related("members")


async def suggestions(consultation_id: int) -> list[list[Contribution]]:
    """Clusters of similar ungrouped contributions, computed on the server."""
    rows = await Contribution.filter(consultation_id=consultation_id, depth=0, group_id=None).exclude(
        status__in=(*NOT_WEIGHED, HIDDEN)
    )
    by_id = {r.id: r for r in rows}
    return [[by_id[i] for i in cluster] for cluster in similarity.clusters([(r.id, r.body) for r in rows])]


async def release(actor: str, consultation_id: int, ids: list[int]) -> int:
    async with transaction():
        count = await Response.filter(
            contribution__consultation_id=consultation_id, contribution_id__in=ids, state=DRAFTED
        ).update(state=RELEASED, released_by=actor)
        await audit(actor, "release", consultation_id=consultation_id, detail=str(count))
    return count


async def publish(actor: str, consultation: Consultation) -> tuple[int, int]:
    """Publish every released response of the consultation; one final notice per person. (responses, mails)."""
    released = await Response.filter(contribution__consultation_id=consultation.id, state=RELEASED)
    if not released:
        raise ParticipationError({"form": _("No released response is waiting to be published.")})
    batch = uuid.uuid4().hex
    moment = datetime.now(UTC)
    async with transaction():
        ids = [r.id for r in released]
        await Response.filter(id__in=ids, state=RELEASED).update(state=RESPONSE_PUBLISHED, published_at=moment)
        mails = await mail.final_notices(batch, consultation, released)
        await audit(actor, "publish_responses", consultation_id=consultation.id, detail=f"{len(ids)}/{mails}")
    return len(released), mails


async def text_modules() -> list[TextModule]:
    return await TextModule.all().order_by("title", "id")


async def add_text_module(title: str, text: str, vote: str) -> TextModule:
    return await TextModule.create(title=title, text=text, vote=vote)


async def delete_text_module(module_id: int) -> None:
    if not await TextModule.filter(id=module_id).delete():
        raise NotFound({"module": _("This text module does not exist.")})
