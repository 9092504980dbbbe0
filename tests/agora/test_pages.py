"""Legal pages: reachable from every page, edited by admins (sanitised), and the barrier feedback form."""

from __future__ import annotations

import pytest
from starlette.requests import Request
from starlette.responses import Response

from agora import i18n
from agora.app import create_app
from agora.pages import services
from agora.pages.models import BarrierReport, ContentPage
from agora.web import PUBLIC, page
from notifications import compose
from tests.conftest import csrf_from, form_post, new_client, replace_settings
from tests.events.helpers import mails

LEGAL_LINKS = (
    'href="/impressum"',
    'href="/datenschutz"',
    'href="/barrierefreiheit"',
    'href="/leichte-sprache"',
)
LEGAL_PATHS = ("/impressum", "/datenschutz", "/barrierefreiheit", "/leichte-sprache")


def assert_footer(html: str, where: str) -> None:
    footer = html[html.index("<footer") :]
    for link in LEGAL_LINKS:
        assert link in footer, f"{where} lacks {link} in its footer"


@pytest.mark.parametrize("path", LEGAL_PATHS)
@pytest.mark.parametrize("lang", ["de", "en"])
async def test_legal_pages_exist_in_both_languages(client, path, lang):
    client.cookies.set("agora_lang", lang)
    response = await client.get(path)
    assert response.status_code == 200
    assert "<h1>" in response.text
    assert_footer(response.text, path)
    if path == "/leichte-sprache":
        assert 'lang="de"' in response.text  # easy-to-read German stays German


async def test_footer_on_public_pages_and_errors(client):
    for url, status in (("/", 200), ("/staff/login", 200), ("/no/such/page", 404), ("/impressum", 200)):
        response = await client.get(url)
        assert response.status_code == status
        assert_footer(response.text, url)


async def test_footer_on_staff_pages(admin_client, staff_client):
    for url in ("/staff", "/staff/account", "/staff/users", "/staff/pages", "/staff/barrier-reports"):
        response = await admin_client.get(url)
        assert response.status_code == 200, url
        assert_footer(response.text, url)
    forbidden = await staff_client.get("/staff/users")
    assert forbidden.status_code == 403
    assert_footer(forbidden.text, "403 page")


async def test_footer_on_the_500_page(database):
    async def explode(request: Request) -> Response:
        raise RuntimeError("boom")

    app = create_app(database, manage_db=False)
    app.router.routes.append(page("/probe/explode", explode, access=PUBLIC))
    async with new_client(app) as c:
        response = await c.get("/probe/explode")
        assert response.status_code == 500
        assert_footer(response.text, "500 page")


async def test_admin_edits_a_page_and_the_public_sees_it_sanitised(admin_client, client):
    body = "## Anschrift\n\nMarktgasse 7\n\n<script>alert(1)</script>\n\n[Karte](javascript:alert(2))"
    response = await form_post(
        admin_client,
        "/staff/pages/impressum/de",
        "/staff/pages/impressum/de",
        {"title": "Impressum der Stadt", "body": body},
    )
    assert response.status_code == 303
    row = await ContentPage.get(slug="impressum", language="de")
    assert row.updated_by == "admin@example.org"
    public = await client.get("/impressum")
    assert "Impressum der Stadt" in public.text and "Marktgasse 7" in public.text
    prose = public.text.split('class="prose"')[1].split("</div>")[0]
    assert "<script" not in prose and 'href="javascript' not in prose
    assert "&lt;script&gt;" in prose  # shown as text, never run
    # The English page is separate and still the default text.
    client.cookies.set("agora_lang", "en")
    english = await client.get("/impressum")
    assert "Marktgasse 7" not in english.text
    # Editing again updates the same row.
    await form_post(
        admin_client,
        "/staff/pages/impressum/de",
        "/staff/pages/impressum/de",
        {"title": "Impressum", "body": "Neu"},
    )
    assert await ContentPage.filter(slug="impressum").count() == 1


