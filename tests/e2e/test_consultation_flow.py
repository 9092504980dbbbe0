"""The consultation's "Done means", tried as people would, through the real pages in Chromium.

Staff create a pre-moderated consultation; a citizen comments on a section and confirms the address with the
link from the mail; a second citizen writes a similar contribution; a moderator publishes both; the second
citizen co-signs the first; staff group the two, answer the group with a vote, an admin releases, staff publish;
both citizens get the final notice; the consultation is evaluated and the consideration table downloads as XLSX
and DOCX with the contribution and its response.
"""

from __future__ import annotations

import io
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pyotp
import pytest
from docx import Document
from openpyxl import load_workbook

from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_TOTP, ORGANIZER_EMAIL, mailed_link, organizer_password
from tests.e2e.test_events_flow import _text, _wait_for_mail

pytestmark = pytest.mark.e2e

BERLIN = ZoneInfo("Europe/Berlin")
SIGNIN_LINK = r"https?://\S+/signin/link/\S+"
CITIZEN = "citizen-flow@example.org"
COSIGNER = "cosigner-flow@example.org"
SLUG = "radverkehr-flow"
FIRST = "Bitte sichere Radwege vor der Grundschule am Park bauen."
SECOND = "Sichere Radwege vor der Grundschule am Park bitte bauen!"
ANSWER = "Der Radweg vor der Grundschule wird 2027 gebaut."


