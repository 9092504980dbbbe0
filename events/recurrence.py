"""Series recurrence: an RFC 5545 RRULE read in the wall time of the configured zone, turned into draft sessions.

The rule is expanded with naive local times and each occurrence is then placed in the zone, so that
"first Tuesday of each quarter at 8:00" stays 8:00 on the town hall clock in winter and in summer
(06:00 or 07:00 UTC). Expanding in UTC would drift by an hour across the change of time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dateutil.rrule import rrule, rruleset, rrulestr

from agora.db import transaction
from agora.i18n import gettext as _
from agora.i18n import local_zone
from agora.settings import Settings
from events.errors import EventError, NotFound
from events.models import DRAFT, AgendaItem, Registration, Series, Session, Speaker, Track

MAX_GENERATE = 52


def parse_rule(text: str) -> rrule | rruleset:
    """The rule with a DTSTART line (local wall time); raises ValueError for anything else."""
    text = (text or "").strip()
    if not text or "DTSTART" not in text.upper():
        raise ValueError("a series rule needs DTSTART and RRULE")
    rule = rrulestr(text, ignoretz=True, forceset=True)
    if rule[0:1] == [] and not list(rule.xafter(datetime(1900, 1, 1), count=1)):
        raise ValueError("the rule has no occurrences")
    return rule


def _local_key(value: datetime) -> str:
    return value.astimezone(local_zone()).replace(tzinfo=None).isoformat(timespec="minutes")


def occurrences(series: Series, *, after: datetime, count: int) -> list[datetime]:
    """The next `count` occurrences (aware, UTC) strictly after `after`, skipped dates left out."""
    rule = parse_rule(series.rrule)
    skipped = set(series.skipped or [])
    zone = local_zone()
    local_after = after.astimezone(zone).replace(tzinfo=None)
    found: list[datetime] = []
    for naive in rule.xafter(local_after, count=count + len(skipped), inc=False):
        aware = naive.replace(tzinfo=zone).astimezone(UTC)
        if _local_key(aware) in skipped:
            continue
        found.append(aware)
        if len(found) == count:
            break
    return found


async def generate_sessions(series_id: int, *, count: int = 4, now: datetime | None = None) -> list[Session]:
    """Make sure the next `count` occurrences exist as sessions; new ones are drafts with the previous
    session's agenda. Running it again creates nothing twice (one session per series and occurrence)."""
    # Imported here: the input models read this module's rule parser, and the services import those models.
    from events.services import sessions as session_services

    now = now or datetime.now(UTC)
    series = await Series.get_or_none(id=series_id)
    if series is None:
        raise NotFound({"series": _("This series does not exist.")})
    if not 1 <= count <= MAX_GENERATE:
        raise EventError({"count": _("Please choose between 1 and %(max)s dates.", max=MAX_GENERATE)})
    try:
        dates = occurrences(series, after=now, count=count)
    except ValueError:
        raise EventError({"rrule": _("This recurrence rule is not valid.")}) from None
    created: list[Session] = []
    for occurrence in dates:
        if await Session.exists(series_id=series.id, occurrence_at=occurrence):
            continue
        previous = await Session.filter(series_id=series.id, starts_at__lt=occurrence).order_by("-starts_at").first()
        async with transaction():
            session = await session_services.create_session(
                series_id=series.id,
                occurrence_at=occurrence,
                starts_at=occurrence,
                ends_at=occurrence + timedelta(minutes=series.default_duration_minutes),
                status=DRAFT,
            )
            if previous is not None:
                await copy_agenda(previous.id, session.id)
        created.append(session)
    return created


async def copy_agenda(from_session_id: int, to_session_id: int) -> int:
    """Copy agenda items (with speakers and tracks) at the same offsets from the start. Returns the count."""
    source = await Session.get(id=from_session_id)
    target = await Session.get(id=to_session_id)
    shift = target.starts_at - source.starts_at
    async with transaction():
        track_map: dict[int, int] = {}
        for track in await Track.filter(session_id=source.id):
            copy = await Track.create(session_id=target.id, title=track.title, capacity=track.capacity)
            track_map[track.id] = copy.id
        items = await AgendaItem.filter(session_id=source.id).order_by("position", "id").prefetch_related("speakers")
        for item in items:
            new = await AgendaItem.create(
                session_id=target.id,
                starts_at=item.starts_at + shift,
                ends_at=item.ends_at + shift,
                title=item.title,
                description=item.description,
                kind=item.kind,
                room=item.room,
                position=item.position,
                track_id=track_map.get(item.track_id) if item.track_id else None,
            )
            for speaker in item.speakers:
                await Speaker.create(
                    agenda_item=new, name=speaker.name, role=speaker.role, organisation=speaker.organisation
                )
    return len(items)


async def skip_occurrence(series_id: int, occurrence: datetime) -> None:
    """Leave one date out. Its draft session goes away; a published one must be cancelled instead."""
    series = await Series.get_or_none(id=series_id)
    if series is None:
        raise NotFound({"series": _("This series does not exist.")})
    session = await Session.get_or_none(series_id=series_id, occurrence_at=occurrence)
    if session is not None and (session.status != DRAFT or await Registration.exists(session_id=session.id)):
        raise EventError({"status": _("This date is already published. Cancel the session instead.")})
    async with transaction():
        key = _local_key(occurrence)
        skipped = list(series.skipped or [])
        if key not in skipped:
            skipped.append(key)
            await Series.filter(id=series_id).update(skipped=skipped)
        if session is not None:
            await session.delete()


async def move_session(
    settings: Settings, session_id: int, starts_at: datetime, ends_at: datetime | None = None
) -> Session:
    """Move one date; the session keeps its occurrence, so generating again does not recreate the old date."""
    from events.services import sessions as session_services

    session = await Session.get_or_none(id=session_id)
    if session is None:
        raise NotFound({"session": _("This session does not exist.")})
    ends_at = ends_at or starts_at + (session.ends_at - session.starts_at)
    shift = starts_at - session.starts_at
    async with transaction():
        moved = await session_services.update_session(settings, session_id, starts_at=starts_at, ends_at=ends_at)
        for item in await AgendaItem.filter(session_id=session_id):
            await AgendaItem.filter(id=item.id).update(starts_at=item.starts_at + shift, ends_at=item.ends_at + shift)
    return moved
