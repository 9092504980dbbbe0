"""Staff planning tools beyond creating things: removing agenda items, tracks and questions, and looking up
registrations at the door or in the staff lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Q
from tortoise.functions import Count

from agora.db import transaction
from agora.i18n import gettext as _
from agora.settings import Settings
from events.checkin import normalise_code
from events.errors import EventError, NotFound
from events.models import (
    ATTENDED,
    CONFIRMED,
    PENDING_APPROVAL,
    PENDING_CONFIRMATION,
    SEATED,
    WAITLISTED,
    AgendaItem,
    Question,
    Registration,
    Series,
    Speaker,
    Track,
)
from events.services.sessions import check_agenda_item

SEARCH_LIMIT = 50


async def delete_agenda_item(session_id: int, item_id: int) -> None:
    async with transaction():
        if not await AgendaItem.filter(id=item_id, session_id=session_id).delete():
            raise NotFound({"item": _("This agenda item does not exist.")})


async def update_agenda_item(
    session_id: int,
    item_id: int,
    *,
    starts_at: datetime,
    ends_at: datetime,
    title: str,
    description: str = "",
    kind: str = "talk",
    room: str = "",
    track_id: int | None = None,
    speakers: list[dict[str, str]] | None = None,
) -> AgendaItem:
    """Change an item; its speakers are replaced by the given list."""
    item = await AgendaItem.get_or_none(id=item_id, session_id=session_id)
    if item is None:
        raise NotFound({"item": _("This agenda item does not exist.")})
    await check_agenda_item(
        session_id, title=title, kind=kind, starts_at=starts_at, ends_at=ends_at, track_id=track_id, speakers=speakers
    )
    async with transaction():
        await AgendaItem.filter(id=item_id).update(
            starts_at=starts_at,
            ends_at=ends_at,
            title=title.strip(),
            description=description,
            kind=kind,
            room=room,
            track_id=track_id,
        )
        await Speaker.filter(agenda_item_id=item_id).delete()
        for speaker in speakers or []:
            await Speaker.create(
                agenda_item_id=item_id,
                name=speaker["name"].strip(),
                role=speaker.get("role", ""),
                organisation=speaker.get("organisation", ""),
            )
    return await AgendaItem.get(id=item_id)


async def update_track(settings: Settings, session_id: int, track_id: int, *, title: str, capacity: int) -> Track:
    """Rename a track or change its capacity: never below the seats taken in it (checked in the UPDATE,
    so it holds against concurrent registrations); more seats go to the waitlist at once."""
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Please enter a title.")
    if capacity < 0:
        errors["capacity"] = _("Please enter a whole number, zero or more.")
    if errors:
        raise EventError(errors)
    if not await Track.exists(id=track_id, session_id=session_id):
        raise NotFound({"track": _("This track does not exist.")})
    from events.services.registration import promote_waitlist

    async with transaction():
        updated = await Track.filter(id=track_id, session_id=session_id, seats_taken__lte=capacity).update(
            title=title.strip(), capacity=capacity
        )
        if not updated:
            raise EventError({"capacity": _("The capacity cannot be lower than the seats already taken.")})
        await promote_waitlist(settings, session_id)
    return await Track.get(id=track_id)


async def delete_track(session_id: int, track_id: int) -> None:
    """A track people chose keeps their seats, so it can only go while nobody holds one in it."""
    track = await Track.get_or_none(id=track_id, session_id=session_id)
    if track is None:
        raise NotFound({"track": _("This track does not exist.")})
    async with transaction():
        if await Registration.exists(track_id=track_id, status__in=(*SEATED, WAITLISTED)):
            raise EventError({"track": _("People are registered for this track, so it cannot be removed.")})
        await track.delete()


async def delete_question(question_id: int, *, series_id: int | None = None, session_id: int | None = None) -> None:
    """Answers already given stay in the registrations; the question is no longer asked."""
    if (series_id is None) == (session_id is None):
        raise TypeError("a question belongs to a series or to a session")
    query = Question.filter(id=question_id)
    query = query.filter(series_id=series_id) if series_id is not None else query.filter(session_id=session_id)
    async with transaction():
        if not await query.delete():
            raise NotFound({"question": _("This question does not exist.")})


async def search_registrations(session_id: int, query: str) -> list[Registration]:
    """Registrations whose name, organisation, email or check-in code match; active ones only."""
    query = (query or "").strip()[:100]
    if not query:
        return []
    condition = Q(name__icontains=query) | Q(organisation__icontains=query) | Q(email__icontains=query)
    code = normalise_code(query)
    if code:
        condition |= Q(checkin_code=code)
    return (
        await Registration.filter(condition, session_id=session_id, status__in=(*SEATED, WAITLISTED))
        .order_by("name", "id")
        .limit(SEARCH_LIMIT)
    )


@dataclass(frozen=True)
class StatusCounts:
    """Registrations (not seats) per status, and seats held, for the staff overview."""

    confirmed: int
    held: int
    waitlisted: int
    pending_approval: int
    attended: int
    cancelled: int
    seats: int


async def status_counts(session_id: int) -> StatusCounts:
    rows = await Registration.filter(session_id=session_id).values_list("status", "seats")

    def count(*statuses: str) -> int:
        return sum(1 for status, _seats in rows if status in statuses)

    return StatusCounts(
        confirmed=count(CONFIRMED),
        held=count(PENDING_CONFIRMATION),
        waitlisted=count(WAITLISTED),
        pending_approval=count(PENDING_APPROVAL),
        attended=count(ATTENDED),
        cancelled=len(rows) - count(*SEATED, WAITLISTED),
        seats=sum(seats for status, seats in rows if status in SEATED),
    )


async def waitlist_of(session_id: int) -> list[Registration]:
    return await Registration.filter(session_id=session_id, status=WAITLISTED).order_by("waitlisted_at", "id")


def waitlist_positions(waiting: list[Registration]) -> dict[int, int]:
    """Registration id -> place on its own waitlist (the room and the online places each have one)."""
    counted: dict[str, int] = {}
    positions: dict[int, int] = {}
    for reg in waiting:
        counted[reg.attendance] = counted.get(reg.attendance, 0) + 1
        positions[reg.id] = counted[reg.attendance]
    return positions


async def series_overview() -> list[tuple[Series, int]]:
    """Every series with its number of sessions, in one grouped query."""
    rows = await Series.all().annotate(session_count=Count("sessions")).group_by("id").order_by("title", "id")
    return [(series, series.session_count) for series in rows]  # type: ignore[attr-defined]
