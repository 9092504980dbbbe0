"""Followers hear when a consultation opens, closes or publishes its result: once by a single mail, or in the
daily digest, and not of changes before they followed or older than a day."""

from __future__ import annotations

from datetime import UTC, datetime

from agora.accounts.participants.models import Participant
from notifications.compose import render_parts
from notifications.models import OutboxMessage
from participation import mail
from participation.models import Follow
from tests.participation.helpers import ago, open_consultation


async def _follower(consultation_id: int, email: str, mode: str, days_ago: float) -> Participant:
    now = datetime.now(UTC)
    person = await Participant.create(email=email, created_at=now, confirmed_at=now, language="en")
    follow = await Follow.create(consultation_id=consultation_id, participant_id=person.id, mode=mode)
    await Follow.filter(id=follow.id).update(created_at=ago(days_ago))
    return person


async def test_opening_is_told_once_by_single_mail_and_in_the_digest(database):
    consultation = await open_consultation(opens_at=ago(0.1))
    single = await _follower(consultation.id, "single@example.org", "single", 3)
    digest = await _follower(consultation.id, "digest@example.org", "digest", 3)
    await _follower(consultation.id, "late@example.org", "single", 0.01)
    assert await mail.tell_phase_changes(database) == 1
    assert await mail.tell_phase_changes(database) == 0  # the second run sends nothing again
    row = await OutboxMessage.get(kind="participation_phase")
    assert row.recipient == single.email
    subject, text, html = render_parts(row, database)
    assert consultation.title in subject
    assert "open for contributions" in text and "open for contributions" in html
    assert await mail.send_digests(database) == 1
    assert await mail.send_digests(database) == 0
    told = await OutboxMessage.get(kind="participation_digest")
    assert told.recipient == digest.email
    _subject, text, html = render_parts(told, database)
    assert "open for contributions" in text and "open for contributions" in html


async def test_closing_and_result_each_get_their_own_mail_but_old_changes_none(database):
    consultation = await open_consultation(opens_at=ago(5), closes_at=ago(0.2), result_published_at=ago(0.1))
    await _follower(consultation.id, "single@example.org", "single", 10)
    assert await mail.tell_phase_changes(database) == 2
    kinds = sorted(r.context["phase"] for r in await OutboxMessage.filter(kind="participation_phase"))
    assert kinds == ["closed", "result"]
    await open_consultation(slug="alt", opens_at=ago(5), closes_at=ago(3))
    assert await mail.tell_phase_changes(database) == 0
    draft = await open_consultation(slug="entwurf", published_at=None, opens_at=ago(0.1))
    await _follower(draft.id, "draft@example.org", "single", 10)
    assert await mail.tell_phase_changes(database) == 0
    assert await mail.send_digests(database) == 0  # no digest follower, nothing else happened