async def test_page_edit_refusals(admin_client):
    response = await form_post(
        admin_client, "/staff/pages/datenschutz/en", "/staff/pages/datenschutz/en", {"title": " ", "body": ""}
    )
    assert response.status_code == 400
    assert 'id="title-error"' in response.text and 'id="body-error"' in response.text
    assert not await ContentPage.filter(slug="datenschutz").exists()
    too_long = await form_post(
        admin_client,
        "/staff/pages/datenschutz/de",
        "/staff/pages/datenschutz/de",
        {"title": "T", "body": "x" * 100_001},
    )
    assert too_long.status_code in (400, 413)
    assert not await ContentPage.filter(slug="datenschutz").exists()
    for url in ("/staff/pages/leichte-sprache/en", "/staff/pages/unknown/de", "/staff/pages/impressum/fr"):
        assert (await admin_client.get(url)).status_code == 404, url


async def test_barrier_report_is_stored_and_acknowledged(client):
    page_html = (await client.get("/barrierefreiheit?from=/impressum")).text
    assert 'value="/impressum"' in page_html
    response = await client.post(
        "/barrierefreiheit/feedback",
        data={
            "page_url": "/impressum",
            "description": "Die Schrift ist zu klein.",
            "name": "Erika",
            "email": "erika@example.org",
            "csrf_token": csrf_from(page_html),
        },
    )
    # The thank-you is on the same page, near the form, and takes the focus.
    assert response.status_code == 200
    status = response.text.split('id="feedback-status"')[1].split("</div>")[0]
    assert 'role="status"' in status and "autofocus" in status and "erika@example.org" in status
    assert response.text.index('id="feedback-status"') > response.text.index('id="feedback-heading"')
    assert response.text.index('id="feedback-status"') < response.text.index('action="/barrierefreiheit/feedback"')
    assert 'value="Erika"' not in response.text  # the form is empty for another report
    report = await BarrierReport.get()
    assert (report.page_url, report.name, report.email) == ("/impressum", "Erika", "erika@example.org")
    [receipt] = await mails(services.REPORT_RECEIVED)
    assert receipt.recipient == "erika@example.org" and receipt.context["description"] == "Die Schrift ist zu klein."
    assert await mails(services.REPORT_TO_STAFF) == []  # no staff address in the settings


async def test_a_report_mails_staff_and_the_reporter_in_its_transaction(database):
    settings = replace_settings(database, accessibility_email="barrierefrei@example.org")
    report = await services.report_barrier(settings, "/termine", "Kein Fokus sichtbar", "Erika", "erika@example.org")
    [to_staff] = await mails(services.REPORT_TO_STAFF)
    assert to_staff.recipient == "barrierefrei@example.org"
    assert to_staff.context["description"] == "Kein Fokus sichtbar" and to_staff.context["email"] == "erika@example.org"
    assert to_staff.context["reports_url"].endswith("/staff/barrier-reports")
    subject, text, _html = compose.render_parts(to_staff, settings)
    assert "Kein Fokus sichtbar" in text and "/staff/barrier-reports" in text and subject
    [receipt] = await mails(services.REPORT_RECEIVED)
    assert receipt.recipient == "erika@example.org"
    assert "Kein Fokus sichtbar" in compose.render_parts(receipt, settings)[1]

    anonymous = await services.report_barrier(settings, "", "Ohne Adresse gemeldet", "", "")
    assert len(await mails(services.REPORT_TO_STAFF)) == 2 and len(await mails(services.REPORT_RECEIVED)) == 1
    assert anonymous.id != report.id


async def test_a_report_with_a_bad_reply_address_is_refused_and_nothing_is_sent(client):
    response = await form_post(
        client,
        "/barrierefreiheit",
        "/barrierefreiheit/feedback",
        {"description": "Die Schrift ist zu klein.", "email": "erika@"},
    )
    assert response.status_code == 400
    assert 'id="email-error"' in response.text and 'id="feedback-status"' not in response.text
    assert await BarrierReport.all().count() == 0 and await mails() == []


async def test_barrier_form_prefill_refuses_foreign_urls(client):
    page_html = (await client.get("/barrierefreiheit?from=https://evil.example/")).text
    assert "evil.example" not in page_html.split('id="feedback"')[1].split("</form>")[0]


