"""The issue's "Done means", tried as people would in the embedded mode, through the real pages in Chromium.

Staff create a series and a 10-seat session and publish it; a business registers, confirms with the link
from the mail file, gets the calendar file and the QR code; the 11th registrant is waitlisted and promoted
by mail when the first one cancels; the check-in marks the promoted person attended.
"""

from __future__ import annotations

import email
import re
import time
import uuid
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from tests.e2e.conftest import ORGANIZER_EMAIL, organizer_password

pytestmark = pytest.mark.e2e

BERLIN = ZoneInfo("Europe/Berlin")
CONFIRM_LINK = r"https?://\S+/events/registrations/[A-Za-z0-9_\-]+/confirm"
MANAGE_LINK = r"https?://\S+/events/registrations/[A-Za-z0-9_\-]+"


def _mails_to(mail_dir: Path, address: str) -> list[EmailMessage]:
    found = []
    for path in sorted(mail_dir.glob("**/*.eml"), key=lambda p: p.stat().st_mtime):
        message = email.message_from_bytes(path.read_bytes(), policy=default)
        if address in str(message["To"]):
            found.append(message)
    return found  # type: ignore[return-value]


def _wait_for_mail(mail_dir: Path, address: str, subject_part: str, timeout: float = 30.0) -> EmailMessage:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in _mails_to(mail_dir, address):
            if subject_part in str(message["Subject"]):
                return message
        time.sleep(0.2)
    subjects = [str(m["Subject"]) for m in _mails_to(mail_dir, address)]
    pytest.fail(f"no mail to {address} with {subject_part!r} within {timeout} s; got {subjects}")


def _text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return body.get_content()


def _link(message: EmailMessage, pattern: str) -> str:
    found = re.search(pattern, _text(message))
    assert found, _text(message)
    return found.group(0)


def _calendar_attachment(message: EmailMessage) -> Calendar:
    for part in message.iter_attachments():
        if part.get_content_type() == "text/calendar":
            return Calendar.from_ical(part.get_payload(decode=True))
    pytest.fail(f"the mail {message['Subject']!r} has no calendar attachment")


def _submit(page, selector: str):  # noqa: ANN001, ANN202 - playwright objects
    with page.expect_navigation() as navigation:
        page.click(selector)
    return navigation.value


def _register(page, base_url: str, session_id: int, name: str, address: str) -> str:  # noqa: ANN001
    page.goto(f"{base_url}/termine/{session_id}")
    page.fill("#name", name)
    page.fill("#email", address)
    page.fill("#organisation", "Musterbetrieb GmbH")
    page.check("#consent")
    response = _submit(page, f"main form[action='/termine/{session_id}/anmeldung'] button[type=submit]")
    assert response.status == 200, page.locator("main").inner_text()
    return page.locator("#status").inner_text()


