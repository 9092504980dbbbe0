"""The public side: contributions and replies, verification, edits, withdrawal, supports, flags, following."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from agora import ratelimit
from agora.accounts.participants import services as participants
from agora.db import transaction
from agora.i18n import gettext as _
from agora.settings import Settings
from participation import mail
from participation.errors import NotFound, ParticipationError
from participation.forms import ContributionInput
from participation.models import (
    MAX_DEPTH,
    ONLINE,
    PENDING_MODERATION,
    PENDING_VERIFICATION,
    PRE,
    PUBLISHED,
    WITHDRAWN,
    Block,
    Consultation,
    Contribution,
    Flag,
    Follow,
    Section,
    Support,
)
from participation.services.consultations import audit

EDIT_WINDOW = timedelta(minutes=15)
PER_PERSON = ratelimit.limit("participation.contribute.person", 10, timedelta(hours=1), (40, timedelta(days=1)))
PER_ADDRESS = ratelimit.limit("participation.contribute.ip", 30, timedelta(hours=1), (150, timedelta(days=1)))


def _now() -> datetime:
    return datetime.now(UTC)


class Throttled(ParticipationError):
    """Too many contributions from this person or address; retry_after in seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__({"body": _("You have written many contributions in a short time. Please try again later.")})
        self.retry_after = retry_after


async def _next_number(consultation_id: int) -> int:
    last = await Contribution.filter(consultation_id=consultation_id).order_by("-number").first()
    return (last.number if last else 0) + 1


async def _blocked(participant_id: int | None) -> bool:
    return participant_id is not None and await Block.exists(participant_id=participant_id)


def _visible_status(consultation: Consultation) -> str:
    return PENDING_MODERATION if consultation.moderation == PRE else PUBLISHED


async def submit(
    settings: Settings,
    consultation: Consultation,
    data: ContributionInput,
    *,
    participant_id: int | None,
    ip_address: str,
    language: str,
) -> Contribution | None:
    """Store a contribution. Signed-in participants publish (or wait for moderation); anyone else gives an email
    address and the contribution waits until the sign-in link sent there is confirmed. A filled honeypot is
    answered like a success and stores nothing (None)."""
    if data.website:
        return None
    if not consultation.is_open():
        raise ParticipationError({"body": _("This consultation does not take contributions at the moment.")})
    if await _blocked(participant_id):
        raise ParticipationError({"body": _("Your account may not contribute at the moment.")})
    person = await participants.get_participant(participant_id)
    if person is None and not data.email:
        raise ParticipationError({"email": _("Please enter your email address so that we can verify it.")})
    author_key = f"p{person.id}" if person else data.email.lower()
    for rule, key in ((PER_PERSON, author_key), (PER_ADDRESS, ip_address)):
        wait = await ratelimit.retry_after(rule, key)
        if wait is not None:
            raise Throttled(wait)
    section, parent = await _placement(consultation, data)
    duplicate = Contribution.filter(consultation_id=consultation.id, body=data.body).exclude(status=WITHDRAWN)
    duplicate = duplicate.filter(author_id=person.id) if person else duplicate.filter(author_email=data.email)
    if await duplicate.exists():
        raise ParticipationError({"body": _("You have already sent this contribution.")})
    async with transaction():
        for rule, key in ((PER_PERSON, author_key), (PER_ADDRESS, ip_address)):
            await ratelimit.record(rule, key)
        contribution = await Contribution.create(
            consultation_id=consultation.id,
            section_id=section.id if section else (parent.section_id if parent else None),
            parent_id=parent.id if parent else None,
            depth=parent.depth + 1 if parent else 0,
            number=await _next_number(consultation.id),
            category=data.category,
            body=data.body,
            author_id=person.id if person else None,
            author_email="" if person else data.email,
            author_name=data.name or (person.display_name if person else ""),
            show_name=data.show_name,
            organisation=data.organisation or (person.organisation if person else ""),
            status=_visible_status(consultation) if person else PENDING_VERIFICATION,
            kind=ONLINE,
            received_at=_now(),
        )
        if person is None:
            await participants.request_signin(
                settings,
                data.email,
                ip_address=ip_address,
                language=language,
                consent=False,
                next_url=f"/beteiligung/{consultation.slug}",
            )
        elif contribution.status == PUBLISHED:
            await mail.tell_followers(consultation, contribution)
    return contribution


