"""Keyboard use: the skip link comes first and takes the focus to the main content."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ORGANIZER_EMAIL, Server, organizer_password

pytestmark = pytest.mark.e2e

FOCUSED = "() => { const el = document.activeElement; return el ? el.outerHTML.slice(0, 120) : ''; }"


@pytest.mark.parametrize("path", ["/", "/barrierefreiheit", "/staff/login"])
def test_skip_link_is_first_and_moves_focus_to_main(server: Server, browser, path: str) -> None:  # noqa: ANN001
    context = browser.new_context(base_url=server.base_url)
    try:
        page = context.new_page()
        page.goto(path)
        page.keyboard.press("Tab")
        first = page.evaluate("() => document.activeElement.getAttribute('href')")
        assert first == "#main", f"the first focusable element is {page.evaluate(FOCUSED)}"
        box = page.locator("a.skip-link").bounding_box()
        assert box is not None and box["y"] >= 0 and box["height"] > 10, f"the focused skip link is off screen: {box}"
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.activeElement && document.activeElement.id === 'main'", timeout=5000)
        assert page.evaluate("() => document.activeElement.tagName") == "MAIN"
        # The next Tab continues from the main content (inside it, or after it when it has no control),
        # not at the header again.
        page.keyboard.press("Tab")
        onward = page.evaluate(
            """() => { const main = document.getElementById('main'), el = document.activeElement;
                       return main.contains(el)
                         || !!(main.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING); }"""
        )
        assert onward, f"after the skip link, Tab went back to {page.evaluate(FOCUSED)}"
    finally:
        context.close()


@pytest.mark.parametrize(
    ("path", "fill", "expected_errors"),
    [
        # A public form: the barrier report, sent empty.
        ("/barrierefreiheit", {}, 1),
        # A staff form: a new session without title and times.
        ("/staff/events/sessions/new", {}, 3),
    ],
)
def test_a_refused_form_counts_its_errors_in_the_title_and_focuses_the_summary(
    server: Server,
    browser,  # noqa: ANN001
    path: str,
    fill: dict[str, str],
    expected_errors: int,
) -> None:
    context = browser.new_context(base_url=server.base_url, locale="de-DE")
    try:
        page = context.new_page()
        if path.startswith("/staff"):
            page.goto("/staff/login")
            page.fill("#email", ORGANIZER_EMAIL)
            page.fill("#password", organizer_password())
            with page.expect_navigation():
                page.click("main form button[type=submit]")
        page.goto(path)
        for selector, value in fill.items():
            page.fill(selector, value)
        form = page.locator("main form:has(button[type=submit])").last
        with page.expect_navigation():
            form.locator("button[type=submit]").last.click()
        title = page.title()
        assert title.split(" ", 1)[0].isdigit() and "Fehler" in title.split(":", 1)[0], title
        count = int(title.split(" ", 1)[0])
        links = page.locator(".error-summary a")
        listed = page.locator(".error-summary li").count()
        assert count >= expected_errors and links.count() == listed == count, (title, links.all_inner_texts())
        page.wait_for_function(
            "() => document.activeElement && document.activeElement.classList.contains('error-summary')",
            timeout=5000,
        )
        # Each link of the summary leads to its field.
        target = links.first.get_attribute("href")
        assert target and target.startswith("#")
        links.first.click()
        focused = page.evaluate("() => document.activeElement.id || document.activeElement.closest('[id]').id")
        assert focused == target[1:] or page.locator(target).count() == 1
    finally:
        context.close()


def test_sign_language_and_the_statement_are_reachable_from_home(server: Server, browser) -> None:  # noqa: ANN001
    context = browser.new_context(base_url=server.base_url, locale="de-DE")
    try:
        page = context.new_page()
        for link_text, heading in (
            ("Informationen in Deutscher Gebärdensprache", "Informationen in Deutscher Gebärdensprache"),
            ("Informationen in Leichter Sprache", "Informationen in Leichter Sprache"),
            ("Erklärung zur Barrierefreiheit", "Erklärung zur Barrierefreiheit"),
        ):
            page.goto("/")
            # By keyboard: the link is focusable and Enter follows it.
            page.locator("main").get_by_role("link", name=link_text).focus()
            with page.expect_navigation():
                page.keyboard.press("Enter")
            assert page.locator("h1").inner_text().strip() == heading
        assert page.get_by_role("link", name="Ombudsstelle für barrierefreie Informationstechnik").count() == 1
        assert page.locator("#feedback form").count() == 1
    finally:
        context.close()
