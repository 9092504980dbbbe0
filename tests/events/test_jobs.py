"""Scheduled jobs: what is due comes from the database: restarts lose nothing, two schedulers send once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from agora.settings import SettingsError, load_settings
from events import checkin, services, tasks
from events.models import ATTENDED, CONFIRMED, REG_CANCELLED, Registration
from notifications import compose, scheduler
from surveys import api as surveys_api
from surveys.models import Token
from surveys.ready import create_followup_template
from tests.conftest import replace_settings
from tests.events.helpers import mails, published_session, register


def soon_after(hours: int) -> datetime:
    return (datetime.now(UTC) + timedelta(hours=hours)).replace(microsecond=0)


async def confirmed(settings, session_id: int, n: int) -> Registration:  # noqa: ANN001
    return await register(settings, session_id, n, by_staff=True)


async def series_session(reminder_hours: int = 24, survey: int | None = None):  # noqa: ANN201
    series = await services.create_series(
        title="Wirtschaft trifft Verwaltung",
        reminder_offset_hours=reminder_hours,
        followup_survey_id=survey,
        contact_email="wirtschaft@musterstadt.example",
    )
    return await published_session(series_id=series.id, contact_email="")


async def test_reminder_is_sent_once_when_the_offset_is_reached(database) -> None:
    session = await series_session(reminder_hours=48)
    yes = await confirmed(database, session.id, 1)
    await register(database, session.id, 2)  # still unconfirmed: no reminder
    early = session.starts_at - timedelta(hours=49)
    await tasks.send_reminders(database, now=early)
    assert await mails(tasks.REMINDER) == []

    due = session.starts_at - timedelta(hours=47)
    await tasks.send_reminders(database, now=due)
    await tasks.send_reminders(database, now=due + timedelta(minutes=5))  # the next tick, or a restart
    [reminder] = await mails(tasks.REMINDER)
    assert reminder.recipient == yes.email
    assert reminder.context["manage_url"].startswith(database.base_url)
    assert reminder.attachments[0]["content_type"].startswith("text/calendar")
    await tasks.send_reminders(database, now=session.starts_at + timedelta(minutes=1))  # started: nothing more
    assert len(await mails(tasks.REMINDER)) == 1


async def test_later_ticks_build_no_mail_already_written(database, monkeypatch) -> None:  # noqa: ANN001
    """Reminders and thanks are due for hours; each tick builds (calendar file, survey link) only what is new."""
    survey = await create_followup_template()
    session = await series_session(survey=survey.id)
    people = [await confirmed(database, session.id, n) for n in range(1, 4)]
    built: list[str] = []
    real_notify = tasks.notify

    async def counting(settings, kind, registration, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        built.append(kind)
        await real_notify(settings, kind, registration, *args, **kwargs)

    monkeypatch.setattr(tasks, "notify", counting)
    due = session.starts_at - timedelta(hours=1)
    await tasks.send_reminders(database, now=due)
    assert built == [tasks.REMINDER] * 3
    await confirmed(database, session.id, 4)  # registered after the first tick
    await tasks.send_reminders(database, now=due + timedelta(minutes=5))
    await tasks.send_reminders(database, now=due + timedelta(minutes=10))
    assert built == [tasks.REMINDER] * 4
    assert len(await mails(tasks.REMINDER)) == 4

    after = session.ends_at + timedelta(minutes=10)
    for tick in range(3):
        await tasks.send_followups(database, now=after + timedelta(minutes=10 * tick))
    assert built.count(tasks.FOLLOWUP) == 4 and len(await mails(tasks.FOLLOWUP)) == 4
    assert {m.recipient for m in await mails(tasks.FOLLOWUP)} >= {p.email for p in people}


async def test_a_rescheduled_session_reminds_again(database) -> None:
    session = await series_session()
    await confirmed(database, session.id, 1)
    await tasks.send_reminders(database, now=session.starts_at - timedelta(hours=1))
    later = session.starts_at + timedelta(days=7)
    await services.update_session(database, session.id, starts_at=later, ends_at=later + timedelta(hours=2))
    await tasks.send_reminders(database, now=later - timedelta(hours=1))
    reminders = await mails(tasks.REMINDER)
    assert len(reminders) == 2
    assert reminders[0].dedup_key != reminders[1].dedup_key


async def test_two_schedulers_at_once_send_each_mail_once(database) -> None:
    session = await series_session()
    for n in range(6):
        await confirmed(database, session.id, n)
    due = session.starts_at - timedelta(hours=2)
    after = session.ends_at + timedelta(hours=1)
    await asyncio.gather(*(tasks.send_reminders(database, now=due) for _ in range(3)))
    await checkin.check_in(session.id, (await Registration.get(email="person0@example.com")).checkin_code)
    await asyncio.gather(
        *(tasks.send_followups(database, now=after) for _ in range(3)),
        *(tasks.send_summaries(database, now=after) for _ in range(3)),
    )
    assert len(await mails(tasks.REMINDER)) == 6
    assert len(await mails(tasks.FOLLOWUP)) == 1
    assert len(await mails(tasks.SUMMARY)) == 1


async def test_the_registered_jobs_run_through_two_scheduler_loops(database) -> None:
    settings = replace_settings(database, events_retention_days=30)
    tasks.register_jobs(settings)
    names = {job.name for job in scheduler.jobs()}
    assert {
        "events.expire_holds",
        "events.reminders",
        "events.followups",
        "events.organiser_summaries",
        "events.retention",
    } <= names
    soon = await published_session(starts_at=soon_after(hours=2))  # no series: the default offset of 24 hours
    await confirmed(database, soon.id, 1)
    events_jobs = [job for job in scheduler.jobs() if job.name.startswith("events.")]
    first, second = scheduler.Scheduler(job_list=events_jobs), scheduler.Scheduler(job_list=events_jobs)
    ran = await asyncio.gather(first.run_due(), second.run_due())
    assert "events.reminders" in ran[0] and "events.reminders" in ran[1]
    assert len(await mails(tasks.REMINDER, "person1@example.com")) == 1


async def test_followup_thanks_attendees_with_the_survey_link(database) -> None:
    survey = await create_followup_template()
    session = await series_session(survey=survey.id)
    came = await confirmed(database, session.id, 1)
    await confirmed(database, session.id, 2)  # a no-show
    await checkin.check_in(session.id, came.checkin_code)
    await tasks.send_followups(database, now=session.ends_at - timedelta(minutes=1))
    assert await mails(tasks.FOLLOWUP) == []  # not before the end
    await tasks.send_followups(database, now=session.ends_at + timedelta(minutes=10))
    [followup] = await mails(tasks.FOLLOWUP)
    assert followup.recipient == came.email
    link = followup.context["survey_url"]
    assert link.startswith(f"{database.base_url}/surveys/{survey.id}?t=")
    # Each attendee's own token, tied to this session; asking again gives the same link.
    token = await Token.get(survey_id=survey.id)
    assert token.email == came.email and token.session_id == session.id
    again = await surveys_api.personal_link(database, survey.id, email=came.email, session_id=session.id)
    assert again == link and await Token.filter(survey_id=survey.id).count() == 1


async def test_without_check_in_the_confirmed_are_thanked(database) -> None:
    session = await series_session()
    for n in range(3):
        await confirmed(database, session.id, n)
    cancelled = await Registration.get(email="person2@example.com")
    await services.cancel_registration(database, cancelled.id, by_staff=True)
    await tasks.send_followups(database, now=session.ends_at + timedelta(hours=1))
    assert sorted(m.recipient for m in await mails(tasks.FOLLOWUP)) == [
        "person0@example.com",
        "person1@example.com",
    ]


async def test_organiser_summary_counts_registered_attended_and_no_shows(database) -> None:
    session = await series_session()
    regs = [await confirmed(database, session.id, n) for n in range(4)]
    for reg in regs[:3]:
        await checkin.check_in(session.id, reg.checkin_code)
    await tasks.send_summaries(database, now=session.ends_at + timedelta(minutes=5))
    [summary] = await mails(tasks.SUMMARY)
    assert summary.recipient == "wirtschaft@musterstadt.example"  # the series' contact: the session has none
    assert (summary.context["registered"], summary.context["attended"], summary.context["no_shows"]) == (
        4,
        3,
        1,
    )
    assert [r.status for r in await Registration.filter(session_id=session.id).order_by("id")] == [
        ATTENDED,
        ATTENDED,
        ATTENDED,
        CONFIRMED,
    ]


async def test_old_sessions_get_no_mail_after_the_end(database) -> None:
    session = await series_session()
    await confirmed(database, session.id, 1)
    long_after = session.ends_at + tasks.AFTER_END_WINDOW + timedelta(hours=1)
    await tasks.send_followups(database, now=long_after)
    await tasks.send_summaries(database, now=long_after)
    assert await mails(tasks.FOLLOWUP) == [] and await mails(tasks.SUMMARY) == []


async def test_hold_expiry_and_retention_jobs(database) -> None:
    session = await published_session(capacity=1)
    held = await register(database, session.id, 1)
    waiting = await register(database, session.id, 2)
    await tasks.expire_holds(database, now=held.hold_expires_at + timedelta(seconds=1))
    assert (await Registration.get(id=held.id)).status == REG_CANCELLED
    assert (await Registration.get(id=waiting.id)).status != "waitlisted"

    settings = replace_settings(database, events_retention_days=30)
    assert await tasks.purge(settings, now=session.ends_at + timedelta(days=29)) == 0
    assert await tasks.purge(settings, now=session.ends_at + timedelta(days=31)) == 2
    assert await Registration.filter(session_id=session.id, anonymised_at=None).count() == 0


async def test_every_events_job_mail_renders(database) -> None:
    session = await series_session(survey=(await create_followup_template()).id)
    reg = await confirmed(database, session.id, 1)
    await tasks.send_reminders(database, now=session.starts_at - timedelta(hours=1))
    await checkin.check_in(session.id, reg.checkin_code)
    await tasks.send_followups(database, now=session.ends_at + timedelta(hours=1))
    await tasks.send_summaries(database, now=session.ends_at + timedelta(hours=1))
    rows = [*(await mails(tasks.REMINDER)), *(await mails(tasks.FOLLOWUP)), *(await mails(tasks.SUMMARY))]
    assert len(rows) == 3
    for row in rows:
        subject, text, html = compose.render_parts(row, database)
        assert session.title in subject or session.title in text
        assert "<html" in html
    assert rows[1].context["survey_url"] in compose.render_parts(rows[1], database)[1]


def test_retention_days_setting(tmp_path) -> None:
    base = {"AGORA_DATA_DIR": str(tmp_path)}
    assert load_settings(base, dotenv=False).events_retention_days == 180
    assert load_settings({**base, "AGORA_EVENTS_RETENTION_DAYS": "30"}, dotenv=False).events_retention_days == 30
    for bad in ("0", "-5", "abc", "99999"):
        with pytest.raises(SettingsError) as refused:
            load_settings({**base, "AGORA_EVENTS_RETENTION_DAYS": bad}, dotenv=False)
        assert "AGORA_EVENTS_RETENTION_DAYS" in str(refused.value)
