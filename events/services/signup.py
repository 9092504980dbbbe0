"""The public registration (the form and the JSON API): it answers the same whether or not the address is new.

Telling a visitor "this address is already registered" would let anyone find out who registered for which session.
So a second registration with a registered address changes nothing, gets the answer a new registration would have
got (a held seat awaiting confirmation, or a place at the end of the waitlist), and the address itself receives a
mail with the manage link of its existing registration. Staff adding someone by hand still see the refusal
(events.services.registration.register).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from agora.db import transaction
from agora.forms import normalise_email
from agora.settings import Settings
from events.errors import DuplicateRegistration
from events.models import (
    PENDING_CONFIRMATION,
    REG_CANCELLED,
    WAITLISTED,
    Registration,
    Session,
    Track,
    attendances,
)
from events.services import common
from events.services.registration import register, waitlist_position
from notifications import api

EXISTS_KIND = "registration_exists"
api.register_kind(EXISTS_KIND)


@dataclass(frozen=True)
class Receipt:
    """What the person who sent the form is told: nothing that belongs to an earlier registration."""

    status: str
    email: str
    waitlist_position: int | None


async def register_publicly(
    settings: Settings,
    session_id: int,
    *,
    name: str,
    email: str,
    colleagues: list[dict[str, str]] | None = None,
    track_id: int | None = None,
    language: str = "de",
    now: datetime | None = None,
    loaded: Session | None = None,
    **details: Any,
) -> Receipt:
    """Register as a visitor (events.services.registration.register); refusals for bad input or a closed
    session are raised as there, a registered address is answered like a new one. loaded: the session as
    the caller has just read it."""
    try:
        registration = await register(
            settings,
            session_id,
            name=name,
            email=email,
            colleagues=colleagues,
            track_id=track_id,
            language=language,
            now=now,
            loaded=loaded,
            **details,
        )
    except DuplicateRegistration:
        party = 1 + len(colleagues or [])
        return await _already_registered(
            settings,
            session_id,
            normalise_email(email),
            party,
            track_id,
            language,
            str(details.get("attendance") or ""),
            now,
        )
    return Receipt(registration.status, registration.email, await waitlist_position(registration))


async def _already_registered(
    settings: Settings,
    session_id: int,
    email: str,
    seats: int,
    track_id: int | None,
    language: str,
    attendance: str,
    now: datetime | None,
) -> Receipt:
    now = now or common.now_utc()
    session = await Session.get(id=session_id)
    attendance = attendance or attendances(session.mode)[0]
    async with transaction():
        existing = await Registration.filter(session_id=session_id, email=email).exclude(status=REG_CANCELLED).first()
        if existing is not None:
            await api.enqueue(
                EXISTS_KIND,
                to=existing.email,
                locale=language,
                context=common.context(settings, existing, session),
                # At most one such mail a day per registration, however often the form is sent.
                dedup_key=f"events.registration_exists:{existing.id}:{now.date().isoformat()}",
            )
    # The answer a new registration would get now: a held seat if the party fits, else the end of the waitlist.
    fits = session.places_left(attendance) >= seats
    if fits and track_id is not None:
        track = await Track.get_or_none(id=track_id, session_id=session_id)
        fits = track is not None and track.capacity - track.seats_taken >= seats
    if fits:
        return Receipt(PENDING_CONFIRMATION, email, None)
    waiting = await Registration.filter(session_id=session_id, status=WAITLISTED, attendance=attendance).count()
    return Receipt(WAITLISTED, email, waiting + 1)
