"""Building sessions and registrations for the events tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from agora.forms import validate
from agora.settings import Settings
from events import forms, services
from events.models import SEATED, Registration, Session, Track, attendances
from events.services.common import questions_for
from notifications.models import OutboxMessage

CONSENT = {
    "consent": True,
    "consent_version": "2026-01",
    "consent_text": "I agree to the processing of my data.",
}


def soon(days: int = 14) -> datetime:
    return (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0)


async def published_session(**overrides: Any) -> Session:
    starts = overrides.pop("starts_at", soon())
    data: dict[str, Any] = {
        "title": "Wirtschaft trifft Verwaltung",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "capacity": 10,
        "venue_name": "Rathaus",
        "venue_address": "Marktplatz 1, 12345 Musterstadt",
        "contact_email": "wifoe@example.org",
    }
    data.update(overrides)
    session = await services.create_session(**data)
    return await services.publish_session(session.id)


SERVICE_ONLY = ("by_staff", "consent_version", "consent_text", "language", "now")


async def register(settings: Settings, session_id: int, n: int, **overrides: Any) -> Registration:
    """Register the way the pages and the API do: the input read by the session's RegistrationInput (FieldErrors
    when it is refused), then the service."""
    data: dict[str, Any] = {
        "name": f"Person {n}",
        "email": f"person{n}@example.com",
        "organisation": "Firma",
        **CONSENT,
    }
    data.update(overrides)
    extra = {key: data.pop(key) for key in SERVICE_ONLY if key in data}
    session = await Session.get_or_none(id=session_id)
    if session is None:
        return await services.register(settings, session_id, **data, **extra)
    by_staff = bool(extra.get("by_staff"))
    model = forms.with_questions(forms.RegistrationInput, await questions_for(session), strict=not by_staff)
    tracks = [track.id for track in await Track.filter(session_id=session_id)]
    rules = forms.session_rules(
        tracks=tracks,
        max_colleagues=session.max_colleagues,
        by_staff=by_staff,
        attendances=attendances(session.mode),
    )
    clean = validate(model, data, **rules)
    return await services.register(settings, session_id, **clean.registrant(), **extra)


async def invariant(session_id: int) -> tuple[int, int, int]:
    """(seats_taken, seats held by registrations, capacity)."""
    session = await Session.get(id=session_id)
    held = sum(r.seats for r in await Registration.filter(session_id=session_id, status__in=SEATED))
    return session.seats_taken, held, session.capacity


async def track_invariant(track_id: int) -> tuple[int, int, int]:
    track = await Track.get(id=track_id)
    held = sum(r.seats for r in await Registration.filter(track_id=track_id, status__in=SEATED))
    return track.seats_taken, held, track.capacity


async def mails(kind: str | None = None, to: str | None = None) -> list[OutboxMessage]:
    query = OutboxMessage.all().order_by("id")
    if kind:
        query = query.filter(kind=kind)
    if to:
        query = query.filter(recipient=to)
    return await query
