"""Answering a survey page by page: conditions on the server, errors tied to questions, tokens used once."""

from __future__ import annotations

import re

from surveys import services
from surveys.models import ANONYMOUS, PERSONAL, TOKENS, Answer, Question, Response, Survey, Token
from tests.conftest import csrf_from
from tests.surveys.helpers import published_template


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, name
    return match.group(1).replace("&#34;", '"').replace("&quot;", '"').replace("&amp;", "&")


async def _post(client, url: str, page_html: str, data: dict) -> object:  # noqa: ANN001
    form = {"csrf_token": csrf_from(page_html), "page": _hidden(page_html, "page"), **data}
    if 'name="carried"' in page_html:
        form["carried"] = _hidden(page_html, "carried")
    if 'name="t"' in page_html:
        form["t"] = _hidden(page_html, "t")
    return await client.post(url, data=form)


FIRST = {
    "overall": "4",
    "recommend": "9",
    "organisation-venue": "5",
    "topics": ["permits", "other"],
    "topics-other": "Breitband",
    "action": "next",
}


async def test_three_pages_with_a_condition_and_a_thank_you(client, database) -> None:
    survey = await published_template()
    url = f"/surveys/{survey.id}"
    first = await client.get(url)
    assert first.status_code == 200 and "Seite 1 von 3" in first.text and "<fieldset" in first.text

    refused = await _post(client, url, first.text, {**FIRST, "overall": "", "topics-other": ""})
    assert refused.status_code == 400
    assert refused.text.count('class="field-error"') == 2 and "<title>2 Fehler:" in refused.text
    assert 'id="overall-error"' in refused.text and 'href="#overall"' in refused.text
    assert await Response.all().count() == 0

    second = await _post(client, url, first.text, FIRST)
    assert second.status_code == 200 and "Seite 2 von 3" in second.text
    # The detail question depends on an answer on the same page: shown, with when it applies.
    assert "contacts_detail" in second.text and "Nur wenn Ihre Antwort" in second.text
    third = await _post(
        client, url, second.text, {"contacts": "no", "contacts_detail": "wird verworfen", "action": "next"}
    )
    assert "Seite 3 von 3" in third.text
    back = await _post(client, url, third.text, {"action": "back"})
    assert "Seite 2 von 3" in back.text
    done = await _post(client, url, third.text, {"sector": "craft", "size": "m", "action": "next"})
    assert done.status_code == 303 and done.headers["location"] == f"{url}/thanks"
    assert "Vielen Dank" in (await client.get(done.headers["location"])).text

    response = await Response.get(survey_id=survey.id)
    assert response.token_id is None and response.respondent == ""
    detail = await Question.get(survey_id=survey.id, code="contacts_detail")
    [hidden] = await Answer.filter(response_id=response.id, question_id=detail.id)
    assert (hidden.option, hidden.number, hidden.text) == ("", None, "")  # the hidden answer is stored empty
    topics = await Question.get(survey_id=survey.id, code="topics")
    rows = await Answer.filter(response_id=response.id, question_id=topics.id).order_by("id")
    assert [(r.option, r.text) for r in rows] == [("permits", ""), ("other", "Breitband")]


async def test_a_personal_link_answers_once_and_resumes(client, database) -> None:
    survey = await published_template(access=TOKENS, anonymity=ANONYMOUS)
    raw = await services.issue_token(database, survey.id, email="firma@example.org", session_id=None)
    url = f"/surveys/{survey.id}"
    assert "persönliche Links" in (await client.get(url)).text
    assert (await client.get(f"{url}?t=wrong")).status_code == 404
    first = await client.get(f"{url}?t={raw}")
    saved = await _post(client, url, first.text, {**FIRST, "action": "save"})
    assert "gespeichert" in saved.text
    token = await Token.get(survey_id=survey.id)
    assert token.draft["overall"] == 4 and token.used_on is None
    resumed = await client.get(f"{url}?t={raw}")
    assert "Seite 1 von 3" in resumed.text and 'value="4" checked' in resumed.text
    second = await _post(client, url, resumed.text, FIRST)
    third = await _post(client, url, second.text, {"contacts": "yes", "contacts_detail": "Bauamt", "action": "next"})
    done = await _post(client, url, third.text, {"sector": "trade", "action": "next"})
    assert done.status_code == 303
    again = await client.get(f"{url}?t={raw}")
    assert again.status_code == 200 and "bereits" in again.text
    twice = await _post(client, url, third.text, {"sector": "trade", "action": "next"})
    assert twice.status_code == 409 and "bereits" in twice.text
    assert await Response.filter(survey_id=survey.id).count() == 1
    response = await Response.get(survey_id=survey.id)
    assert response.token_id is None and response.respondent == ""  # anonymous: not joined to the token


async def test_personal_mode_keeps_the_address(client, database) -> None:
    survey = await published_template(access=TOKENS, anonymity=PERSONAL)
    raw = await services.issue_token(database, survey.id, email="firma@example.org")
    definition = await services.definition_of(survey.id)
    assert definition is not None
    token = await services.find_token(survey.id, raw)
    await services.submit(definition, {"overall": 3, "contacts": "no"}, token=token)
    response = await Response.get(survey_id=survey.id)
    assert response.respondent == "firma@example.org" and response.token_id == token.id


async def test_a_closed_or_unpublished_survey_is_not_answered(client, database) -> None:
    survey = await published_template()
    await Survey.filter(id=survey.id).update(closes_at=survey.created_at)
    page = await client.get(f"/surveys/{survey.id}")
    assert "nicht geöffnet" in page.text and 'name="page"' not in page.text
    await Survey.filter(id=survey.id).update(published=False)
    assert (await client.get(f"/surveys/{survey.id}")).status_code == 404
    assert (await client.get("/surveys/x1")).status_code == 404
