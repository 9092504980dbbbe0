"""Crawl every page reachable from the home page as a visitor, an organizer and an admin.

Each page must answer without an HTTP error, pass axe-core's WCAG 2.0/2.1 A and AA rules, raise no browser
error and be valid HTML for the Nu HTML Checker. Form error states and the 404 page are checked the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest

from tests.e2e.conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    ADMIN_TOTP,
    ORGANIZER_EMAIL,
    Server,
    Tools,
    mailed_link,
    organizer_password,
)
from tests.e2e.crawl import Crawler, CrawlReport, PageResult, format_failures, watch_errors

# The crawl of every role in two languages runs in the first test's fixture; on a shared machine it needs more than
# the suite's default of 300 s.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

ROLES = ("anonymous", "participant", "organizer", "admin")
PARTICIPANT_EMAIL = "crawl-participant@example.org"
SIGNIN_LINK = r"https?://\S+/signin/link/\S+"


def _submit(page, selector: str):  # noqa: ANN001, ANN202 - playwright objects
    with page.expect_navigation() as navigation:
        page.click(selector)
    return navigation.value


def _sign_in(page, base_url: str, email: str, password: str) -> None:  # noqa: ANN001
    page.goto(f"{base_url}/staff/login")
    page.fill("#email", email)
    page.fill("#password", password)
    _submit(page, "main form button[type=submit]")


def _anonymous(crawler: Crawler, page, base_url: str) -> None:  # noqa: ANN001
    urls = crawler.crawl(page, "anonymous")
    crawler.in_language(page, "anonymous", urls, "en")
    crawler.in_language(page, "anonymous", ["/"], "de")

    page.goto(f"{base_url}/staff/login")
    page.fill("#email", ORGANIZER_EMAIL)
    page.fill("#password", "not the password at all")
    crawler.check(page, "anonymous", "login with a wrong password", _submit(page, "main form button[type=submit]"), 400)

    page.goto(f"{base_url}/barrierefreiheit")
    crawler.check(page, "anonymous", "empty barrier report", _submit(page, "#feedback form button[type=submit]"), 400)
    page.fill("#description", "Der Kontrast der Fußzeile ist zu gering.")
    crawler.check(page, "anonymous", "sent barrier report", _submit(page, "#feedback form button[type=submit]"), 200)
    assert page.evaluate("() => document.activeElement.id") == "feedback-status"

    crawler.check(page, "anonymous", "unknown page", page.goto(f"{base_url}/this-page-does-not-exist"), 404)

    page.goto(f"{base_url}/beteiligung/laermaktionsplan")
    submit = "main form[action$='/beitrag'] button[type=submit]"
    crawler.check(page, "anonymous", "empty contribution", _submit(page, submit), 400)
    # The open survey of the demo, reached from the home page; a number that is none shows the error state.
    page.goto(f"{base_url}/")
    page.click("#surveys-heading ~ ul a")
    page.fill("#size_m2", "viele")
    crawler.check(page, "anonymous", "survey answer with an error", _submit(page, "main form button[value=next]"), 400)


def _participant(crawler: Crawler, page, base_url: str, mail_dir: Path) -> None:  # noqa: ANN001
    page.goto(f"{base_url}/signin")
    crawler.check(page, "participant", "empty sign-in form", _submit(page, "main form button[type=submit]"), 400)
    page.fill("#email", PARTICIPANT_EMAIL)
    page.check("#consent")
    crawler.check(page, "participant", "sign-in link sent", _submit(page, "main form button[type=submit]"))
    link = mailed_link(mail_dir, PARTICIPANT_EMAIL, SIGNIN_LINK)
    crawler.check(page, "participant", "sign-in link opened", page.goto(link))
    _submit(page, "main form button[type=submit]")
    assert "/me" in page.url, f"participant sign-in ended at {page.url}"
    urls = crawler.crawl(page, "participant")
    crawler.in_language(page, "participant", urls, "en")


def _organizer(crawler: Crawler, page, base_url: str) -> None:  # noqa: ANN001
    _sign_in(page, base_url, ORGANIZER_EMAIL, organizer_password())
    assert page.url == f"{base_url}/staff", f"organizer sign-in ended at {page.url}"
    page.goto(f"{base_url}/staff/account")
    submit = "main form[action='/staff/account/password'] button[type=submit]"
    crawler.check(page, "organizer", "empty password change", _submit(page, submit), 400)
    page.goto(f"{base_url}/staff/account/totp")
    submit = "main form[action='/staff/account/totp'] button[type=submit]"
    crawler.check(page, "organizer", "empty second-factor code", _submit(page, submit), 400)
    page.goto(f"{base_url}/staff/barrier-reports")
    submit = "main form[action$='/answer'] button[type=submit]"
    crawler.check(page, "organizer", "empty barrier answer", _submit(page, submit), 400)
    urls = crawler.crawl(page, "organizer")
    # The staff area is larger than one crawl's page budget: the survey builder and analysis get their own.
    urls += crawler.crawl(page, "organizer", start="/staff/surveys", limit=60, known=frozenset(urls))
    crawler.in_language(page, "organizer", urls, "en")


def _admin(crawler: Crawler, page, base_url: str) -> None:  # noqa: ANN001
    _sign_in(page, base_url, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert page.url == f"{base_url}/staff/login/totp", f"admin sign-in ended at {page.url}"
    page.fill("#code", "000000" if pyotp.TOTP(ADMIN_TOTP).now() != "000000" else "111111")
    crawler.check(page, "admin", "wrong sign-in code", _submit(page, "main form button[type=submit]"), 400)
    page.fill("#code", pyotp.TOTP(ADMIN_TOTP).now())
    _submit(page, "main form button[type=submit]")
    assert page.url == f"{base_url}/staff", f"admin second factor ended at {page.url}"
    page.goto(f"{base_url}/staff/users/new")
    crawler.check(page, "admin", "empty new user form", _submit(page, "main form button[type=submit]"), 400)
    urls = crawler.crawl(page, "admin")
    crawler.in_language(page, "admin", urls, "en")


@pytest.fixture(scope="module")
def report(server: Server, browser, tools: Tools, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CrawlReport]:  # noqa: ANN001
    crawler = Crawler(server.base_url, tmp_path_factory.mktemp("e2e-html"))
    runs = {
        "anonymous": _anonymous,
        "participant": lambda c, p, u: _participant(c, p, u, server.data_dir / "mail"),
        "organizer": _organizer,
        "admin": _admin,
    }
    for run in runs.values():
        context = browser.new_context(base_url=server.base_url, locale="de-DE")
        context.add_init_script(path=str(tools.axe_js))
        try:
            page = context.new_page()
            watch_errors(page, server.base_url)
            run(crawler, page, server.base_url)
        finally:
            context.close()
    crawler.validate_html(tools.java, tools.vnu_jar)
    yield crawler.report


def _paths(pages: list[PageResult]) -> set[str]:
    from urllib.parse import urlsplit

    # Only what the crawl reached through links, not the sign-in steps that came before it.
    return {urlsplit(p.url).path for p in pages if p.label.startswith("http")}


@pytest.mark.parametrize(
    ("role", "expected", "refused"),
    [
        (
            "anonymous",
            {
                "/",
                "/impressum",
                "/datenschutz",
                "/barrierefreiheit",
                "/leichte-sprache",
                "/staff/login",
                "/beteiligung",
                "/beteiligung/laermaktionsplan",
                "/beteiligung/digitalstrategie-2030",
                "/beteiligung/digitalstrategie-2030/ergebnis",
                "/beteiligung/digitalstrategie-2030/abwaegungstabelle",
            },
            {"/staff", "/staff/users", "/staff/participation"},
        ),
        ("participant", {"/", "/me", "/me/data", "/impressum"}, {"/staff", "/signin"}),
        (
            "organizer",
            {
                "/",
                "/impressum",
                "/staff",
                "/staff/account",
                "/staff/barrier-reports",
                "/staff/participation",
                "/staff/participation/new",
                "/staff/participation/moderation",
                "/staff/participation/audit",
                "/staff/participation/text-modules",
            },
            {"/staff/users", "/staff/pages", "/staff/town"},
        ),
        (
            "admin",
            {"/", "/staff", "/staff/account", "/staff/users", "/staff/users/new", "/staff/pages", "/staff/town"},
            set(),
        ),
    ],
)
def test_crawl_reaches_the_pages_of_each_role(
    report: CrawlReport, role: str, expected: set[str], refused: set[str]
) -> None:
    reached = _paths(report.for_role(role))
    assert expected <= reached, f"{role} did not reach {sorted(expected - reached)}; reached {sorted(reached)}"
    assert not refused & reached, f"{role} was shown links to {sorted(refused & reached)}"
    if role == "organizer":
        weighed = [p for p in reached if p.startswith("/staff/participation/") and "/contributions/" in p]
        assert weighed, "the organizer reached no contribution to weigh"
    if role == "anonymous":
        assert any(p.startswith("/surveys/") for p in reached), "the open survey was not reached from the home page"
    if role == "organizer":
        for part in ("/analysis", "/trend", "/texts", "/preview", "/questions/"):
            assert any(p.startswith("/staff/surveys/") and part in p for p in reached), f"no survey page {part}"
    if role == "admin":
        assert any(p.startswith("/staff/pages/") for p in reached), "the admin reached no page editor"


def test_no_page_answers_with_an_http_error(report: CrawlReport) -> None:
    def describe(result: PageResult) -> list[str]:
        if result.expected_status is not None:
            ok = result.status == result.expected_status
            return [] if ok else [f"HTTP {result.status}, expected {result.expected_status}"]
        return [f"HTTP {result.status}"] if result.status >= 400 or result.status == 0 else []

    failures = format_failures(report.pages, describe)
    assert not failures, "pages answered with an error:\n" + failures


def test_pages_are_in_the_chosen_language(report: CrawlReport) -> None:
    def describe(result: PageResult) -> list[str]:
        if result.html_file is None:  # a download
            return []
        wanted = "en" if result.label.endswith("[en]") else "de"
        return [] if result.lang == wanted else [f'<html lang="{result.lang}">, expected "{wanted}"']

    failures = format_failures(report.pages, describe)
    assert not failures, "pages in the wrong language:\n" + failures
    assert sum(p.label.endswith("[en]") for p in report.pages) >= 10


def test_no_axe_violations(report: CrawlReport) -> None:
    def describe(result: PageResult) -> list[str]:
        return [
            f"{v['id']} ({v['impact']}): {v['help']} -> {node['target']}: {node['html']}"
            for v in result.violations
            for node in v["nodes"]
        ]

    assert len(report.pages) >= 20, f"the crawl checked only {len(report.pages)} pages"
    failures = format_failures(report.pages, describe)
    assert not failures, "axe-core found WCAG 2.1 A/AA violations:\n" + failures


def test_no_html_errors(report: CrawlReport) -> None:
    def describe(result: PageResult) -> list[str]:
        messages = report.vnu.get(Path(result.html_file).name, []) if result.html_file else []
        return [
            f"line {m.get('lastLine', '?')}: {m.get('message')}  [{(m.get('extract') or '').strip()[:120]}]"
            for m in messages
        ]

    failures = format_failures(report.pages, describe)
    assert not failures, "the Nu HTML Checker found errors:\n" + failures


def test_no_browser_errors(report: CrawlReport) -> None:
    failures = format_failures(report.pages, lambda result: result.browser_errors)
    assert not failures, "the browser reported errors (blocked resources, scripts, CSP):\n" + failures


def test_error_states_show_the_error_summary(report: CrawlReport) -> None:
    """The form error pages were checked above; here: they really are error states, not the empty forms."""
    labels = {p.label: p for p in report.pages}
    for label in (
        "login with a wrong password",
        "empty barrier report",
        "wrong sign-in code",
        "empty sign-in form",
        "empty password change",
        "empty second-factor code",
        "empty new user form",
        "survey answer with an error",
        "empty barrier answer",
    ):
        html = labels[label].html_file.read_text(encoding="utf-8")  # type: ignore[union-attr]
        assert 'class="error-summary"' in html, f"{label}: no error summary"
        assert re.search(r"<title>\d+ (Fehler|errors?): ", html), f"{label}: the title does not count the errors"
        assert "autofocus" in html, f"{label}: the error summary does not take the focus"
    assert 'aria-invalid="true"' in labels["empty barrier report"].html_file.read_text(encoding="utf-8")  # type: ignore[union-attr]
