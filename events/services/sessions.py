"""Staff writes on series, sessions, agenda, tracks and questions, and telling people about changes."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from tortoise.expressions import F

from agora.db import transaction
from agora.forms import MONEY_MAX
from agora.i18n import gettext as _
from agora.settings import Settings
from events.errors import EventError, NotFound
from events.models import (
    AGENDA_KINDS,
    CANCELLED,
    COMPLETED,
    DRAFT,
    IN_PERSON,
    PUBLISHED,
    QUESTION_KINDS,
    SEATED,
    SESSION_KINDS,
    SESSION_MODES,
    WAITLISTED,
    AgendaItem,
    Question,
    Registration,
    Series,
    Session,
    Speaker,
    Track,
    receives_join_link,
)
from events.services import common
from events.services.registration import promote_waitlist

SERIES_FIELDS = {
    "title",
    "description",
    "office",
    "contact_email",
    "contact_phone",
    "venue_name",
    "venue_address",
    "venue_room",
    "venue_accessibility",
    "default_duration_minutes",
    "default_capacity",
    "rrule",
    "reminder_offset_hours",
    "cost",
    "cost_note",
    "followup_survey_id",
}
SESSION_FIELDS = {
    "series_id",
    "kind",
    "title",
    "topic",
    "directions",
    "description",
    "starts_at",
    "ends_at",
    "venue_name",
    "venue_address",
    "venue_room",
    "venue_accessibility",
    "online_url",
    "contact_email",
    "mode",
    "capacity",
    "online_capacity",
    "registration_opens_at",
    "registration_closes_at",
    "requires_approval",
    "max_colleagues",
    "cost",
    "cost_note",
    "cancel_deadline",
    "followup_survey_id",
}
# Changes that make the calendar entry out of date: they raise SEQUENCE and are mailed to everyone seated.
CALENDAR_FIELDS = {
    "title",
    "topic",
    "description",
    "starts_at",
    "ends_at",
    "venue_name",
    "venue_address",
    "venue_room",
    "online_url",
}


def _check_series(data: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if "title" in data and not str(data["title"]).strip():
        errors["title"] = _("Please enter a title.")
    for key in ("default_duration_minutes", "default_capacity", "reminder_offset_hours"):
        if key in data and (not isinstance(data[key], int) or data[key] < 0):
            errors[key] = _("Please enter a whole number, zero or more.")
    if data.get("rrule"):
        from events.recurrence import parse_rule

        try:
            parse_rule(data["rrule"])
        except ValueError:
            errors["rrule"] = _("This recurrence rule is not valid.")
    if errors:
        raise EventError(errors)


async def _check_survey(data: dict[str, Any]) -> None:
    from surveys import api as surveys

    survey_id = data.get("followup_survey_id")
    if survey_id is not None and not await surveys.survey_exists(survey_id):
        raise EventError({"followup_survey_id": _("This survey does not exist.")})


async def create_series(**data: Any) -> Series:
    unknown = set(data) - SERIES_FIELDS
    if unknown:
        raise TypeError(f"unknown series fields {sorted(unknown)}")
    if "title" not in data:
        raise EventError({"title": _("Please enter a title.")})
    _check_series(data)
    await _check_survey(data)
    async with transaction():
        return await Series.create(**data)


async def update_series(series_id: int, **data: Any) -> Series:
    unknown = set(data) - SERIES_FIELDS
    if unknown:
        raise TypeError(f"unknown series fields {sorted(unknown)}")
    _check_series(data)
    await _check_survey(data)
    async with transaction():
        if not await Series.filter(id=series_id).update(**data):
            raise NotFound({"series": _("This series does not exist.")})
    return await Series.get(id=series_id)


def _check_session(merged: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if not str(merged.get("title", "")).strip():
        errors["title"] = _("Please enter a title.")
    if merged.get("kind") not in SESSION_KINDS:
        errors["kind"] = _("Please choose a kind of session.")
    starts, ends = merged.get("starts_at"), merged.get("ends_at")
    if not isinstance(starts, datetime) or starts.tzinfo is None:
        errors["starts_at"] = _("Please enter the start.")
    if not isinstance(ends, datetime) or ends.tzinfo is None:
        errors["ends_at"] = _("Please enter the end.")
    elif isinstance(starts, datetime) and starts.tzinfo and ends <= starts:
        errors["ends_at"] = _("The end must be after the start.")
    if merged.get("mode", IN_PERSON) not in SESSION_MODES:
        errors["mode"] = _("Please choose how the session takes place.")
    for key in ("capacity", "online_capacity"):
        if not isinstance(merged.get(key, 0), int) or merged.get(key, 0) < 0:
            errors[key] = _("Please enter a whole number, zero or more.")
    if not isinstance(merged.get("max_colleagues"), int) or merged["max_colleagues"] < 0:
        errors["max_colleagues"] = _("Please enter a whole number, zero or more.")
    cost = merged.get("cost")
    if cost is not None and (not isinstance(cost, Decimal) or not cost.is_finite() or not 0 <= cost <= MONEY_MAX):
        errors["cost"] = _("Please enter an amount in euros, for example 25.00.")
    opens, closes = merged.get("registration_opens_at"), merged.get("registration_closes_at")
    if opens and closes and closes <= opens:
        errors["registration_closes_at"] = _("Registration must close after it opens.")
    online = merged.get("online_url") or ""
    if online and not online.startswith(("https://", "http://")):
        errors["online_url"] = _("Please enter a web address starting with https://.")
    if errors:
        raise EventError(errors)


async def create_session(**data: Any) -> Session:
    """A new session, in draft. Venue, duration, capacity and cost default to the series' values."""
    unknown = set(data) - SESSION_FIELDS - {"occurrence_at", "status"}
    if unknown:
        raise TypeError(f"unknown session fields {sorted(unknown)}")
    series = await Series.get_or_none(id=data["series_id"]) if data.get("series_id") else None
    merged: dict[str, Any] = {"kind": "dialogue", "capacity": 30, "max_colleagues": 0}
    if series is not None:
        merged.update(
            title=series.title,
            description=series.description,
            venue_name=series.venue_name,
            venue_address=series.venue_address,
            venue_room=series.venue_room,
            venue_accessibility=series.venue_accessibility,
            capacity=series.default_capacity,
            contact_email=series.contact_email,
            cost=series.cost,
            cost_note=series.cost_note,
        )
        if isinstance(data.get("starts_at"), datetime) and "ends_at" not in data:
            merged["ends_at"] = data["starts_at"] + timedelta(minutes=series.default_duration_minutes)
    merged.update(data)
    merged.setdefault("status", DRAFT)
    _check_session(merged)
    await _check_survey(merged)
    async with transaction():
        return await Session.create(**merged)


