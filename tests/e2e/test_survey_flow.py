"""The surveys issue's "Done means", tried as people would, through the real pages in Chromium.

Staff build a survey with a conditional question and attach it to a session of a series as its follow-up; the
thank-you mail after the session carries each attendee's own link; a business answers once (a second try is
refused kindly); the series trend shows the session with the answer, and a session with too few answers is hidden.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid

import pytest

from tests.e2e.conftest import ORGANIZER_EMAIL, _server_env, organizer_password
from tests.e2e.test_events_flow import _link, _submit, _wait_for_mail

pytestmark = pytest.mark.e2e

SURVEY_LINK = r"https?://\S+/surveys/\d+\?t=[0-9a-f]+"

# Two sessions of one series that ended an hour ago and a quarter ago, five attendees checked in to the first.
_SESSIONS = """
import asyncio, json, sys
from datetime import UTC, datetime, timedelta
from agora import db
from agora.settings import load_settings
from events import checkin, services
from events.services import registration

async def main():
    settings = load_settings()
    await db.init_db(settings)
    try:
        tag = sys.argv[1]
        series = await services.create_series(title=f"Wirtschaft trifft Verwaltung {tag}")
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        ids = []
        for ago in (timedelta(days=90), timedelta(hours=3)):
            session = await services.create_session(series_id=series.id, title=f"Frühstück {tag}",
                starts_at=now - ago, ends_at=now - ago + timedelta(hours=2), capacity=20)
            await services.publish_session(session.id)
            ids.append(session.id)
        for n in range(5):
            reg = await registration.register(settings, ids[1], name=f"Firma {n}",
                email=f"firma{n}-{tag}@example.org", by_staff=True)
            await checkin.check_in(ids[1], reg.checkin_code)
        print(json.dumps({"series": series.id, "old": ids[0], "session": ids[1]}))
    finally:
        await db.close_db()

asyncio.run(main())
"""

_FOLLOWUPS = """
import asyncio
from agora import db
from agora.settings import load_settings
from events import tasks

async def main():
    settings = load_settings()
    await db.init_db(settings)
    try:
        await tasks.send_followups(settings)
    finally:
        await db.close_db()

asyncio.run(main())
"""

# Other businesses answer too: four more in the recent session, two in the old one (too few to show).
_MORE_ANSWERS = """
import asyncio, sys
from agora import db
from agora.settings import load_settings
from surveys import services

async def main():
    settings = load_settings()
    await db.init_db(settings)
    try:
        survey_id, recent, old = (int(v) for v in sys.argv[1:4])
        definition = await services.definition_of(survey_id)
        for n, session in enumerate([recent] * 4 + [old] * 2):
            await services.submit(definition, {"first": "ja", "overall": 4 + n % 2}, session_id=session)
    finally:
        await db.close_db()

asyncio.run(main())
"""


def _run(server, script: str, *args: str) -> str:  # noqa: ANN001
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        env=_server_env(server.data_dir, server.base_url),
        cwd=server.data_dir,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _add_question(office, base: str, survey_id: str, fields: dict[str, str], select: dict[str, str]) -> None:  # noqa: ANN001
    office.goto(f"{base}/staff/surveys/{survey_id}")
    for name, value in fields.items():
        office.fill(f"form[action$='/questions'] #{name}", value)
    for name, value in select.items():
        office.select_option(f"form[action$='/questions'] #{name}", value)
    _submit(office, "form[action$='/questions'] button[type=submit]")
    assert "/staff/surveys/" in office.url and "Fehler" not in office.title(), office.locator("main").inner_text()


def test_build_attach_answer_once_and_see_the_trend(server, browser) -> None:  # noqa: ANN001
    base = server.base_url
    tag = uuid.uuid4().hex[:6]
    ids = json.loads(_run(server, _SESSIONS, tag).strip().splitlines()[-1])
    staff = browser.new_context()
    business = browser.new_context()
    try:
        office = staff.new_page()
        office.goto(f"{base}/staff/login")
        office.fill("#email", ORGANIZER_EMAIL)
        office.fill("#password", organizer_password())
        _submit(office, "main form button[type=submit]")

        # A survey with a rating, a choice, and a question shown only for one answer of the choice.
        office.goto(f"{base}/staff/surveys")
        office.fill("#title", f"Feedback {tag}")
        _submit(office, "form[action='/staff/surveys/new'] button[type=submit]")
        survey_id = re.search(r"/staff/surveys/(\d+)$", office.url).group(1)  # type: ignore[union-attr]
        _add_question(
            office, base, survey_id, {"code": "overall", "label": "Wie war es insgesamt?"}, {"kind": "rating"}
        )
        _add_question(
            office,
            base,
            survey_id,
            {"code": "first", "label": "Waren Sie zum ersten Mal dabei?", "options": "ja = Ja\nnein = Nein"},
            {"kind": "single"},
        )
        _add_question(
            office,
            base,
            survey_id,
            {"code": "why", "label": "Was hat Sie bisher abgehalten?", "condition_code": "first",
             "condition_value": "nein"},
            {"kind": "long_text", "condition_op": "equals"},
        )  # fmt: skip
        office.goto(f"{base}/staff/surveys/{survey_id}")
        office.check("#access-tokens")
        office.check("#published")
        _submit(office, "form[action$='/settings'] button[type=submit]")
        office.goto(f"{base}/staff/surveys/{survey_id}/preview")
        assert "Was hat Sie bisher abgehalten?" in office.locator("main").inner_text()

        # Attached to the session as its follow-up survey.
        office.goto(f"{base}/staff/events/sessions/{ids['session']}/edit")
        office.select_option("#followup_survey_id", survey_id)
        _submit(office, "main form button[type=submit]")
        assert office.url.endswith(f"/staff/events/sessions/{ids['session']}"), office.locator("main").inner_text()

        # After the session: the thank-you mail with a personal link.
        _run(server, _FOLLOWUPS)
        address = f"firma0-{tag}@example.org"
        thanked = _wait_for_mail(server.data_dir / "mail", address, "Vielen Dank für Ihre Teilnahme", timeout=90)
        link = _link(thanked, SURVEY_LINK)
        page = business.new_page()
        page.goto(link)
        assert "Waren Sie zum ersten Mal dabei?" in page.content()
        page.check("#overall-4")
        page.check("#first-2")  # nein
        page.fill("#why", "Keine Zeit am Morgen")
        thanks = _submit(page, "main form button[value=next]")
        assert thanks.status == 200 and "/thanks" in page.url
        page.goto(link)
        assert "bereits beantwortet" in page.locator("main").inner_text()
        assert page.locator("main form").count() == 0

        # The series trend: the session with the answer, the old session hidden (two answers only).
        _run(server, _MORE_ANSWERS, survey_id, str(ids["session"]), str(ids["old"]))
        office.goto(f"{base}/staff/surveys/{survey_id}/trend?code=overall")
        table = office.locator("main table").inner_text()
        assert "ausgeblendet (zu wenige Antworten)" in table
        assert re.search(r"\t5\t4\.4", table), table  # 4, and 4, 5, 4, 5 from the others
        assert office.locator("main svg title").count() == 1
        office.goto(f"{base}/staff/surveys/{survey_id}/analysis")
        assert "Beantwortet von 7." in office.locator("main").inner_text()
        office.goto(f"{base}/staff/surveys/{survey_id}/texts?code=why")
        assert "Keine Zeit am Morgen" in office.locator("main").inner_text()
    finally:
        staff.close()
        business.close()
