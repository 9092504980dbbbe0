"""Keyboard use: the skip link comes first and takes the focus to the main content."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Server

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
