"""The check-in desk with a keyboard-wedge scanner: the field has the focus, the code and Enter check the person in,
and the focus is back in the field for the next one."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

import pytest

from tests.e2e.conftest import ORGANIZER_EMAIL, organizer_password
from tests.e2e.test_events_flow import BERLIN, _submit

pytestmark = pytest.mark.e2e

FOCUS_ID = "() => document.activeElement ? document.activeElement.id : ''"


def test_a_scanner_checks_people_in_one_after_the_other(server, browser) -> None:  # noqa: ANN001
    base = server.base_url
    tag = uuid.uuid4().hex[:6]
    context = browser.new_context(locale="de-DE")
    try:
        office = context.new_page()
        office.goto(f"{base}/staff/login")
        office.fill("#email", ORGANIZER_EMAIL)
        office.fill("#password", organizer_password())
        _submit(office, "main form button[type=submit]")
        starts = (datetime.now(BERLIN) + timedelta(days=5)).replace(hour=10, minute=0, second=0, microsecond=0)
        office.goto(f"{base}/staff/events/sessions/new")
        office.fill("#title", f"Einlass {tag}")
        office.fill("#starts_at", starts.strftime("%Y-%m-%dT%H:%M"))
        office.fill("#ends_at", (starts + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
        _submit(office, "main form button[type=submit]")
        found = re.search(r"/staff/events/sessions/(\d+)$", office.url)
        assert found
        session_id = int(found.group(1))
        _submit(office, f"main form[action='/staff/events/sessions/{session_id}/publish'] button[type=submit]")
        people = [f"Gast{n} {tag}" for n in (1, 2)]
        for n, name in enumerate(people):
            office.goto(f"{base}/staff/events/sessions/{session_id}/registrations")
            office.fill("#name", name)
            office.fill("#email", f"gast{n}-{tag}@example.com")
            _submit(office, "main form:has(#name) button[type=submit]")

        desk = f"{base}/staff/events/sessions/{session_id}/checkin"
        codes = []
        for name in people:
            office.goto(desk)
            office.wait_for_function("() => document.activeElement && document.activeElement.id === 'q'")
            office.keyboard.type(name)
            with office.expect_navigation():
                office.keyboard.press("Enter")
            text = office.locator(".checkin-result").inner_text()
            codes.append(re.search(r"Code ([A-Z0-9]{8})", text).group(1))  # type: ignore[union-attr]
            assert office.evaluate(FOCUS_ID) == "q", "the field has the focus after a search"

        office.goto(desk)
        for name, code in zip(people, codes, strict=True):
            office.wait_for_function("() => document.activeElement && document.activeElement.id === 'q'")
            # The scanner types fast and ends with Enter, into whatever has the focus.
            office.keyboard.type(code, delay=5)
            with office.expect_navigation():
                office.keyboard.press("Enter")
            assert f"{name} ist eingecheckt" in office.locator("main").inner_text()
            assert office.evaluate(FOCUS_ID) == "q", "the field has the focus for the next person"
        assert office.locator("#count-attended").inner_text().strip() == "2"
    finally:
        context.close()
