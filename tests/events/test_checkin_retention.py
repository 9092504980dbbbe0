"""Check-in codes and QR codes, live counts, and the retention job."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from events import checkin, retention, services
from events.errors import EventError, NotFound
from events.models import ATTENDED, Registration
from tests.events.helpers import invariant, published_session, register


async def test_check_in_marks_attended_once_and_refuses_the_waitlist(database) -> None:
    session = await published_session(capacity=2, max_colleagues=1)
    a = await register(database, session.id, 1, by_staff=True, colleagues=[{"name": "Kollege"}])
    waiting = await register(database, session.id, 2)
    assert len(a.checkin_code) == 8 and a.checkin_code != waiting.checkin_code

    done = await checkin.check_in(session.id, " " + a.checkin_code.lower()[:4] + "-" + a.checkin_code[4:].lower())
    assert done.status == ATTENDED and done.checked_in_at is not None
    again = await checkin.check_in(session.id, a.checkin_code)
    assert again.status == ATTENDED and again.checked_in_at == done.checked_in_at
    assert await invariant(session.id) == (2, 2, 2)  # attending keeps the seat

    with pytest.raises(EventError):
        await checkin.check_in(session.id, waiting.checkin_code)
    other = await published_session()
    with pytest.raises(NotFound):
        await checkin.check_in(other.id, a.checkin_code)  # a code belongs to its session
    counts = await checkin.live_counts(session.id)
    assert (counts.expected, counts.attended, counts.waitlisted, counts.registrations) == (2, 2, 1, 1)

    b = await register(database, other.id, 3)
    await services.cancel_registration(database, b.id)
    with pytest.raises(EventError):
        await checkin.check_in(other.id, b.checkin_code)


def test_qr_code_is_an_svg_with_a_title() -> None:
    svg = checkin.qr_svg("ABCD2345")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert "ABCD2345" in svg
    assert any(el.tag.endswith("path") for el in root.iter())


async def test_retention_anonymises_old_registrations_and_keeps_counts(database) -> None:
    now = datetime.now(UTC)
    old = await published_session(capacity=5)
    recent = await published_session(capacity=5)
    kept = await register(database, recent.id, 9)
    regs = [await register(database, old.id, n, by_staff=True, organisation="Bäckerei") for n in range(3)]
    await checkin.check_in(old.id, regs[0].checkin_code)
    await services.update_session(
        database,
        old.id,
        starts_at=now - timedelta(days=40),
        ends_at=now - timedelta(days=40) + timedelta(hours=2),
    )
    before = await checkin.live_counts(old.id)

    assert await retention.purge_personal_data(30, now=now) == 3
    assert await retention.purge_personal_data(30, now=now) == 0
    for reg in await Registration.filter(session_id=old.id):
        assert reg.name == "" and reg.organisation == "" and reg.answers == {}
        assert reg.email.endswith("@invalid") and reg.anonymised_at is not None
    assert await checkin.live_counts(old.id) == before
    untouched = await Registration.get(id=kept.id)
    assert untouched.email == "person9@example.com" and untouched.anonymised_at is None