@pytest.mark.parametrize("lang", ["de", "en"])
async def test_barrier_form_errors_in_the_readers_language_tied_to_fields(client, lang):
    client.cookies.set("agora_lang", lang)
    response = await form_post(
        client, "/barrierefreiheit", "/barrierefreiheit/feedback", {"description": "x", "email": "no-at-sign"}
    )
    assert response.status_code == 400
    token = i18n.current_locale.set(lang)
    try:
        expected = i18n.gettext("Please describe the barrier in a few words.")
    finally:
        i18n.current_locale.reset(token)
    assert expected in response.text
    assert f'<html lang="{lang}">' in response.text
    for field in ("description", "email"):
        assert f'id="{field}-error"' in response.text
        assert f'{field}-error"' in response.text.split(f'id="{field}"')[1].split(">")[0]  # aria-describedby
    assert 'value="no-at-sign"' in response.text  # the input is kept
    assert await BarrierReport.all().count() == 0


async def test_staff_answer_a_report_and_the_reporter_gets_the_answer(client, staff_client, database):
    await form_post(
        client,
        "/barrierefreiheit",
        "/barrierefreiheit/feedback",
        {"description": "Kontrast zu gering", "email": "erika@example.org"},
    )
    dashboard = await staff_client.get("/staff")
    assert "/staff/barrier-reports" in dashboard.text
    listing = await staff_client.get("/staff/barrier-reports")
    assert "Kontrast zu gering" in listing.text and "erika@example.org" in listing.text
    report = await BarrierReport.get()
    refused = await staff_client.post(
        f"/staff/barrier-reports/{report.id}/answer", data={"answer": "  ", "csrf_token": csrf_from(listing.text)}
    )
    assert refused.status_code == 400
    assert f'id="answer-{report.id}-error"' in refused.text and 'aria-invalid="true"' in refused.text
    assert (await BarrierReport.get(id=report.id)).handled_at is None and await mails(services.REPORT_ANSWER) == []

    response = await staff_client.post(
        f"/staff/barrier-reports/{report.id}/answer",
        data={"answer": "Wir haben die Farben angepasst.", "csrf_token": csrf_from(listing.text)},
    )
    assert response.status_code == 303
    report = await BarrierReport.get(id=report.id)
    assert report.handled_at is not None and report.handled_by == "organizer@example.org"
    assert report.staff_note == "Wir haben die Farben angepasst."
    [answer] = await mails(services.REPORT_ANSWER)
    assert answer.recipient == "erika@example.org"
    assert "Wir haben die Farben angepasst." in compose.render_parts(answer, database)[1]
    assert "Kontrast zu gering" not in (await staff_client.get("/staff/barrier-reports")).text
    everything = (await staff_client.get("/staff/barrier-reports?show=all")).text
    assert "Kontrast zu gering" in everything and "Wir haben die Farben angepasst." in everything
    assert "organizer@example.org" in everything
    again = await staff_client.post(
        f"/staff/barrier-reports/{report.id}/answer",
        data={"answer": "Noch einmal", "csrf_token": csrf_from(listing.text)},
    )
    assert again.status_code == 404
    assert (await BarrierReport.get(id=report.id)).staff_note == "Wir haben die Farben angepasst."
    assert len(await mails(services.REPORT_ANSWER)) == 1


async def test_an_answer_to_an_anonymous_report_is_only_recorded(database):
    report = await services.report_barrier(database, "", "Ohne Adresse gemeldet", "", "")
    assert await services.answer_barrier_report(report.id, "organizer@example.org", "Behoben.")
    assert (await BarrierReport.get(id=report.id)).staff_note == "Behoben."
    assert await mails() == []


async def test_reports_are_escaped_for_staff(client, staff_client):
    await form_post(
        client,
        "/barrierefreiheit",
        "/barrierefreiheit/feedback",
        {"description": "<script>alert(1)</script> kaputt", "page_url": "javascript:alert(1)"},
    )
    listing = await staff_client.get("/staff/barrier-reports")
    assert "<script>alert(1)</script>" not in listing.text
    assert 'href="javascript:' not in listing.text
