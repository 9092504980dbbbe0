"""Breadth-first crawl of the running app in Chromium: status, axe-core and the HTML of every page reached."""

from __future__ import annotations

import json
import subprocess
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MAX_PAGES_PER_ROLE = 200
# These parameters only echo the page the link sits on (the footer's "report a barrier" link, the language
# switch): one visit per target page is enough, otherwise every page would add a copy of its target.
ECHO_PARAMS = {"from", "next"}
# Reached only through the language switch, which the crawl drives itself.
LANGUAGE_PREFIX = "/language/"

AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html.slice(0, 200),
                              summary: n.failureSummary}))
  }));
}"""

LINKS = "() => Array.from(document.querySelectorAll('a[href]'), a => a.getAttribute('href'))"


@dataclass
class PageResult:
    role: str
    label: str  # the URL, or what was done to reach the page (a form submission)
    url: str
    status: int
    lang: str
    violations: list[dict] = field(default_factory=list)
    browser_errors: list[str] = field(default_factory=list)
    html_file: Path | None = None
    expected_status: int | None = None  # error states answer 4xx on purpose


@dataclass
class CrawlReport:
    pages: list[PageResult] = field(default_factory=list)
    vnu: dict[str, list[dict]] = field(default_factory=dict)  # html file name -> error messages

    def for_role(self, role: str) -> list[PageResult]:
        return [p for p in self.pages if p.role == role]


def normalise(base_url: str, current: str, href: str) -> str | None:
    """The same-origin page a link leads to, without fragment and echo parameters; None when not to follow."""
    if href.startswith(("mailto:", "tel:", "javascript:", "data:")):
        return None
    base = urlsplit(base_url)
    from urllib.parse import urljoin

    target = urlsplit(urljoin(current, href))
    if (target.scheme, target.netloc) != (base.scheme, base.netloc):
        return None
    if target.path.startswith(LANGUAGE_PREFIX):
        return None
    query = urlencode(sorted((k, "" if k in ECHO_PARAMS else v) for k, v in parse_qsl(target.query, True)))
    return urlunsplit((target.scheme, target.netloc, target.path or "/", query, ""))


class Crawler:
    """Checks each page with axe-core in the browser and keeps its HTML for one Nu checker run at the end."""

    def __init__(self, base_url: str, html_dir: Path) -> None:
        self.base_url = base_url
        self.html_dir = html_dir
        self.html_dir.mkdir(parents=True, exist_ok=True)
        self.report = CrawlReport()
        self._counter = 0
        self._downloads: set[str] = set()

    def check(self, page, role: str, label: str, response, expected_status: int | None = None) -> PageResult:  # noqa: ANN001
        errors: list[str] = getattr(page, "_agora_errors", [])
        body = response.text() if response is not None else page.content()
        self._counter += 1
        html_file = self.html_dir / f"{self._counter:04d}-{role}.html"
        html_file.write_text(body, encoding="utf-8")
        result = PageResult(
            role=role,
            label=label,
            url=page.url,
            status=response.status if response is not None else 0,
            lang=page.evaluate("() => document.documentElement.lang"),
            violations=page.evaluate(AXE_RUN, AXE_TAGS),
            browser_errors=list(errors),
            html_file=html_file,
            expected_status=expected_status,
        )
        errors.clear()
        self.report.pages.append(result)
        return result

    def crawl(  # noqa: ANN001
        self, page, role: str, start: str = "/", limit: int = MAX_PAGES_PER_ROLE, known: frozenset[str] = frozenset()
    ) -> list[str]:
        """Visit every page reachable from `start` in the current language, at most `limit`; return the visited
        URLs. Pages in `known` were checked by an earlier crawl: they are only read for their links."""
        first = normalise(self.base_url, self.base_url, start)
        assert first is not None
        queue: deque[str] = deque([first])
        seen = {first}
        visited: list[str] = []
        while queue and len(visited) < limit:
            url = queue.popleft()
            if url in known:
                if url in self._downloads:
                    continue
                page.goto(url)
            else:
                visited.append(url)
                if not self._is_html(page, role, url):
                    continue
                self.check(page, role, url, page.goto(url))
            for href in page.evaluate(LINKS):
                target = normalise(self.base_url, page.url, href)
                if target is not None and target not in seen:
                    seen.add(target)
                    queue.append(target)
        return visited

    def _is_html(self, page, role: str, url: str) -> bool:  # noqa: ANN001
        """Downloads (a JSON export, a calendar file) are only checked for their status: no DOM to test."""
        head = page.request.head(url, max_redirects=0)
        if head.status in (301, 302, 303, 307, 308) or "text/html" in head.headers.get("content-type", ""):
            return True
        self._downloads.add(url)
        response = page.request.get(url)
        self.report.pages.append(
            PageResult(role=role, label=f"{url} (download)", url=url, status=response.status, lang="")
        )
        return False

    def in_language(self, page, role: str, urls: list[str], lang: str) -> None:  # noqa: ANN001
        """Visit each page once through the language switch, as a reader who changes language there would."""
        for url in (u for u in urls if u not in self._downloads):
            parts = urlsplit(url)
            path = urlunsplit(("", "", parts.path, parts.query, ""))
            response = page.goto(f"{self.base_url}/language/{lang}?next={quote(path, safe='')}")
            self.check(page, role, f"{url} [{lang}]", response)

    def validate_html(self, java: str, vnu_jar: Path) -> None:
        """All pages in one Nu checker run: the JVM start dominates the time."""
        files = sorted(str(p) for p in self.html_dir.glob("*.html"))
        if not files:
            return
        completed = subprocess.run(
            [java, "-jar", str(vnu_jar), "--format", "json", "--exit-zero-always", *files],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        output = json.loads(completed.stderr or completed.stdout or '{"messages": []}')
        for message in output.get("messages", []):
            if message.get("type") == "error" or message.get("subType") == "fatal":
                name = Path(urlsplit(message.get("url", "")).path).name
                self.report.vnu.setdefault(name, []).append(message)


def watch_errors(page, origin: str | None = None) -> None:  # noqa: ANN001
    """Keep console errors and uncaught exceptions (a blocked script, a CSP refusal) with the page; with
    `origin`, also every request that leaves it (no asset may come from a CDN)."""
    errors: list[str] = []
    page._agora_errors = errors

    def request(req) -> None:  # noqa: ANN001
        if origin and not req.url.startswith((origin + "/", "data:", "blob:", "about:")):
            errors.append(f"request outside the app: {req.url}")

    page.on("request", request)

    def console(msg) -> None:  # noqa: ANN001
        # The document's own status is checked per page (error states answer 4xx on purpose); a failed
        # stylesheet, image or script is caught by the response handler below.
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            errors.append(f"console: {msg.text}")

    def response(resp) -> None:  # noqa: ANN001
        if resp.request.resource_type != "document" and resp.status >= 400:
            errors.append(f"HTTP {resp.status} for {resp.request.resource_type} {resp.url}")

    page.on("console", console)
    page.on("response", response)
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))

    def failed(req) -> None:  # noqa: ANN001
        # Leaving a page cancels what it still loads (net::ERR_ABORTED): the crawl moving on, not a fault.
        if "ERR_ABORTED" not in (req.failure or ""):
            errors.append(f"request failed: {req.url} ({req.failure})")

    page.on("requestfailed", failed)


def format_failures(pages: list[PageResult], describe: Callable[[PageResult], list[str]]) -> str:
    lines: list[str] = []
    for result in pages:
        problems = describe(result)
        if problems:
            lines.append(f"{result.role}: {result.label}  ({result.url})")
            lines.extend(f"    {problem}" for problem in problems)
    return "\n".join(lines)
