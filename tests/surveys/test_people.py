"""Addresses on personal survey links: removed after the retention period, exported and forgotten on request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from surveys import people, services
from surveys.models import Survey, Token
from tests.surveys.helpers import published_template


async def test_addresses_go_only_from_surveys_closed_longer_than_the_retention_period(database) -> None:
    now = datetime.now(UTC)
    old = await published_template(closes_at=now - timedelta(days=people.TOKEN_RETENTION_DAYS + 1))
    recent = await published_template(closes_at=now - timedelta(days=people.TOKEN_RETENTION_DAYS - 1))
    running = await published_template()
    for survey in (old, recent, running):
        await services.issue_token(database, survey.id, email=f"person{survey.id}@example.org")
    await Token.filter(survey_id=old.id).update(draft={"overall": 4})

    assert await people.purge_token_addresses(now) == 1
    assert await people.purge_token_addresses(now) == 0
    gone = await Token.get(survey_id=old.id)
    assert gone.email == "" and gone.draft == {}
    assert (await Token.get(survey_id=recent.id)).email == f"person{recent.id}@example.org"
    assert (await Token.get(survey_id=running.id)).email == f"person{running.id}@example.org"


async def test_nothing_to_purge_without_closed_surveys(database) -> None:
    await published_template()
    assert await people.purge_token_addresses() == 0


async def test_a_participant_sees_and_deletes_their_survey_invitations(database) -> None:
    from agora.accounts.participants.services import DELETION_HOOKS, PERSONAL_DATA_PROVIDERS
    from agora.app import register_domain_hooks

    register_domain_hooks(database)
    assert people.personal_data in PERSONAL_DATA_PROVIDERS and people.forget in DELETION_HOOKS
    survey = await published_template()
    await services.issue_token(database, survey.id, email="Petra@Example.com")
    await services.issue_token(database, survey.id, email="other@example.org")

    data = await people.personal_data(1, "petra@example.com")
    [entry] = next(iter(data.values()))
    title = (await Survey.get(id=survey.id)).title
    assert entry["survey"] == title and entry["answered_on"] is None and entry["reminded_at"] is None
    assert await people.personal_data(1, "nobody@example.org") == {}

    await people.forget(1, "")  # an account without an address touches nobody's link
    assert await Token.filter(email="").count() == 0
    await people.forget(1, "petra@example.com")
    assert sorted(await Token.all().values_list("email", flat=True)) == ["", "other@example.org"]
    assert await Token.all().count() == 2  # the rows stay for the counts
    assert await people.personal_data(1, "petra@example.com") == {}
