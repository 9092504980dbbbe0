"""Script injection through every field of a consultation stays inert: payloads typed into the real forms (staff
and public) are rendered by Chromium on every public and staff page, and none of them runs."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_TOTP, mailed_link
from tests.e2e.test_consultation_flow import SIGNIN_LINK, _staff_sign_in, _submit

pytestmark = pytest.mark.e2e

BERLIN = ZoneInfo("Europe/Berlin")
SLUG = "injektion"
PAYLOADS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    '"><svg onload=window.__xss=1>',
    '\'><iframe srcdoc="<script>parent.__xss=1</script>">',
    "{{ 7*7 }}{% raw %}",
]
MIXED = " ".join(PAYLOADS)
MARKDOWN = (
    "# Teil <b onmouseover=window.__xss=1>A</b>\n\n"
    f"[Link](javascript:window.__xss=1) {PAYLOADS[0]}\n\n# {PAYLOADS[1]}\n\nText"
)


def _local(days: float) -> str:
    return (datetime.now(BERLIN) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def _inert(page, url: str, *, shown: bool = True) -> None:  # noqa: ANN001
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"
    page.wait_for_load_state("load")
    assert page.evaluate("() => window.__xss") is None, f"a payload ran on {url}"
    assert not dialogs, f"{url} opened dialogs {dialogs}"
    if shown:
        assert "__xss" in page.content(), f"{url} does not show the payloads at all"


def test_payloads_in_every_field_are_shown_as_text(server, browser) -> None:  # noqa: ANN001
    base = server.base_url
    staff = browser.new_context().new_page()
    _staff_sign_in(staff, base, ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_TOTP)
    staff.goto(f"{base}/staff/participation/new")
    staff.fill("#title", "Injektion " + PAYLOADS[0])
    staff.fill("#slug", SLUG)
    staff.fill("#summary", MIXED)
    staff.fill("#topics", MIXED[:400])
    staff.fill("#office", PAYLOADS[1])
    staff.fill("#contact_name", PAYLOADS[2][:120])
    staff.fill("#body", MARKDOWN)
    staff.fill("#published_at", _local(-2))
    staff.fill("#opens_at", _local(-1))
    staff.fill("#closes_at", _local(10))
    _submit(staff, "main form button[type=submit]:not([name=preview])")
    detail = staff.url

    citizen = browser.new_context().new_page()
    citizen.goto(f"{base}/signin")
    citizen.fill("#email", "inject@example.org")
    citizen.check("#consent")
    _submit(citizen, "main form button[type=submit]")
    citizen.goto(mailed_link(server.data_dir / "mail", "inject@example.org", SIGNIN_LINK))
    _submit(citizen, "main form button[type=submit]")
    citizen.goto(f"{base}/beteiligung/{SLUG}")
    citizen.fill("#body", MIXED)
    citizen.fill("#organisation", PAYLOADS[1])
    citizen.check("#show_name")
    _submit(citizen, "main form[action$='/beitrag'] button[type=submit]")
    citizen.goto(f"{base}/beteiligung/{SLUG}")
    citizen.fill("#body", "Zweiter " + PAYLOADS[3])
    _submit(citizen, "main form[action$='/beitrag'] button[type=submit]")

    staff.goto(detail)
    staff.select_option("#kind", "letter")
    staff.fill("#sender", MIXED)
    staff.fill("#eingang #organisation", PAYLOADS[2][:200])
    staff.fill("#eingang #body", MIXED)
    _submit(staff, "#eingang button[type=submit]")
    staff.goto(detail)
    staff.locator("#beitraege input[name=ids]").nth(0).check()
    staff.locator("#beitraege input[name=ids]").nth(1).check()
    staff.fill("#beitraege #title", PAYLOADS[1])
    _submit(staff, "#beitraege form button[type=submit]:not([formaction])")
    group_form = staff.locator("#gruppen form[action$='/respond']").first
    group_form.locator("textarea").fill(MIXED)
    with staff.expect_navigation():
        group_form.locator("button[type=submit]").click()
    staff.goto(f"{base}/staff/participation/text-modules")
    staff.fill("#title", PAYLOADS[0])
    staff.fill("#text", MIXED)
    _submit(staff, "main form[action$='/text-modules'] button[type=submit]")
    staff.goto(detail)
    for box in staff.locator("#beitraege input[name=ids]").all():
        box.check()
    _submit(staff, "#beitraege button[formaction$='/release']")
    staff.goto(detail)
    _submit(staff, "form[action$='/publish'] button[type=submit]")
    # Hide the second contribution with payloads as the reason the public reads.
    staff.goto(f"{base}/staff/participation/moderation?status=published")
    staff.locator("tr", has_text="Zweiter").locator("input[name=ids]").check()
    staff.check("#action-hide")
    staff.fill("#reason", MIXED)
    _submit(staff, "main form[method=post] button[type=submit]:has-text('Anwenden')")
    staff.goto(detail + "/edit")
    staff.fill("#closes_at", _local(-0.5))
    staff.fill("#evaluation_at", _local(-0.4))
    staff.fill("#result_published_at", _local(-0.1))
    staff.fill("#result_summary", MARKDOWN)
    _submit(staff, "main form button[type=submit]:not([name=preview])")

    reader = browser.new_context().new_page()
    _inert(reader, base + "/", shown=False)
    for path in (
        "/beteiligung",
        f"/beteiligung/{SLUG}",
        f"/beteiligung/{SLUG}/ergebnis",
        f"/beteiligung/{SLUG}/abwaegungstabelle",
    ):
        _inert(reader, base + path)
    for path in (
        detail,
        detail + "/edit",
        f"{base}/staff/participation",
        f"{base}/staff/participation/audit",
        f"{base}/staff/participation/text-modules",
        f"{base}/staff/participation/moderation?status=hidden",
    ):
        _inert(staff, path if path.startswith("http") else base + path)
    staff.goto(detail)
    link = staff.locator("#beitraege a[href*='/contributions/']").first.get_attribute("href")
    assert link is not None
    _inert(staff, base + link)