async def update_session(settings: Settings, session_id: int, *, now: datetime | None = None, **data: Any) -> Session:
    """Change a session. A change people put in their calendars raises SEQUENCE and is mailed to everyone
    holding a seat; a larger capacity goes to the waitlist at once; a smaller one never drops below the
    seats already taken (the check is part of the UPDATE, so it holds against concurrent registrations)."""
    now = now or common.now_utc()
    unknown = set(data) - SESSION_FIELDS
    if unknown:
        raise TypeError(f"unknown session fields {sorted(unknown)}")
    session = await Session.get_or_none(id=session_id)
    if session is None:
        raise NotFound({"session": _("This session does not exist.")})
    merged = {key: getattr(session, key) for key in SESSION_FIELDS if key != "series_id"}
    merged.update(data)
    _check_session(merged)
    await _check_survey(data)
    changed = {k for k, v in data.items() if getattr(session, k, None) != v}
    relevant = changed & CALENDAR_FIELDS
    pools = changed & {"capacity", "online_capacity"}
    # A moved date is told with the old one beside it, so nobody has to look up what it was.
    before = {"previous_starts_at": session.starts_at.isoformat(), "previous_ends_at": session.ends_at.isoformat()}
    async with transaction():
        fields = {k: data[k] for k in changed - pools}
        if relevant:
            fields["ics_sequence"] = F("ics_sequence") + 1
        if fields:
            await Session.filter(id=session_id).update(**fields)
        if "capacity" in pools and not await Session.filter(id=session_id, seats_taken__lte=data["capacity"]).update(
            capacity=data["capacity"]
        ):
            raise EventError({"capacity": _("The capacity cannot be lower than the seats already taken.")})
        if "online_capacity" in pools and not await Session.filter(
            id=session_id, online_seats_taken__lte=data["online_capacity"]
        ).update(online_capacity=data["online_capacity"]):
            raise EventError({"online_capacity": _("The capacity cannot be lower than the places already taken.")})
        session = await Session.get(id=session_id)
        if relevant and session.status == PUBLISHED:
            for reg in await Registration.filter(session_id=session_id, status__in=SEATED):
                # The join link is news only to those who get it: confirmed online attendees.
                told = relevant if receives_join_link(reg.attendance, reg.status) else relevant - {"online_url"}
                if not told:
                    continue
                await common.notify(
                    settings,
                    common.SESSION_CHANGED,
                    reg,
                    session,
                    with_calendar=True,
                    extra={"changed": sorted(told), "sequence": session.ics_sequence, **before},
                )
        if pools:
            await promote_waitlist(settings, session_id, now=now)
    return session


async def publish_session(session_id: int) -> Session:
    async with transaction():
        if not await Session.filter(id=session_id, status=DRAFT).update(status=PUBLISHED):
            session = await Session.get_or_none(id=session_id)
            if session is None:
                raise NotFound({"session": _("This session does not exist.")})
            if session.status != PUBLISHED:
                raise EventError({"status": _("Only a draft can be published.")})
    return await Session.get(id=session_id)


