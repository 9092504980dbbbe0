"""A hybrid session through the real pages: staff create it, people choose the room or online, and the join link
reaches only the confirmed online attendee (confirmation, calendar file, and the mail when staff change it)."""

from __future__ import annotations

import re
import time
import uuid
from datetime import datetime, timedelta

import pytest

from tests.e2e.conftest import ORGANIZER_EMAIL, organizer_password
from tests.e2e.test_events_flow import (
    BERLIN,
    CONFIRM_LINK,
    _calendar_attachment,
    _mails_to,
    _submit,
    _text,
    _wait_for_mail,
)

pytestmark = pytest.mark.e2e


def _register(page, base: str, session_id: int, name: str, address: str, attendance: str) -> None:  # noqa: ANN001
    page.goto(f"{base}/termine/{session_id}")
    page.fill("#name", name)
    page.fill("#email", address)
    page.check(f"#attendance-{attendance}")
    page.check("#consent")
    response = _submit(page, f"main form[action='/termine/{session_id}/anmeldung'] button[type=submit]")
    assert response.status == 200, page.locator("main").inner_text()


def _confirm(page, mail_dir, address: str) -> None:  # noqa: ANN001
    request = _wait_for_mail(mail_dir, address, "")
    assert "meet.example.org" not in _text(request), "no join link before the registration is confirmed"
    found = re.search(CONFIRM_LINK, _text(request))
    assert found
    page.goto(found.group(0))
    _submit(page, "main form button[type=submit]")


def _newest(mail_dir, address: str, count: int):  # noqa: ANN001, ANN202
    deadline = time.monotonic() + 30
    while len(_mails_to(mail_dir, address)) < count and time.monotonic() < deadline:
        time.sleep(0.2)
    found = _mails_to(mail_dir, address)
    assert len(found) >= count, [str(m["Subject"]) for m in found]
    return found[-1]


def test_hybrid_registration_and_the_join_link(server, browser) -> None:  # noqa: ANN001
    mail_dir = server.data_dir / "mail"
    base = server.base_url
    tag = uuid.uuid4().hex[:6]
    link = f"https://meet.example.org/{tag}"
    staff = browser.new_context()
    visitor = browser.new_context()
    try:
        office = staff.new_page()
        office.goto(f"{base}/staff/login")
        office.fill("#email", ORGANIZER_EMAIL)
        office.fill("#password", organizer_password())
        _submit(office, "main form button[type=submit]")
        starts = (datetime.now(BERLIN) + timedelta(days=20)).replace(hour=9, minute=0, second=0, microsecond=0)
        office.goto(f"{base}/staff/events/sessions/new")
        office.fill("#title", f"Hybrider Dialog {tag}")
        office.fill("#starts_at", starts.strftime("%Y-%m-%dT%H:%M"))
        office.fill("#ends_at", (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
        office.select_option("#mode", "hybrid")
        office.fill("#capacity", "5")
        office.fill("#online_capacity", "5")
        office.fill("#online_url", link)
        office.fill("#venue_name", "Rathaus")
        _submit(office, "main form button[type=submit]")
        found = re.search(r"/staff/events/sessions/(\d+)$", office.url)
        assert found, office.locator("main").inner_text()
        session_id = int(found.group(1))
        _submit(office, f"main form[action='/staff/events/sessions/{session_id}/publish'] button[type=submit]")

        page = visitor.new_page()
        page.goto(f"{base}/termine")
        assert "Hybrid" in page.locator("main").inner_text()
        page.goto(f"{base}/termine/{session_id}")
        assert link not in page.content(), "the join link is never on the public page"

        online, room, waiting = (f"{who}-{tag}@example.com" for who in ("online", "raum", "offen"))
        _register(page, base, session_id, "Olga Online", online, "online")
        _register(page, base, session_id, "Rita Raum", room, "in_person")
        _register(page, base, session_id, "Otto Offen", waiting, "online")
        _confirm(page, mail_dir, online)
        assert link in page.locator("main").inner_text(), "the manage page shows the link to the online attendee"
        _confirm(page, mail_dir, room)
        assert link not in page.content()

        confirmed = _newest(mail_dir, online, 2)
        assert link in _text(confirmed)
        [event] = _calendar_attachment(confirmed).walk("VEVENT")
        assert str(event["LOCATION"]) == link
        room_mail = _newest(mail_dir, room, 2)
        assert "meet.example.org" not in room_mail.as_string()
        [room_event] = _calendar_attachment(room_mail).walk("VEVENT")
        assert "meet.example.org" not in str(room_event.get("LOCATION", ""))

        # Staff change the link: only the confirmed online attendee hears of it.
        new_link = f"https://meet.example.org/{tag}-neu"
        office.goto(f"{base}/staff/events/sessions/{session_id}/edit")
        office.fill("#online_url", new_link)
        _submit(office, "main form button[type=submit]")
        changed = _newest(mail_dir, online, 3)
        assert new_link in _text(changed)
        time.sleep(1)
        assert len(_mails_to(mail_dir, room)) == 2 and len(_mails_to(mail_dir, waiting)) == 1
        assert all("meet.example.org" not in m.as_string() for m in _mails_to(mail_dir, waiting))
    finally:
        staff.close()
        visitor.close()