async def _placement(consultation: Consultation, data: ContributionInput) -> tuple[Section | None, Contribution | None]:
    section = parent = None
    if data.section_id is not None:
        section = await Section.get_or_none(id=data.section_id, consultation_id=consultation.id)
        if section is None:
            raise ParticipationError({"section_id": _("Please choose one of the sections.")})
    if data.parent_id is not None:
        parent = await Contribution.get_or_none(id=data.parent_id, consultation_id=consultation.id, status=PUBLISHED)
        if parent is None:
            raise ParticipationError({"parent_id": _("This contribution cannot be replied to.")})
        if parent.depth >= MAX_DEPTH:
            raise ParticipationError({"parent_id": _("Replies go at most two levels deep.")})
    return section, parent


async def on_verified(participant_id: int, email: str) -> None:
    """Signin hook: contributions written before the address was verified now belong to the participant."""
    waiting = await Contribution.filter(author_email=email, status=PENDING_VERIFICATION).prefetch_related(
        "consultation"
    )
    for contribution in waiting:
        status = _visible_status(contribution.consultation)
        await Contribution.filter(id=contribution.id).update(author_id=participant_id, author_email="", status=status)
        if status == PUBLISHED:
            contribution.status = status
            await mail.tell_followers(contribution.consultation, contribution)


async def own_contribution(participant_id: int, contribution_id: int) -> Contribution:
    found = await Contribution.get_or_none(id=contribution_id, author_id=participant_id)
    if found is None:
        raise NotFound({"contribution": _("This contribution does not exist.")})
    return found


async def edit(participant_id: int, contribution_id: int, body: str) -> Contribution:
    contribution = await own_contribution(participant_id, contribution_id)
    if contribution.status == WITHDRAWN or contribution.created_at + EDIT_WINDOW < _now():
        raise ParticipationError(
            {"body": _("A contribution can be changed only within %(minutes)s minutes.", minutes=15)}
        )
    async with transaction():
        contribution.body = body
        contribution.edited_at = _now()
        await contribution.save(update_fields=["body", "edited_at"])
    return contribution


async def withdraw(participant_id: int, contribution_id: int) -> Contribution:
    contribution = await own_contribution(participant_id, contribution_id)
    async with transaction():
        await Contribution.filter(id=contribution.id).update(status=WITHDRAWN)
        await audit(
            f"participant:{participant_id}",
            "withdraw",
            contribution_id=contribution.id,
            consultation_id=contribution.consultation_id,
        )
    contribution.status = WITHDRAWN
    return contribution


async def _published(contribution_id: int) -> Contribution:
    found = await Contribution.get_or_none(id=contribution_id, status=PUBLISHED).prefetch_related("consultation")
    if found is None:
        raise NotFound({"contribution": _("This contribution does not exist.")})
    return found


async def support(participant_id: int, contribution_id: int) -> bool:
    """Co-sign a published contribution once. False when this person already supports it."""
    contribution = await _published(contribution_id)
    if await _blocked(participant_id):
        raise ParticipationError({"form": _("Your account may not contribute at the moment.")})
    if contribution.author_id == participant_id:
        raise ParticipationError({"form": _("You cannot support your own contribution.")})
    try:
        async with transaction():
            await Support.create(contribution_id=contribution.id, participant_id=participant_id)
            await Contribution.filter(id=contribution.id).update(supports_count=F("supports_count") + 1)
    except IntegrityError:
        return False
    return True


async def flag(participant_id: int, contribution_id: int, reason: str) -> bool:
    """Report a contribution. Past the consultation's threshold it leaves the page until a moderator decides."""
    contribution = await _published(contribution_id)
    try:
        async with transaction():
            await Flag.create(contribution_id=contribution.id, participant_id=participant_id, reason=reason)
            await Contribution.filter(id=contribution.id).update(flags_count=F("flags_count") + 1)
            count = await Flag.filter(contribution_id=contribution.id).count()
            if count >= contribution.consultation.flag_threshold:
                moved = await Contribution.filter(id=contribution.id, status=PUBLISHED).update(
                    status=PENDING_MODERATION
                )
                if moved:
                    await audit(
                        "system",
                        "held_for_review",
                        consultation_id=contribution.consultation_id,
                        contribution_id=contribution.id,
                        detail=_("%(count)s flags", count=count),
                    )
    except IntegrityError:
        return False
    return True


async def follow(participant_id: int, consultation_id: int, mode: str) -> None:
    async with transaction():
        updated = await Follow.filter(consultation_id=consultation_id, participant_id=participant_id).update(mode=mode)
        if not updated:
            await Follow.create(consultation_id=consultation_id, participant_id=participant_id, mode=mode)


async def unfollow(participant_id: int, consultation_id: int) -> None:
    await Follow.filter(consultation_id=consultation_id, participant_id=participant_id).delete()