def test_staff_publish_register_confirm_waitlist_promote_check_in(server, browser) -> None:  # noqa: ANN001
    mail_dir = server.data_dir / "mail"
    base = server.base_url
    tag = uuid.uuid4().hex[:6]
    staff = browser.new_context()
    visitor = browser.new_context(accept_downloads=True)
    try:
        # Staff: a series, then a 10-seat session in it, published.
        office = staff.new_page()
        office.goto(f"{base}/staff/login")
        office.fill("#email", ORGANIZER_EMAIL)
        office.fill("#password", organizer_password())
        _submit(office, "main form button[type=submit]")
        office.goto(f"{base}/staff/events/series/new")
        office.fill("#title", f"Wirtschaft trifft Verwaltung {tag}")
        office.fill("#office", "Wirtschaftsförderung")
        office.fill("#contact_email", "wifoe@example.org")
        _submit(office, "main form button[type=submit]:not([name=preview])")
        series_match = re.search(r"/staff/events/series/(\d+)$", office.url)
        assert series_match, office.url
        series_id = series_match.group(1)

        starts = (datetime.now(BERLIN) + timedelta(days=21)).replace(hour=8, minute=0, second=0, microsecond=0)
        office.goto(f"{base}/staff/events/sessions/new")
        office.select_option("#series_id", series_id)
        office.fill("#title", f"Frühstück {tag}")
        office.fill("#starts_at", starts.strftime("%Y-%m-%dT%H:%M"))
        office.fill("#ends_at", (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
        office.fill("#capacity", "10")
        office.fill("#venue_name", "Rathaus, Ratssaal")
        office.fill("#venue_address", "Marktplatz 1, 12345 Musterstadt")
        _submit(office, "main form button[type=submit]")
        session_match = re.search(r"/staff/events/sessions/(\d+)$", office.url)
        assert session_match, (office.url, office.locator("main").inner_text())
        session_id = int(session_match.group(1))
        _submit(office, f"main form[action='/staff/events/sessions/{session_id}/publish'] button[type=submit]")

        # A business finds it on the series page and registers.
        page = visitor.new_page()
        page.goto(f"{base}/reihen/{series_id}")
        page.click(f"main a[href='/termine/{session_id}']")
        assert "10" in page.locator("#seats").inner_text()
        first = f"erste-{tag}@example.com"
        status = _register(page, base, session_id, "Erika Erste", first)
        assert first in status

        # The confirmation link from the mail file shows a button; only the button confirms.
        request = _wait_for_mail(mail_dir, first, "")
        page.goto(_link(request, CONFIRM_LINK))
        _submit(page, "main form button[type=submit]")
        assert page.locator("svg").count() >= 1  # the check-in QR code
        code = page.locator("#checkin-code").inner_text()
        assert re.fullmatch(r"[A-Z0-9]{8}", code)
        with page.expect_download() as download:
            page.click("a[href$='/calendar.ics']")
        calendar = Calendar.from_ical(Path(download.value.path()).read_bytes())
        assert str(calendar["METHOD"]) == "REQUEST"
        [event] = calendar.walk("VEVENT")
        assert str(event["SUMMARY"]) == f"Frühstück {tag}"
        deadline = time.monotonic() + 30
        while len(_mails_to(mail_dir, first)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        confirmation = _mails_to(mail_dir, first)[-1]
        assert code in _text(confirmation), "the confirmation mail carries the check-in code"
        assert str(_calendar_attachment(confirmation)["METHOD"]) == "REQUEST"
        manage = page.url

        # Nine more take the remaining seats; the eleventh joins the waitlist.
        other = visitor.new_page()
        for n in range(2, 11):
            _register(other, base, session_id, f"Person {n}", f"p{n}-{tag}@example.com")
        eleventh = f"elfte-{tag}@example.com"
        status = _register(other, base, session_id, "Elke Elfte", eleventh)
        assert "1" in status  # waitlist position
        waitlisted = _wait_for_mail(mail_dir, eleventh, "")
        # Confirming the address from the waitlist mail keeps the place on the waitlist.
        other.goto(_link(waitlisted, CONFIRM_LINK))
        _submit(other, "main form button[type=submit]")
        assert "1" in other.locator("#status").inner_text()

        # The first business cancels; the eleventh is promoted and told by mail.
        page.goto(manage)
        _submit(page, "main form[action$='/cancel'] button[type=submit]")
        assert page.locator("#status").inner_text().strip() in ("Anmeldung storniert", "Registration cancelled")
        before = len(_mails_to(mail_dir, eleventh))
        deadline = time.monotonic() + 30
        while len(_mails_to(mail_dir, eleventh)) <= before and time.monotonic() < deadline:
            time.sleep(0.2)
        promoted = _mails_to(mail_dir, eleventh)[-1]
        assert str(_calendar_attachment(promoted)["METHOD"]) == "REQUEST"
        other.goto(_link(promoted, MANAGE_LINK))
        eleventh_code = other.locator("#checkin-code").inner_text()

        # Check-in at the door marks them attended.
        office.goto(f"{base}/staff/events/sessions/{session_id}/checkin")
        office.fill("#code", eleventh_code)
        _submit(office, "main form:has(#code) button[type=submit]")
        other.reload()
        status_text = other.locator("#status").inner_text()
        assert status_text.strip() in ("Teilgenommen", "Attended"), status_text
    finally:
        staff.close()
        visitor.close()


# A session with everything the public page can show, written into the running server's database through
# the services (the staff pages for agenda, tracks and questions are tested on their own).
_RICH_SESSION = """
import asyncio, json, sys
from datetime import UTC, datetime, timedelta
from agora import db
from agora.settings import load_settings
from events import services

async def main():
    settings = load_settings()
    await db.init_db(settings)
    try:
        series = await services.create_series(
            title="Werkstatt Digitalisierung", description="Praxis **für** Betriebe.",
            office="Wirtschaftsförderung", contact_email="wifoe@example.org", contact_phone="+49 30 123",
        )
        starts = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
        session = await services.create_session(
            series_id=series.id, kind="workshop", title="Workshop KI im Betrieb",
            description="## Worum es geht\\n\\n- Beispiele\\n- Austausch", starts_at=starts,
            ends_at=starts + timedelta(hours=3), venue_name="Rathaus",
            venue_address="Marktplatz 1, 12345 Musterstadt",
            venue_room="Ratssaal", venue_accessibility="Stufenloser Zugang, Aufzug, Induktionsschleife.",
            online_url="https://meet.example.org/ki", capacity=20, max_colleagues=2,
            registration_closes_at=starts - timedelta(days=1), cancel_deadline=starts - timedelta(days=2),
        )
        a = await services.add_track(session.id, title="Einsteiger", capacity=10)
        b = await services.add_track(session.id, title="Fortgeschrittene", capacity=10)
        await services.add_agenda_item(session.id, starts_at=starts, ends_at=starts + timedelta(minutes=30),
            title="Begrüßung", kind="talk", room="Ratssaal",
            speakers=[{"name": "Dr. Anna Beispiel", "role": "Leiterin",
                       "organisation": "Wirtschaftsförderung"}])
        for track in (a, b):
            await services.add_agenda_item(session.id, starts_at=starts + timedelta(minutes=30),
                ends_at=starts + timedelta(hours=2), title=f"Arbeitsgruppe {track.title}", kind="discussion",
                room=track.title, track_id=track.id)
        await services.add_agenda_item(session.id, starts_at=starts + timedelta(hours=2),
            ends_at=starts + timedelta(hours=3), title="Netzwerken", kind="networking")
        await services.add_question(session_id=session.id, label="Branche", kind="choice",
            options=["Handel", "Handwerk", "Industrie"], required=True)
        await services.add_question(session_id=session.id, label="Themen", kind="checkboxes",
            options=["Daten", "Recht"])
        await services.add_question(session_id=session.id, label="Beschäftigte", kind="number")
        await services.add_question(session_id=session.id, label="Ihre Frage an uns", kind="text")
        await services.publish_session(session.id)
        print(json.dumps({"series": series.id, "session": session.id, "track": a.id}))
    finally:
        await db.close_db()

asyncio.run(main())
"""


def test_event_pages_pass_axe_and_the_html_checker(server, browser, tools, tmp_path) -> None:  # noqa: ANN001
    import json
    import subprocess
    import sys

    from tests.e2e.conftest import _server_env
    from tests.e2e.crawl import Crawler, format_failures, watch_errors

    created = subprocess.run(
        [sys.executable, "-c", _RICH_SESSION],
        env=_server_env(server.data_dir, server.base_url),
        cwd=server.data_dir,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert created.returncode == 0, created.stderr
    ids = json.loads(created.stdout.strip().splitlines()[-1])
    base = server.base_url
    crawler = Crawler(base, tmp_path / "html")
    for lang in ("de-DE", "en-GB"):
        context = browser.new_context(base_url=base, locale=lang)
        context.add_init_script(path=str(tools.axe_js))
        try:
            page = context.new_page()
            watch_errors(page, base)
            if lang.startswith("en"):
                page.goto(f"{base}/language/en?next=/")
            for path in ("/termine", f"/reihen/{ids['series']}", f"/termine/{ids['session']}"):
                crawler.check(page, lang, path, page.goto(base + path))
            session_path = f"/termine/{ids['session']}"
            assert "Dr. Anna Beispiel" in page.locator("main").inner_text()
            # A refused form: the error summary and the field errors must be accessible too.
            page.fill("#email", "kein-at")
            crawler.check(page, lang, "refused registration", _submit(page, "main form button[type=submit]"), 400)
            assert page.locator("#email-error").count() == 1 and page.locator("#consent-error").count() == 1
            address = f"a11y-{uuid.uuid4().hex[:6]}@example.com"
            page.goto(base + session_path)
            page.fill("#name", "Barbara Barrierefrei")
            page.fill("#email", address)
            page.check(f"#track-{ids['track']}")
            page.check("label:has-text('Handwerk') >> xpath=preceding-sibling::input")
            page.fill("#colleague_0_name", "Carl Kollege")
            page.fill("#colleague_0_email", "carl@example.com")
            page.check("#consent")
            crawler.check(page, lang, "registered", _submit(page, "main form button[type=submit]"))
            confirm = _link(_wait_for_mail(server.data_dir / "mail", address, ""), CONFIRM_LINK)
            crawler.check(page, lang, "confirm page", page.goto(confirm))
            crawler.check(page, lang, "manage page", _submit(page, "main form button[type=submit]"))
            assert page.locator("#checkin-code").count() == 1
            page.fill("#name", "")
            crawler.check(page, lang, "refused edit", _submit(page, "main form:has(#name) button[type=submit]"), 400)
        finally:
            context.close()
    crawler.validate_html(tools.java, tools.vnu_jar)
    pages = crawler.report.pages
    bad_status = [p for p in pages if p.status != (p.expected_status or 200)]
    assert not bad_status, [(p.label, p.status) for p in bad_status]
    assert not [p for p in pages if p.violations], format_failures(
        [p for p in pages if p.violations], lambda p: [f"{v['id']}: {v['help']}" for v in p.violations]
    )
    assert not [p for p in pages if p.browser_errors], [(p.label, p.browser_errors) for p in pages]
    assert not crawler.report.vnu, json.dumps(crawler.report.vnu, indent=1, ensure_ascii=False)[:4000]
