"""In the embedded mode a person signs in from the home page with the link that arrives as a mail file."""

from __future__ import annotations

import email
import re
import time
import uuid
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

LINK = re.compile(r"https?://\S+/signin/link/[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+")


def _mail_to(mail_dir: Path, address: str, timeout: float = 30.0) -> EmailMessage:
    """The delivered .eml for the address (the embedded dispatcher writes it after the request commits)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.glob("**/*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=default)
            if address in str(message["To"]):
                return message  # type: ignore[return-value]
        time.sleep(0.2)
    pytest.fail(f"no mail to {address} appeared in {mail_dir} within {timeout} s")


def test_sign_in_from_the_home_page_with_the_mailed_link(server, browser):
    address = f"buerger-{uuid.uuid4().hex[:8]}@example.org"
    page = browser.new_page()
    try:
        page.goto(server.base_url + "/")
        page.locator('header a[href="/signin"]').click()
        page.wait_for_url("**/signin")
        page.fill("#email", address)
        page.check("#consent")
        page.locator('main form[action="/signin"] button[type="submit"]').click()
        assert address in page.locator("main").inner_text()

        message = _mail_to(server.data_dir / "mail", address)
        plain = message.get_body(preferencelist=("plain",))
        assert plain is not None
        found = LINK.search(plain.get_content())
        assert found, plain.get_content()
        link = found.group(0)
        assert link.startswith(server.base_url)

        page.goto(link)
        # Opening the link alone signs nobody in: the header still offers the sign-in.
        assert page.locator('header a[href="/signin"]').count() == 1
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/me*")
        assert page.locator('header a[href="/me/data"]').is_visible()
        assert address in page.locator("main").inner_text()

        page.fill("#display_name", "Erika Mustermann")
        page.locator('main form[action="/me"] button[type="submit"]').click()
        page.wait_for_url("**/me")
        page.locator('header a[href="/me/data"]').click()
        page.wait_for_url("**/me/data")
        main = page.locator("main").inner_text()
        assert "Erika Mustermann" in main and address in main

        # The spent link does not work a second time.
        response = page.goto(link)
        assert response is not None and response.status == 410
    finally:
        page.close()


def _link_for(page, server, address: str, *, consent: bool = True) -> str:  # noqa: ANN001 - playwright page
    page.goto(server.base_url + "/signin")
    page.fill("#email", address)
    if consent:
        page.check("#consent")
    with page.expect_navigation() as navigation:
        page.locator('main form[action="/signin"] button[type="submit"]').click()
    plain = _mail_to(server.data_dir / "mail", address).get_body(preferencelist=("plain",))
    assert plain is not None
    found = LINK.search(plain.get_content())
    assert found
    return found.group(0), navigation.value


def test_participant_pages_are_accessible_and_valid(server, browser, tools, tmp_path):
    """axe-core and the Nu HTML Checker on every participant page, error states included."""
    from tests.e2e.crawl import Crawler, format_failures, watch_errors

    crawler = Crawler(server.base_url, tmp_path / "html")
    context = browser.new_context(base_url=server.base_url, locale="de-DE")
    context.add_init_script(path=str(tools.axe_js))
    try:
        page = context.new_page()
        watch_errors(page)
        crawler.check(page, "participant", "sign-in form", page.goto(server.base_url + "/signin"))
        with page.expect_navigation() as navigation:
            page.locator('main form[action="/signin"] button[type="submit"]').click()
        crawler.check(page, "participant", "sign-in with no address", navigation.value, 400)

        address = f"neu-{uuid.uuid4().hex[:8]}@example.org"
        link, sent = _link_for(page, server, address, consent=False)
        crawler.check(page, "participant", "link sent", sent)
        crawler.check(page, "participant", "confirmation asking for consent", page.goto(link))
        with page.expect_navigation() as navigation:
            page.locator("main form button[type=submit]").click()
        crawler.check(page, "participant", "confirmation without consent", navigation.value, 400)
        page.check("#consent")
        with page.expect_navigation() as navigation:
            page.locator("main form button[type=submit]").click()
        page.wait_for_load_state("load")
        crawler.check(page, "participant", "profile after first sign-in", navigation.value)
        assert page.url.startswith(server.base_url + "/me")
        page.fill("#display_name", "")
        with page.expect_navigation() as navigation:
            page.locator('main form[action="/me"] button[type="submit"]').click()
        crawler.check(page, "participant", "profile without a name", navigation.value, 400)
        crawler.check(page, "participant", "my data", page.goto(server.base_url + "/me/data"))
        crawler.check(page, "participant", "spent link", page.goto(link), 410)
        crawler.check(page, "participant", "forged link", page.goto(server.base_url + "/signin/link/abc.def"), 404)
        crawler.check(page, "participant", "delete confirmation", page.goto(server.base_url + "/me/delete"))
        with page.expect_navigation() as navigation:
            page.locator('main form[action="/me/delete"] button[type="submit"]').click()
        crawler.check(page, "participant", "account deleted", navigation.value)
    finally:
        context.close()
    crawler.validate_html(tools.java, tools.vnu_jar)

    def describe(result) -> list[str]:  # noqa: ANN001
        problems = [f"HTTP {result.status}"] if result.status != (result.expected_status or 200) else []
        problems += [f"axe {v['id']}: {v['help']} -> {[n['html'] for n in v['nodes']]}" for v in result.violations]
        html = crawler.report.vnu.get(result.html_file.name, []) if result.html_file else []
        problems += [f"html line {m.get('lastLine')}: {m.get('message')}" for m in html]
        return problems + result.browser_errors

    failures = format_failures(crawler.report.pages, describe)
    assert not failures, "participant pages have problems:\n" + failures
    assert len(crawler.report.pages) == 12
