"""Every events mail kind, produced by the real services and jobs and rendered through notifications'
composition in German and English: subject, both bodies, the links they must carry and the attachments."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

import pytest
from icalendar import Calendar

from events import checkin, services, tasks
from events.models import Registration
from events.services import signup
from events.services.common import KINDS, manage_url
from notifications.compose import build
from notifications.models import OutboxMessage
from surveys.ready import create_followup_template
from tests.events.helpers import mails, published_session, register
from tests.notifications.smtp_sink import read_back

ALL_KINDS = (*KINDS, signup.EXISTS_KIND, tasks.REMINDER, tasks.FOLLOWUP, tasks.SUMMARY)
TITLE = "Wirtschaft trifft Verwaltung"
# Babel formats dates in the reader's language whatever the catalog holds: a reliable language marker.
WEEKDAYS = {
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


async def _produce_every_kind(settings) -> None:  # noqa: ANN001
    """A realistic life of two sessions that writes at least one outbox row of every events kind."""
    series = await services.create_series(
        title="Reihe",
        contact_email="wifoe@example.org",
        followup_survey_id=(await create_followup_template()).id,
    )
    session = await published_session(series_id=series.id, capacity=1, venue_room="Ratssaal")
    first = await register(settings, session.id, 1)  # confirm request
    await services.confirm_registration(settings, services_token(settings, first))  # confirmed
    second = await register(settings, session.id, 2)  # waitlisted
    await signup.register_publicly(
        settings, session.id, name="Noch einmal", email="person2@example.com", consent=True, consent_version="v"
    )  # exists
    await services.cancel_registration(settings, first.id)  # cancelled, second promoted
    await services.confirm_registration(settings, services_token(settings, second))
    await services.update_session(
        settings,
        session.id,
        starts_at=session.starts_at + timedelta(hours=1),
        ends_at=session.ends_at + timedelta(hours=1),
    )  # changed
    other = await published_session(series_id=series.id, title="Workshop Digitalisierung")
    await register(settings, other.id, 3, by_staff=True)
    await services.cancel_session(settings, other.id, reason="Die Referentin ist erkrankt.")  # session cancelled

    fresh = await Registration.get(id=second.id)
    reloaded = await type(session).get(id=session.id)
    await tasks.send_reminders(settings, now=reloaded.starts_at - timedelta(hours=1))
    await checkin.check_in(reloaded.id, fresh.checkin_code)
    await tasks.send_followups(settings, now=reloaded.ends_at + timedelta(hours=1))
    await tasks.send_summaries(settings, now=reloaded.ends_at + timedelta(hours=1))


def services_token(settings, registration) -> str:  # noqa: ANN001
    from events.services.common import manage_token

    return manage_token(settings, registration.ics_uid)


def _parse(row: OutboxMessage, settings, locale: str) -> EmailMessage:  # noqa: ANN001
    row.locale = locale
    return read_back(build(row, settings))


@pytest.mark.parametrize("locale", ["de", "en"])
async def test_every_kind_renders_with_links_and_attachments(database, locale: str) -> None:
    await _produce_every_kind(database)
    rows = await mails()
    produced = {row.kind for row in rows}
    assert set(ALL_KINDS) <= produced, set(ALL_KINDS) - produced
    for row in rows:
        if row.kind not in ALL_KINDS:
            continue
        message = _parse(row, database, locale)
        subject = str(message["Subject"])
        assert row.context["session_title"] in subject, (row.kind, subject)
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert "{{" not in text + html and "{%" not in text + html, row.kind
        assert html.startswith("<!DOCTYPE html>") and f'<html lang="{locale}">' in html
        assert any(day in text for day in WEEKDAYS[locale]), (row.kind, text)
        assert not any(day in text for day in WEEKDAYS["en" if locale == "de" else "de"]), row.kind
        if row.kind == tasks.SUMMARY:
            assert row.context["staff_url"] in text and row.context["staff_url"] in html
            assert f": {row.context['attended']}" in text
            continue
        assert row.context["manage_url"] in text or row.kind in (
            "registration_cancelled",
            "session_cancelled",
            tasks.FOLLOWUP,
        ), row.kind
        attachments = {part.get_filename(): part for part in message.iter_attachments()}
        if "invite.ics" in attachments:
            part = attachments["invite.ics"]
            calendar = Calendar.from_ical(part.get_payload(decode=True))
            method = str(calendar["METHOD"])
            expected = "CANCEL" if row.kind in ("registration_cancelled", "session_cancelled") else "REQUEST"
            assert method == expected, row.kind
            assert part.get_content_type() == "text/calendar"
    by_kind = {row.kind: row for row in rows}
    request = _parse(by_kind["registration_confirm_request"], database, locale)
    body = request.get_body(("plain",)).get_content()
    confirm = by_kind["registration_confirm_request"].context["confirm_url"]
    assert confirm in body and confirm.endswith("/confirm")
    assert f'href="{confirm}"' in request.get_body(("html",)).get_content()
    confirmed = _parse(by_kind["registration_confirmed"], database, locale).get_body(("plain",)).get_content()
    assert by_kind["registration_confirmed"].context["checkin_code"] in confirmed
    followup = _parse(by_kind[tasks.FOLLOWUP], database, locale)
    assert "/surveys/" in followup.get_body(("html",)).get_content()
    assert by_kind[tasks.FOLLOWUP].context["survey_url"] in followup.get_body(("plain",)).get_content()
    changed = _parse(by_kind["session_changed"], database, locale).get_body(("plain",)).get_content()
    before, now = ("Bisher: ", "Neu: ") if locale == "de" else ("Before: ", "Now: ")
    assert before in changed and now in changed, changed  # the moved date with the old one beside it
    assert changed.split(before, 1)[1].split("\n", 1)[0] != changed.split(now, 1)[1].split("\n", 1)[0]
    cancelled = _parse(by_kind["session_cancelled"], database, locale).get_body(("plain",)).get_content()
    assert "Die Referentin ist erkrankt." in cancelled
    confirmed_parts = {
        p.get_filename(): p for p in _parse(by_kind["registration_confirmed"], database, locale).iter_attachments()
    }
    assert "invite.ics" in confirmed_parts
    qr = confirmed_parts["check-in-code.svg"]
    assert qr.get_content_type() == "image/svg+xml"
    assert b"<svg" in qr.get_payload(decode=True)
    assert by_kind["registration_confirmed"].context["checkin_code"].encode() in qr.get_payload(decode=True)
    # The HTML part shows the code as a PNG (mail clients show no SVG), carried in multipart/related.
    message = _parse(by_kind["registration_confirmed"], database, locale)
    html_body = message.get_body(("html",)).get_content()
    assert 'src="cid:checkin-qr@agora"' in html_body
    [png] = [part for part in message.walk() if part.get("Content-ID") == "<checkin-qr@agora>"]
    assert png.get_content_type() == "image/png" and png.get_payload(decode=True).startswith(b"\x89PNG")
    assert any(part.get_content_type() == "multipart/related" for part in message.walk())


async def test_manage_link_in_mail_is_the_registration_page(database, client) -> None:
    session = await published_session()
    reg = await register(database, session.id, 7)
    [row] = await mails("registration_confirm_request")
    text = _parse(row, database, "de").get_body(("plain",)).get_content()
    link = manage_url(database, reg)
    assert link + "/confirm" in text
    page = await client.get("/" + link.split("://", 1)[1].split("/", 1)[1])
    assert page.status_code == 200
    assert reg.email in page.text