async def cancel_session(settings: Settings, session_id: int, *, reason: str = "") -> Session:
    """Cancel the session: SEQUENCE goes up and everyone registered gets the cancellation (METHOD:CANCEL)."""
    async with transaction():
        updated = await Session.filter(id=session_id, status__in=(DRAFT, PUBLISHED)).update(
            status=CANCELLED, ics_sequence=F("ics_sequence") + 1
        )
        session = await Session.get_or_none(id=session_id)
        if session is None:
            raise NotFound({"session": _("This session does not exist.")})
        if not updated:
            if session.status == CANCELLED:
                return session
            raise EventError({"status": _("A completed session cannot be cancelled.")})
        for reg in await Registration.filter(session_id=session_id, status__in=(*SEATED, WAITLISTED)):
            await common.notify(
                settings,
                common.SESSION_CANCELLED,
                reg,
                session,
                with_calendar=reg.status in SEATED,
                extra={"reason": reason},
            )
    return session


async def complete_session(session_id: int) -> Session:
    async with transaction():
        await Session.filter(id=session_id, status=PUBLISHED).update(status=COMPLETED)
    return await Session.get(id=session_id)


async def add_track(session_id: int, *, title: str, capacity: int) -> Track:
    if not title.strip():
        raise EventError({"title": _("Please enter a title.")})
    if capacity < 0:
        raise EventError({"capacity": _("Please enter a whole number, zero or more.")})
    async with transaction():
        return await Track.create(session_id=session_id, title=title.strip(), capacity=capacity)


async def check_agenda_item(
    session_id: int,
    *,
    title: str,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    track_id: int | None,
    speakers: list[dict[str, str]] | None,
) -> None:
    """The rules an agenda item must meet, for adding and for editing alike."""
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Please enter a title.")
    if kind not in AGENDA_KINDS:
        errors["kind"] = _("Please choose a kind of agenda item.")
    if ends_at <= starts_at:
        errors["ends_at"] = _("The end must be after the start.")
    if track_id is not None and not await Track.exists(id=track_id, session_id=session_id):
        errors["track"] = _("Please choose one of the tracks offered.")
    for index, speaker in enumerate(speakers or []):
        if not str(speaker.get("name", "")).strip():
            errors[f"speaker_{index}_name"] = _("Please enter the speaker's name.")
    if errors:
        raise EventError(errors)


async def add_agenda_item(
    session_id: int,
    *,
    starts_at: datetime,
    ends_at: datetime,
    title: str,
    description: str = "",
    kind: str = "talk",
    room: str = "",
    track_id: int | None = None,
    position: int | None = None,
    speakers: list[dict[str, str]] | None = None,
) -> AgendaItem:
    await check_agenda_item(
        session_id, title=title, kind=kind, starts_at=starts_at, ends_at=ends_at, track_id=track_id, speakers=speakers
    )
    async with transaction():
        if position is None:
            position = await AgendaItem.filter(session_id=session_id).count()
        item = await AgendaItem.create(
            session_id=session_id,
            starts_at=starts_at,
            ends_at=ends_at,
            title=title.strip(),
            description=description,
            kind=kind,
            room=room,
            track_id=track_id,
            position=position,
        )
        for speaker in speakers or []:
            await Speaker.create(
                agenda_item=item,
                name=speaker["name"].strip(),
                role=speaker.get("role", ""),
                organisation=speaker.get("organisation", ""),
            )
    return item


async def add_question(
    *,
    label: str,
    kind: str = "text",
    options: list[str] | None = None,
    required: bool = False,
    series_id: int | None = None,
    session_id: int | None = None,
    position: int = 0,
) -> Question:
    errors: dict[str, str] = {}
    if (series_id is None) == (session_id is None):
        raise TypeError("a question belongs to a series or to a session")
    if not label.strip():
        errors["label"] = _("Please enter the question.")
    if kind not in QUESTION_KINDS:
        errors["kind"] = _("Please choose a kind of question.")
    cleaned = [o.strip() for o in options or [] if o.strip()]
    if kind in ("choice", "checkboxes") and len(cleaned) < 2:
        errors["options"] = _("Please enter at least two options.")
    if errors:
        raise EventError(errors)
    async with transaction():
        return await Question.create(
            label=label.strip(),
            kind=kind,
            options=cleaned,
            required=required,
            series_id=series_id,
            session_id=session_id,
            position=position,
        )


async def agenda_of(session_id: int) -> list[AgendaItem]:
    return (
        await AgendaItem.filter(session_id=session_id)
        .order_by("position", "starts_at")
        .prefetch_related("speakers", "track")
    )


def seats_left(session: Session) -> int:
    """Places left over every way of taking part the session offers."""
    return session.offered_left()
