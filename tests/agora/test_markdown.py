"""Markdown from staff is rendered by markdown-it-py and cleaned by nh3: nothing executable survives."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from agora.markdown import render_markdown


def test_ordinary_markdown_renders():
    html = render_markdown(
        "# Titel\n\nEin **fetter** und *kursiver* Text mit [Link](https://example.org).\n\n- eins\n- zwei"
    )
    assert "<h2>Titel</h2>" in html  # h1 belongs to the page itself
    assert "<strong>fetter</strong>" in html and "<em>kursiver</em>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">Link</a>' in html
    assert "<li>eins</li>" in html


def test_tables_and_mail_links_survive():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n[Schreiben Sie uns](mailto:info@example.org)")
    assert "<table>" in html and "<td>1</td>" in html
    assert 'href="mailto:info@example.org"' in html


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        "<style>body{display:none}</style>",
        '<iframe src="https://evil.example"></iframe>',
        '<img src="x" onerror="alert(1)">',
        '<a href="https://example.org" onclick="alert(1)">x</a>',
        "[click](javascript:alert(1))",
        "[click](JAVASCRIPT:alert(1))",
        "[click](  javascript:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "[click](vbscript:msgbox(1))",
        '<div style="background:url(javascript:alert(1))">x</div>',
        "<svg onload=alert(1)>",
        "<object data='x'></object><embed src='x'>",
        '<form action="https://evil.example"><input name="p"></form>',
        "![x](javascript:alert(1))",
        '<a href="&#106;avascript:alert(1)">x</a>',
    ],
)
def test_nothing_executable_survives(attack):
    html = render_markdown(f"Text before\n\n{attack}\n\nText after")
    elements = Elements()
    elements.feed(html)
    # What remains may show the attack as text, but no browser would run it.
    assert not {"script", "style", "iframe", "object", "embed", "svg", "form", "input", "img", "div"} & elements.tags
    for tag, name, value in elements.attributes:
        assert not name.startswith("on"), (tag, name)
        assert name != "style"
        if name in ("href", "src"):
            assert value.split(":", 1)[0].lower() in ("https", "http", "mailto", "tel"), value
    assert "Text after" in html


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]


def test_nh3_cleans_even_if_the_renderer_let_html_through(monkeypatch):
    from markdown_it import MarkdownIt

    from agora import markdown

    # Should raw HTML ever be switched on in the renderer, the sanitiser still stands.
    monkeypatch.setattr(markdown, "_md", MarkdownIt("commonmark", {"html": True}))
    html = render_markdown(
        '<p onclick="x()">a<script>alert(1)</script><a href="javascript:alert(1)">b</a><iframe></iframe></p>'
    )
    elements = Elements()
    elements.feed(html)
    assert elements.tags <= {"p", "a"}
    assert all(name == "rel" for _tag, name, _value in elements.attributes), elements.attributes
    assert "alert" not in html


def test_raw_html_is_shown_as_text_not_dropped_silently():
    html = render_markdown("Use <b>tags</b> carefully")
    assert "<b>" not in html and "&lt;b&gt;" in html


def test_empty_input():
    assert render_markdown("") == ""
