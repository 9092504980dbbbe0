"""The checkers themselves: a crawl reporting 0 problems means something only if they catch known problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import CHROMIUM_ARGS, Tools  # noqa: F401 - the tools fixture decides skip or fail
from tests.e2e.crawl import AXE_RUN, AXE_TAGS, Crawler, watch_errors

pytestmark = pytest.mark.e2e

BROKEN = """<!DOCTYPE html>
<html><head><title>broken</title></head>
<body><main><img src="/x.png"><p style="color:#bbb;background:#fff">faint</p>
<input type="text"><div><p>unclosed</span></div></main></body></html>"""


def test_axe_finds_known_violations(browser, tools: Tools) -> None:  # noqa: ANN001
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content(BROKEN)
        page.add_script_tag(path=str(tools.axe_js))
        found = {v["id"] for v in page.evaluate(AXE_RUN, AXE_TAGS)}
    finally:
        context.close()
    assert {"image-alt", "color-contrast", "label", "html-has-lang"} <= found, found


def test_nu_checker_finds_known_errors(tools: Tools, tmp_path: Path) -> None:
    crawler = Crawler("http://127.0.0.1", tmp_path / "html")
    (crawler.html_dir / "0001-broken.html").write_text(BROKEN, encoding="utf-8")
    (crawler.html_dir / "0002-valid.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>ok</title></head>'
        "<body><p>ok</p></body></html>",
        encoding="utf-8",
    )
    crawler.validate_html(tools.java, tools.vnu_jar)
    messages = " ".join(m["message"] for m in crawler.report.vnu.get("0001-broken.html", []))
    assert "alt" in messages and "span" in messages, crawler.report.vnu
    assert "0002-valid.html" not in crawler.report.vnu


def test_requests_outside_the_app_are_reported(browser) -> None:  # noqa: ANN001
    context = browser.new_context()
    try:
        page = context.new_page()
        watch_errors(page, "http://127.0.0.1:9")
        page.set_content('<!DOCTYPE html><html lang="en"><title>t</title><img alt="" src="http://127.0.0.2:9/cdn.png">')
        errors = list(page._agora_errors)
    finally:
        context.close()
    assert any("request outside the app: http://127.0.0.2:9/cdn.png" in e for e in errors), errors
