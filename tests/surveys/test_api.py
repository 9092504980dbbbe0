"""The JSON API of surveys: the definition, responses checked like the form, results for staff tokens."""

from __future__ import annotations

from agora.accounts import tokens
from surveys import services
from surveys.models import TOKENS, Response, Survey
from tests.conftest import make_user
from tests.surveys.helpers import answer, published_template, typical


async def _bearer(*scopes: str) -> dict[str, str]:
    user = await make_user("api@example.org", ["organizer"])
    _token, plain = await tokens.create_token(name="Auswertung", scopes=list(scopes), created_by_id=user.id)
    return {"Authorization": f"Bearer {plain}"}


async def test_the_definition_and_a_response(client, database) -> None:
    survey = await published_template()
    got = await client.get(f"/api/v1/surveys/{survey.id}")
    assert got.status_code == 200
    body = got.json()
    assert body["open"] is True and [p["title"] for p in body["pages"]][0] == "Ihr Eindruck"
    detail = next(q for p in body["pages"] for q in p["questions"] if q["code"] == "contacts_detail")
    assert detail["condition"] == {"question": "contacts", "op": "equals", "value": "yes"}
    url = f"/api/v1/surveys/{survey.id}/responses"
    refused = await client.post(url, json={"answers": {"overall": 7, "topics": ["nope"], "contacts": "yes"}})
    assert refused.status_code == 422
    assert set(refused.json()["errors"]) == {"answers.overall", "answers.topics"}
    assert await Response.all().count() == 0
    created = await client.post(url, json={"answers": {**typical(1), "contacts": "no", "contacts_detail": "weg"}})
    assert created.status_code == 201 and created.json() == {"received": True}
    assert await Response.filter(survey_id=survey.id).count() == 1


async def test_refusals(client, database) -> None:
    assert (await client.get("/api/v1/surveys/99")).status_code == 404
    assert (await client.post("/api/v1/surveys/99/responses", json={})).status_code == 404
    survey = await published_template(access=TOKENS)
    url = f"/api/v1/surveys/{survey.id}/responses"
    assert (await client.post(url, json={"answers": typical(1)})).status_code == 403
    assert (await client.post(url, json={"answers": typical(1), "token": "nope"})).status_code == 403
    raw = await services.issue_token(database, survey.id, email="a@example.org")
    assert (await client.post(url, json={"answers": typical(1), "token": raw})).status_code == 201
    again = await client.post(url, json={"answers": typical(1), "token": raw})
    assert again.status_code == 409 and "bereits" in again.json()["error"]
    await Survey.filter(id=survey.id).update(closes_at=survey.created_at)
    other = await services.issue_token(database, survey.id, email="b@example.org")
    assert (await client.post(url, json={"answers": typical(1), "token": other})).status_code == 409


async def test_results_need_a_token_and_hide_small_groups(client, database) -> None:
    survey = await published_template()
    for n in range(6):
        await answer(survey, {**typical(n), "size": "xl" if n == 0 else "s"})
    url = f"/api/v1/staff/surveys/{survey.id}/results"
    assert (await client.get(url)).status_code == 401
    bearer = await _bearer("surveys:read")
    got = await client.get(url, headers=bearer)
    assert got.status_code == 200
    body = got.json()
    assert body["total"] == 6
    size = next(q for q in body["questions"] if q["code"] == "size")
    counts = {c["key"]: c["count"] for c in size["cells"]}
    assert counts["xl"] is None and counts["s"] is None  # one shown count would give the other away
    assert (await client.get("/api/v1/staff/surveys/99/results", headers=bearer)).status_code == 404
