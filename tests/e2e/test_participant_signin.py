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
