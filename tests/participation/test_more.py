"""The demo, the JSON API, the mail jobs (digest, moderators' reminder), personal data and deletion, the section
splitter and the similarity suggestions."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

from agora.accounts.participants.models import Participant
from notifications.compose import render_parts
from notifications.models import OutboxMessage
from participation import demo, mail, people
from participation.document import slugify, split_sections
from participation.models import (
    HIDDEN,
    LETTER,
    PUBLISHED,
    RESPONSE_PUBLISHED,
    Consultation,
    Contribution,
    Follow,
    Group,
    Response,
    Support,
)
from participation.similarity import clusters
from tests.conftest import make_user
from tests.participation.helpers import ago, open_consultation


async def test_demo_builds_the_digital_strategy_once(database):
    await demo.create_demo()
    await demo.create_demo()
    digital = await Consultation.get(slug=demo.DIGITAL)
    assert digital.phase() == "result"
    rows = await Contribution.filter(consultation_id=digital.id)
    assert len(rows) == 10
    assert any(r.status == HIDDEN for r in rows) and any(r.kind == LETTER for r in rows)
    assert max(r.depth for r in rows) == 2
    assert await Group.filter(consultation_id=digital.id).count() == 1
    assert await Response.filter(state=RESPONSE_PUBLISHED).count() == 4
    assert (await Consultation.get(slug=demo.NOISE)).phase() == "open"


async def test_api_lists_and_shows_published_consultations(client, database):
    await demo.create_demo()
    await open_consultation(slug="entwurf", published_at=None)
    listing = (await client.get("/api/v1/consultations")).json()
    slugs = [item["slug"] for item in listing["items"]]
    assert demo.DIGITAL in slugs and "entwurf" not in slugs and listing["meta"]["total"] == 2
    detail = (await client.get(f"/api/v1/consultations/{demo.DIGITAL}")).json()
    assert [s["number"] for s in detail["sections"]] == ["1", "2", "2.1", "2.2", "3"]
    texts = [c["text"] for c in detail["contributions"]]
    assert "Billige Uhren hier kaufen!!!" not in texts
    answered = [c for c in detail["contributions"] if c["response"]]
    assert {c["response"]["xbeteiligung_code"] for c in answered} == {1000, 2000}
    assert (await client.get("/api/v1/consultations/entwurf")).status_code == 404
    assert (await client.get("/api/v1/consultations/NICHT_DA")).status_code == 404
    document = (await client.get("/api/v1/openapi.json")).json()
    assert "/consultations/{slug}" in document["paths"]


async def test_digest_is_daily_and_never_empty(database):
    consultation = await open_consultation()
    now = datetime.now(UTC)
    follower = await Participant.create(email="f@example.org", created_at=now, confirmed_at=now)
    other = await Participant.create(email="o@example.org", created_at=now, confirmed_at=now)
    await Follow.create(consultation_id=consultation.id, participant_id=follower.id, mode="digest")
    assert await mail.send_digests(database) == 0  # nothing written yet
    own = await Contribution.create(
        consultation_id=consultation.id,
        number=1,
        body="Mein Beitrag",
        author_id=follower.id,
        status=PUBLISHED,
        received_at=now,
    )
    assert await mail.send_digests(database) == 0  # no reply, no response: no mail
    await Contribution.create(
        consultation_id=consultation.id,
        number=2,
        body="Eine Antwort",
        parent_id=own.id,
        depth=1,
        author_id=other.id,
        status=PUBLISHED,
        received_at=now,
    )
    await Response.create(
        contribution_id=own.id, vote="noted", text="Danke", state=RESPONSE_PUBLISHED, published_at=now
    )
    assert await mail.send_digests(database) == 1
    assert await mail.send_digests(database) == 0  # once a day
    row = await OutboxMessage.get(kind="participation_digest")
    subject, text, html = render_parts(row, database)
    assert "Eine Antwort" in text and "Eine Antwort" in html and consultation.title in subject
    tomorrow = now + timedelta(days=2)
    assert await mail.send_digests(database, tomorrow) == 0  # the day's news are old by then


async def test_moderators_are_reminded_once_a_day_while_items_wait(database):
    consultation = await open_consultation()
    await make_user("mod@example.org", ["moderator"])
    await make_user("org@example.org", ["organizer"])
    assert await mail.remind_moderators(database) == 0
    await Contribution.create(
        consultation_id=consultation.id, number=1, body="x", status="pending_moderation", received_at=ago(0)
    )
    assert await mail.remind_moderators(database) == 1
    assert await mail.remind_moderators(database) == 0
    row = await OutboxMessage.get(kind="participation_moderation")
    assert row.recipient == "mod@example.org"
    assert "/staff/participation/moderation" in render_parts(row, database)[1]


async def test_final_notice_and_hidden_mail_render(database):
    consultation = await open_consultation()
    now = datetime.now(UTC)
    person = await Participant.create(email="p@example.org", created_at=now, confirmed_at=now)
    row = await Contribution.create(
        consultation_id=consultation.id, number=3, body="Text", author_id=person.id, status=PUBLISHED, received_at=now
    )
    answer = await Response.create(contribution_id=row.id, vote="partly", text="Teilweise so.", state="released")
    assert await mail.final_notices("b1", consultation, [answer]) == 1
    notice = await OutboxMessage.get(kind="participation_response")
    subject, text, html = render_parts(notice, database)
    assert "Teilweise berücksichtigt" in text and "Teilweise so." in html
    await mail.tell_hidden(row, consultation, "Werbung")
    hidden = await OutboxMessage.get(kind="participation_hidden")
    assert "Werbung" in render_parts(hidden, database)[1]


async def test_personal_data_and_deletion(database):
    consultation = await open_consultation()
    now = datetime.now(UTC)
    person = await Participant.create(email="me@example.org", created_at=now, confirmed_at=now)
    assert await people.personal_data(person.id, person.email) == {}
    row = await Contribution.create(
        consultation_id=consultation.id,
        number=1,
        body="Öffentlich",
        author_id=person.id,
        author_name="Me",
        show_name=True,
        status=PUBLISHED,
        received_at=now,
    )
    await Contribution.create(
        consultation_id=consultation.id,
        number=2,
        body="Wartet",
        author_email="me@example.org",
        status="pending_verification",
        received_at=now,
    )
    await Support.create(contribution_id=row.id, participant_id=person.id)
    await Follow.create(consultation_id=consultation.id, participant_id=person.id)
    data = await people.personal_data(person.id, person.email)
    texts = [r["text"] for section in data.values() if isinstance(section, list) for r in section if "text" in r]
    assert texts == ["Öffentlich", "Wartet"]
    await people.forget(person.id, person.email)
    kept = await Contribution.get(id=row.id)
    assert kept.author_id is None and kept.author_name == "" and not kept.show_name
    assert not await Contribution.exists(body="Wartet")
    assert not await Support.exists() and not await Follow.exists()


def test_sections_are_numbered_by_heading_level():
    preamble, sections = split_sections("Vorwort\n\n## A\n\neins\n\n### B\n\nzwei\n\n## A\n\ndrei\n")
    assert preamble == "Vorwort"
    assert [(s.number, s.heading, s.body) for s in sections] == [
        ("1", "A", "eins"),
        ("1.1", "B", "zwei"),
        ("2", "A", "drei"),
    ]
    assert sections[0].start < sections[1].start < sections[2].start
    assert split_sections("kein Kopf") == ("kein Kopf", [])
    assert slugify("Straßen & Plätze") == "strassen-platze"


def test_similar_contributions_are_suggested_quickly():
    items = [
        (1, "Mehr Radwege in der Innenstadt bitte"),
        (2, "Wir brauchen mehr Radwege in der Innenstadt"),
        (3, "Das WLAN im Rathaus ist zu langsam"),
        (4, "und"),
    ]
    assert clusters(items) == [[1, 2]]
    assert clusters(items[:1]) == []
    words = [
        "radweg",
        "ampel",
        "schule",
        "parkplatz",
        "glasfaser",
        "bibliothek",
        "freibad",
        "bushaltestelle",
        "verwaltung",
        "formular",
        "sitzbank",
        "spielplatz",
        "baustelle",
        "laerm",
        "gruenflaeche",
    ]
    rng = random.Random(7)
    many = [(i, " ".join(rng.choice(words) + rng.choice("abcdefgh") for _ in range(12))) for i in range(2000)]
    started = time.perf_counter()
    clusters(many)
    assert time.perf_counter() - started < 10
