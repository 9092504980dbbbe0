"""The configured zone (AGORA_TIME_ZONE) rules every wall-clock time of events, not a zone written in the code."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from agora import i18n
from agora.app import create_app
from agora.settings import Settings
from events import recurrence, services
from events.demo import create_demo
from events.models import Session
from tests.conftest import form_post, login, make_user, new_client, replace_settings

NEW_YORK = "America/New_York"


@pytest.fixture
def zoned(database: Settings) -> Settings:
    return replace_settings(database, time_zone=NEW_YORK)


@pytest.fixture
async def zoned_staff(zoned: Settings) -> AsyncIterator[httpx.AsyncClient]:
    await make_user("organizer@example.org", ["organizer"])
    async with new_client(create_app(zoned, manage_db=False)) as c:
        assert (await login(c, "organizer@example.org")).status_code == 303
        yield c


async def test_staff_forms_read_and_show_times_in_the_configured_zone(zoned_staff) -> None:
    new = "/staff/events/sessions/new"
    form = {
        "kind": "workshop",
        "title": "Workshop",
        "starts_at": "2027-07-06T08:00",
        "ends_at": "2027-07-06T10:00",
        "capacity": "20",
        "max_colleagues": "0",
    }
    assert (await form_post(zoned_staff, new, new, form)).status_code == 303
    session = await Session.get(title="Workshop")
    assert session.starts_at == datetime(2027, 7, 6, 12, 0, tzinfo=UTC)  # New York summer time: UTC-4
    edit = (await zoned_staff.get(f"/staff/events/sessions/{session.id}/edit")).text
    assert 'value="2027-07-06T08:00"' in edit


async def test_series_dates_stay_at_the_local_hour_of_the_configured_zone(zoned_staff) -> None:
    series = await services.create_series(
        title="Breakfast", rrule="DTSTART:20270105T080000\nRRULE:FREQ=MONTHLY;INTERVAL=3;BYDAY=1TU"
    )
    page = f"/staff/events/series/{series.id}"
    assert (await form_post(zoned_staff, page, page + "/generate", {"count": "4"})).status_code == 303
    sessions = await Session.filter(series_id=series.id).order_by("starts_at")
    assert len(sessions) == 4
    zone = ZoneInfo(NEW_YORK)
    assert {s.starts_at.astimezone(zone).hour for s in sessions} == {8}
    assert {s.starts_at.astimezone(UTC).hour for s in sessions} == {12, 13}  # across the change of time


async def test_recurrence_outside_a_request_follows_the_zone_it_is_given(database) -> None:
    series = await services.create_series(title="S", rrule="DTSTART:20270105T080000\nRRULE:FREQ=WEEKLY")
    token = i18n.current_zone.set("Asia/Tokyo")
    try:
        dates = recurrence.occurrences(series, after=datetime(2027, 1, 1, tzinfo=UTC), count=1)
    finally:
        i18n.current_zone.reset(token)
    assert dates == [datetime(2027, 1, 4, 23, 0, tzinfo=UTC)]  # 08:00 in Tokyo (UTC+9)


async def test_demo_places_its_sessions_in_the_configured_zone(zoned) -> None:
    await create_demo(zoned)
    zone = ZoneInfo(NEW_YORK)
    sessions = await Session.all()
    assert sessions
    assert {s.starts_at.astimezone(zone).hour for s in sessions} <= {8, 14}
    assert any(s.starts_at.astimezone(zone).hour == 14 for s in sessions)


async def test_structured_data_carries_the_configured_zone(zoned) -> None:
    from tests.events.helpers import published_session

    session = await published_session(starts_at=datetime(2027, 7, 6, 12, 0, tzinfo=UTC))
    async with new_client(create_app(zoned, manage_db=False)) as c:
        page = (await c.get(f"/termine/{session.id}")).text
    assert '"startDate": "2027-07-06T08:00:00-04:00"' in page