def _local(days: float) -> str:
    return (datetime.now(BERLIN) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def _submit(page, selector: str):  # noqa: ANN001, ANN202 - playwright objects
    with page.expect_navigation() as navigation:
        page.click(selector)
    return navigation.value


def _staff_sign_in(page, base: str, email: str, password: str, totp: str | None = None) -> None:  # noqa: ANN001
    page.goto(f"{base}/staff/login")
    page.fill("#email", email)
    page.fill("#password", password)
    _submit(page, "main form button[type=submit]")
    if totp:
        page.fill("#code", pyotp.TOTP(totp).now())
        _submit(page, "main form button[type=submit]")
        if page.url.endswith("/staff/login/totp"):
            # A code works once: another test may have just used this one, so wait for the next.
            time.sleep(30 - time.time() % 30 + 1)
            page.fill("#code", pyotp.TOTP(totp).now())
            _submit(page, "main form button[type=submit]")
    assert page.url == f"{base}/staff", page.url


def _confirm_mail(page, mail_dir: Path, address: str) -> None:  # noqa: ANN001
    page.goto(mailed_link(mail_dir, address, SIGNIN_LINK))
    if page.locator("#consent").count():
        page.check("#consent")
    _submit(page, "main form button[type=submit]")


def test_comment_confirm_moderate_group_respond_publish_and_download(server, browser) -> None:  # noqa: ANN001
    base = server.base_url
    mail_dir = server.data_dir / "mail"
    staff = browser.new_context().new_page()
    _staff_sign_in(staff, base, ORGANIZER_EMAIL, organizer_password())

    # Staff create the consultation (pre-moderated, open since yesterday).
    staff.goto(f"{base}/staff/participation/new")
    staff.fill("#title", "Radverkehr Flow")
    staff.fill("#slug", SLUG)
    staff.fill("#body", "# Schulwege\n\nSichere Wege zur Schule.\n\n# Innenstadt\n\nMehr Platz.")
    staff.fill("#published_at", _local(-2))
    staff.fill("#opens_at", _local(-1))
    staff.fill("#closes_at", _local(10))
    staff.check("#moderation-pre")
    _submit(staff, "main form button[type=submit]:not([name=preview])")
    consultation_url = staff.url
    assert "/staff/participation/" in consultation_url and "1 Schulwege" in staff.content()

    # A citizen comments on a section before signing in, then confirms the address.
    citizen = browser.new_context().new_page()
    citizen.goto(f"{base}/beteiligung/{SLUG}")
    citizen.select_option("#section_id", label="1 Schulwege")
    citizen.fill("#body", FIRST)
    citizen.fill("#email", CITIZEN)
    response = _submit(citizen, "main form[action$='/beitrag'] button[type=submit]")
    assert response.status == 200 and FIRST not in citizen.content()
    _confirm_mail(citizen, mail_dir, CITIZEN)

    # A second citizen signs in first and writes a similar contribution.
    cosigner = browser.new_context().new_page()
    cosigner.goto(f"{base}/signin")
    cosigner.fill("#email", COSIGNER)
    cosigner.check("#consent")
    _submit(cosigner, "main form button[type=submit]")
    _confirm_mail(cosigner, mail_dir, COSIGNER)
    cosigner.goto(f"{base}/beteiligung/{SLUG}")
    cosigner.fill("#body", SECOND)
    _submit(cosigner, "main form[action$='/beitrag'] button[type=submit]")
    assert SECOND not in cosigner.content()  # waits for the moderator

    # The moderator publishes both from the queue.
    staff.goto(f"{base}/staff/participation/moderation")
    for box in staff.locator("main input[name=ids]").all():
        box.check()
    _submit(staff, "main form[method=post] button[type=submit]:has-text('Anwenden')")
    cosigner.goto(f"{base}/beteiligung/{SLUG}")
    assert FIRST in cosigner.content() and SECOND in cosigner.content()

    # The second citizen co-signs the first contribution.
    first_article = cosigner.locator("article", has_text=FIRST)
    with cosigner.expect_navigation():
        first_article.locator("button", has_text="Unterstützen").click()
    assert "1 Person unterstützt das" in cosigner.locator("article", has_text=FIRST).inner_text()

    # Staff group the two (the similarity suggestion offers them) and answer the group.
    staff.goto(consultation_url)
    assert "Diese Beiträge sehen ähnlich aus" in staff.content()
    _submit(staff, "#gruppen form.inline-form button[type=submit]")
    group_form = staff.locator("#gruppen form[action$='/respond']")
    group_form.locator("select").select_option("partly")
    group_form.locator("textarea").fill(ANSWER)
    with staff.expect_navigation():
        group_form.locator("button[type=submit]").click()

    # An admin releases, staff publish.
    admin = browser.new_context().new_page()
    _staff_sign_in(admin, base, ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_TOTP)
    admin.goto(consultation_url)
    for box in admin.locator("#beitraege input[name=ids]").all():
        box.check()
    _submit(admin, "#beitraege button[formaction$='/release']")
    staff.goto(consultation_url)
    _submit(staff, "form[action$='/publish'] button[type=submit]")
    assert "Veröffentlicht" in staff.content()

    # Both the author and the co-signer get one final notice naming the response.
    for address in (CITIZEN, COSIGNER):
        notice = _wait_for_mail(mail_dir, address, "Die Stadt hat geantwortet")
        assert ANSWER in _text(notice) and "Teilweise berücksichtigt" in _text(notice)

    # The consultation is evaluated and its result published; the table downloads with the response.
    staff.goto(consultation_url + "/edit")
    staff.fill("#closes_at", _local(-0.5))
    staff.fill("#evaluation_at", _local(-0.4))
    staff.fill("#result_published_at", _local(-0.1))
    _submit(staff, "main form button[type=submit]:not([name=preview])")
    visitor = browser.new_context(accept_downloads=True).new_page()
    visitor.goto(f"{base}/beteiligung/{SLUG}")
    with visitor.expect_navigation():
        visitor.click("text=Lesen Sie das Ergebnis")
    assert ANSWER in visitor.content()
    with visitor.expect_download() as xlsx:
        visitor.click("a[href$='.xlsx']")
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(Path(xlsx.value.path()).read_bytes())).active]
    found = [row for row in rows if row[6] == FIRST]
    assert found and found[0][9] == ANSWER and found[0][8] == "1000" and found[0][10] == "1"
    with visitor.expect_download() as docx:
        visitor.click("a[href$='.docx']")
    table = Document(io.BytesIO(Path(docx.value.path()).read_bytes())).tables[0]
    cells = [[cell.text for cell in row.cells] for row in table.rows]
    assert any(FIRST in row and ANSWER in row for row in cells)
