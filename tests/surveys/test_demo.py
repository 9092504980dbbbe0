"""The demo: the follow-up survey answered after three past sessions, one of them too small to show."""

from __future__ import annotations

from agora.app import register_domain_hooks
from agora.demo import create_demo_content
from events import demo
from events.models import COMPLETED, Series, Session
from surveys import analysis, api
from surveys.demo import OPEN_TITLE
from surveys.models import Response, Survey


async def test_demo_answers_the_followup_of_past_sessions(client, database) -> None:
    register_domain_hooks(database)
    await create_demo_content()
    await create_demo_content()  # idempotent
    series = await Series.get(title=demo.SERIES_TITLE)
    assert series.followup_survey_id is not None
    past = await Session.filter(series_id=series.id, status=COMPLETED).order_by("starts_at")
    assert len(past) == 3 and await Survey.filter(title=OPEN_TITLE).count() == 1
    assert await Response.filter(survey_id=series.followup_survey_id).count() == 28
    waves = await api.waves([s.id for s in past])
    assert [w[0] for w in waves][:3] == [s.id for s in past]  # every session of the series, by date
    trend = await analysis.trend("overall", waves, 5)
    assert [row["n"] for row in trend[:3]] == [14, 11, None]
    home = await client.get("/")
    assert OPEN_TITLE in home.text
    survey = await Survey.get(title=OPEN_TITLE)
    assert (await client.get(f"/surveys/{survey.id}")).status_code == 200
