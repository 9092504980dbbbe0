"""The events demo: the quarterly breakfast series, a workshop with two tracks, registrations, contacts."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from agora.app import register_domain_hooks
from agora.demo import DEMO_STEPS, create_demo_content
from events import demo
from events.models import (
    CONFIRMED,
    PUBLISHED,
    WAITLISTED,
    WORKSHOP,
    AgendaItem,
    Contact,
    Registration,
    Series,
    Session,
)

BERLIN = ZoneInfo("Europe/Berlin")


async def test_demo_creates_the_series_workshop_and_registrations_once(database) -> None:
    await demo.create_demo(database)
    await demo.create_demo(database)  # idempotent

    [series] = await Series.filter(title="Wirtschaft trifft Verwaltung")
    breakfasts = await Session.filter(series_id=series.id).order_by("starts_at")
    assert len(breakfasts) == 4
    now = datetime.now(UTC)
    for session in breakfasts:
        local = session.starts_at.astimezone(BERLIN)
        assert session.status == PUBLISHED and session.starts_at > now
        # First Tuesday of a quarter, 8:00 to 10:00 in Berlin, in winter and in summer time alike
        assert (local.weekday(), local.day <= 7, local.month in (1, 4, 7, 10)) == (1, True, True)
        assert (local.hour, local.minute) == (8, 0)
        assert session.ends_at.astimezone(BERLIN).hour == 10
        assert await AgendaItem.filter(session_id=session.id).count() == len(demo.BREAKFAST_AGENDA)
    speakers = await AgendaItem.filter(session_id=breakfasts[0].id).prefetch_related("speakers")
    assert any(s.name == "Dr. Maria Lehmann" for item in speakers for s in item.speakers)

    [workshop] = await Session.filter(kind=WORKSHOP)
    assert workshop.status == PUBLISHED
    assert await workshop.tracks.all().count() == 2
    statuses = await Registration.filter(session_id=workshop.id).values_list("status", flat=True)
    assert sorted(statuses) == sorted([CONFIRMED, CONFIRMED, CONFIRMED, WAITLISTED])
    assert await Registration.filter(session_id=breakfasts[0].id, status=CONFIRMED).count() == 4
    assert await Contact.all().count() == len(demo.CONTACTS)


async def test_agora_demo_runs_the_events_step(database) -> None:
    register_domain_hooks(database)
    register_domain_hooks(database)
    assert DEMO_STEPS.count(demo.create_demo) == 1
    await create_demo_content()
    assert await Series.filter(title=demo.SERIES_TITLE).count() == 1
