"""A survey beside a consultation: staff choose one of the published surveys, the public page links to it while
anyone may answer it."""

from __future__ import annotations

from participation.models import Consultation
from surveys.models import TOKENS, Survey
from tests.conftest import form_post
from tests.participation.helpers import BODY, ago, open_consultation
from tests.surveys.helpers import published_template

STAFF = "/staff/participation"


async def test_staff_choose_only_a_published_survey(staff_client):
    survey = await published_template()
    draft = await Survey.create(title="Entwurf einer Umfrage", published=False)
    page = await staff_client.get(STAFF + "/new")
    assert f'<option value="{survey.id}">' in page.text
    assert f'<option value="{draft.id}">' not in page.text
    form = {"title": "Radverkehr", "body": BODY, "moderation": "post", "flag_threshold": "3"}
    refused = await form_post(staff_client, STAFF + "/new", STAFF + "/new", {**form, "survey_id": str(draft.id)})
    assert refused.status_code == 400 and 'id="survey_id-error"' in refused.text
    missing = await form_post(staff_client, STAFF + "/new", STAFF + "/new", {**form, "survey_id": "999999"})
    assert missing.status_code == 400
    assert not await Consultation.exists()
    created = await form_post(staff_client, STAFF + "/new", STAFF + "/new", {**form, "survey_id": str(survey.id)})
    assert created.status_code == 303
    consultation = await Consultation.get(slug="radverkehr")
    assert consultation.survey_id == survey.id
    edit_url = f"{STAFF}/{consultation.id}/edit"
    assert f'<option value="{survey.id}" selected>' in (await staff_client.get(edit_url)).text
    cleared = await form_post(staff_client, edit_url, edit_url, {**form, "slug": "radverkehr", "survey_id": ""})
    assert cleared.status_code == 303
    assert (await Consultation.get(id=consultation.id)).survey_id is None


async def test_public_page_links_the_survey_only_while_it_is_open(client):
    survey = await published_template(title="Wie radeln Sie?")
    consultation = await open_consultation(survey_id=survey.id)
    url = f"/beteiligung/{consultation.slug}"
    shown = await client.get(url)
    assert f'href="/surveys/{survey.id}"' in shown.text and "Wie radeln Sie?" in shown.text
    await Survey.filter(id=survey.id).update(closes_at=ago(1))
    assert f'href="/surveys/{survey.id}"' not in (await client.get(url)).text
    await Survey.filter(id=survey.id).update(closes_at=None, access=TOKENS)
    assert f'href="/surveys/{survey.id}"' not in (await client.get(url)).text
    await Survey.filter(id=survey.id).delete()
    assert (await client.get(url)).status_code == 200
