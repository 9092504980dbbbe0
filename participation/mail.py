"""Mail of consultations, always through notifications.api inside the caller's transaction.

No flood: a publish batch mails each person once, however many of their contributions it answers; followers who
chose the digest get at most one mail a day and none when nothing happened. A phase change (opening, closing, the
result) follows from the dates, so an hourly job finds the changes of the last day and tells each follower once.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tortoise.expressions import Q

from agora.accounts.models import User
from agora.accounts.participants.models import Participant
from agora.settings import Settings
from notifications import api
from participation.models import (
    CLOSED,
    DIGEST,
    OPEN,
    PENDING_MODERATION,
    PUBLISHED,
    RESPONSE_PUBLISHED,
    RESULT,
    SINGLE,
    Consultation,
    Contribution,
    Follow,
    Response,
)

RESPONSE_KIND = "participation_response"
HIDDEN_KIND = "participation_hidden"
REPLY_KIND = "participation_reply"
DIGEST_KIND = "participation_digest"
QUEUE_KIND = "participation_moderation"
PHASE_KIND = "participation_phase"
api.register_kind(RESPONSE_KIND)
api.register_kind(HIDDEN_KIND)
api.register_kind(QUEUE_KIND)
api.register_kind(REPLY_KIND, category="replies")
api.register_kind(DIGEST_KIND, category="digests")
api.register_kind(PHASE_KIND, category="follows")

# A change older than this is not told any more (the job runs hourly; a follower joining later knows the phase).
PHASE_WINDOW = timedelta(days=1)

EXCERPT = 300


def _url(consultation: Consultation, contribution: Contribution | None = None) -> str:
    base = f"{api.current_settings().base_url}/beteiligung/{consultation.slug}"
    return f"{base}#beitrag-{contribution.id}" if contribution else base


def excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


async def _people(ids: set[int]) -> dict[int, Participant]:
    return {p.id: p for p in await Participant.filter(id__in=list(ids))} if ids else {}


async def tell_followers(consultation: Consultation, contribution: Contribution) -> None:
    """A published reply: the author of the contribution it answers hears of it, if they follow by single mails."""
    if contribution.parent_id is None:
        return
    parent = await Contribution.get_or_none(id=contribution.parent_id)
    if parent is None or parent.author_id is None or parent.author_id == contribution.author_id:
        return
    if not await Follow.exists(consultation_id=consultation.id, participant_id=parent.author_id, mode=SINGLE):
        return
    person = await Participant.get_or_none(id=parent.author_id)
    if person is None:
        return
    await api.enqueue(
        REPLY_KIND,
        to=person.email,
        locale=person.language,
        context={
            "consultation": consultation.title,
            "reply": excerpt(contribution.body),
            "url": _url(consultation, contribution),
        },
        dedup_key=f"participation-reply-{contribution.id}",
    )


async def tell_hidden(contribution: Contribution, consultation: Consultation, reason: str) -> None:
    if contribution.author_id is None:
        return
    person = await Participant.get_or_none(id=contribution.author_id)
    if person is None:
        return
    await api.enqueue(
        HIDDEN_KIND,
        to=person.email,
        locale=person.language,
        context={
            "consultation": consultation.title,
            "contribution": excerpt(contribution.body),
            "reason": reason,
            "url": _url(consultation),
        },
        dedup_key=None,
    )


async def final_notices(batch: str, consultation: Consultation, responses: list[Response]) -> int:
    """One mail per person per publish batch, listing every answered contribution they wrote or co-signed."""
    by_person: dict[int, list[Contribution]] = defaultdict(list)
    contributions = {r.contribution_id: r for r in responses}
    rows = await Contribution.filter(id__in=list(contributions)).prefetch_related("supports")
    for row in rows:
        signers = {row.author_id} if row.author_id else set()
        signers.update(s.participant_id for s in row.supports)
        for person_id in signers:
            by_person[person_id].append(row)
    people = await _people(set(by_person))
    sent = 0
    for person_id, items in by_person.items():
        person = people.get(person_id)
        if person is None:
            continue
        items.sort(key=lambda c: c.number)
        await api.enqueue(
            RESPONSE_KIND,
            to=person.email,
            locale=person.language,
            context={
                "consultation": consultation.title,
                "url": f"{_url(consultation)}/ergebnis",
                "items": [
                    {
                        "number": c.number,
                        "contribution": excerpt(c.body),
                        "vote": contributions[c.id].vote,
                        "response": contributions[c.id].text,
                    }
                    for c in items
                ],
            },
            dedup_key=f"participation-final-{batch}-{person_id}",
        )
        sent += 1
    return sent


def phase_changes(consultation: Consultation, since: datetime, now: datetime) -> list[tuple[str, datetime]]:
    """(phase, moment) of each announced phase that began in [since, now] for a published consultation."""
    if consultation.published_at is None or consultation.published_at > now:
        return []
    moments = (
        (OPEN, consultation.opens_at),
        (CLOSED, consultation.closes_at),
        (RESULT, consultation.result_published_at),
    )
    return [(phase, at) for phase, at in moments if at is not None and since <= at <= now]


def _followed_before(follow: Follow, changes: list[tuple[str, datetime]]) -> list[str]:
    return [phase for phase, at in changes if follow.created_at < at]


async def tell_phase_changes(settings: Settings, now: datetime | None = None) -> int:
    """A mail to each single-mail follower per phase change, once (dedup key per consultation, phase and person);
    digest followers read of it in their digest."""
    now = now or datetime.now(UTC)
    since = now - PHASE_WINDOW
    recent = Q(opens_at__gte=since) | Q(closes_at__gte=since) | Q(result_published_at__gte=since)
    sent = 0
    for consultation in await Consultation.filter(recent, published_at__lte=now):
        changes = phase_changes(consultation, since, now)
        if not changes:
            continue
        follows = await Follow.filter(consultation_id=consultation.id, mode=SINGLE)
        people = await _people({f.participant_id for f in follows})
        for follow in follows:
            person = people.get(follow.participant_id)
            if person is None:
                continue
            for phase in _followed_before(follow, changes):
                queued = await api.enqueue(
                    PHASE_KIND,
                    to=person.email,
                    locale=person.language,
                    context={"consultation": consultation.title, "phase": phase, "url": _url(consultation)},
                    dedup_key=f"participation-phase-{consultation.id}-{phase}-{person.id}",
                )
                sent += queued is not None
    return sent


async def send_digests(settings: Settings, now: datetime | None = None) -> int:
    """The daily digest of replies and published responses on a follower's contributions and of the consultation's
    phase changes; never an empty one."""
    now = now or datetime.now(UTC)
    since = now - timedelta(days=1)
    sent = 0
    for follow in await Follow.filter(mode=DIGEST).prefetch_related("consultation"):
        phases = _followed_before(follow, phase_changes(follow.consultation, since, now))
        own = Contribution.filter(consultation_id=follow.consultation_id, author_id=follow.participant_id)
        own_ids = [c.id for c in await own]
        replies: list[Contribution] = []
        answered: list[Response] = []
        if own_ids:
            replies = await Contribution.filter(parent_id__in=own_ids, status=PUBLISHED, created_at__gte=since).exclude(
                author_id=follow.participant_id
            )
            answered = await Response.filter(
                contribution_id__in=own_ids, state=RESPONSE_PUBLISHED, published_at__gte=since
            )
        if not replies and not answered and not phases:
            continue
        person = await Participant.get_or_none(id=follow.participant_id)
        if person is None:
            continue
        day = now.date().isoformat()
        queued = await api.enqueue(
            DIGEST_KIND,
            to=person.email,
            locale=person.language,
            context={
                "consultation": follow.consultation.title,
                "url": _url(follow.consultation),
                "replies": [excerpt(r.body) for r in replies],
                "responses": len(answered),
                "phases": phases,
            },
            dedup_key=f"participation-digest-{follow.id}-{day}",
        )
        sent += queued is not None
    return sent


async def remind_moderators(settings: Settings, today: date | None = None) -> int:
    """The daily mail to moderators while contributions wait in the queue."""
    waiting = await Contribution.filter(status=PENDING_MODERATION).count()
    if not waiting:
        return 0
    day = (today or datetime.now(UTC).date()).isoformat()
    sent = 0
    for user in await User.filter(is_active=True):
        if not user.has_role("moderator"):
            continue
        context: dict[str, Any] = {"waiting": waiting, "url": f"{settings.base_url}/staff/participation/moderation"}
        queued = await api.enqueue(
            QUEUE_KIND, to=user.email, context=context, dedup_key=f"participation-queue-{day}-{user.id}"
        )
        sent += queued is not None
    return sent
