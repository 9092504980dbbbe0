"""After a session: each attendee's own link, one reminder to those who have not answered, the response rate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from events import checkin
from events import services as event_services
from events import tasks as event_tasks
from notifications import compose
from surveys import analysis, services, tasks
from surveys.models import TOKENS, Response, Survey, Token
from tests.events.helpers import mails, published_session, register
from tests.surveys.helpers import published_template


async def test_followup_links_reminder_and_response_rate(staff_client, database) -> None:
    survey = await published_template(access=TOKENS, reminder_days=3)
    series = await event_services.create_series(title="Wirtschaft trifft Verwaltung", followup_survey_id=survey.id)
    session = await published_session(series_id=series.id)
    people = [await register(database, session.id, n, by_staff=True) for n in range(3)]
    for person in people:
        await checkin.check_in(session.id, person.checkin_code)
    await event_tasks.send_followups(database, now=session.ends_at + timedelta(minutes=5))
    links = {m.recipient: m.context["survey_url"] for m in await mails(event_tasks.FOLLOWUP)}
    assert len(set(links.values())) == 3 and await Token.filter(session_id=session.id).count() == 3

    definition = await services.definition_of(survey.id)
    assert definition is not None
    raw = links[people[0].email].rsplit("t=", 1)[1]
    await services.submit(definition, {"overall": 4, "contacts": "no"}, token=await services.find_token(survey.id, raw))
    assert (await Response.get(survey_id=survey.id)).session_id == session.id

    now = datetime.now(UTC)
    assert await tasks.send_reminders(database, now=now + timedelta(days=1)) == 0  # not yet
    assert await tasks.send_reminders(database, now=now + timedelta(days=4)) == 2
    assert await tasks.send_reminders(database, now=now + timedelta(days=5)) == 0  # once only
    reminders = await mails(tasks.REMINDER)
    assert sorted(m.recipient for m in reminders) == sorted(p.email for p in people[1:])
    subject, text, html = compose.render_parts(reminders[0], database)
    assert survey.title in subject and reminders[0].context["survey_url"] in text and "<html" in html

    rates = await analysis.response_rates(survey.id)
    assert rates == [{"session_id": session.id, "sent": 3, "used": 1, "rate": 33.3}]
    page = await staff_client.get(f"/staff/surveys/{survey.id}")
    assert "Rücklaufquote" in page.text and "33.3 %" in page.text
    await Survey.filter(id=survey.id).update(published=False)
    assert await tasks.send_reminders(database, now=now + timedelta(days=9)) == 0
