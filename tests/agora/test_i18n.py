"""Languages: the German catalog covers every message, pages switch language, dates show Berlin time."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from agora import i18n
from agora.web import templates

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


def extracted() -> dict[str | tuple[str, str], list[str]]:
    """Every msgid in code and templates (the extraction of scripts/i18n.py), with where it is used."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found: dict[str | tuple[str, str], list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=i18n.EXTRACT_KEYWORDS
    ):
        key = message if isinstance(message, str) else tuple(message[:2])
        found.setdefault(key, []).append(f"{filename}:{lineno}")
    return found


def catalog(lang: str):  # noqa: ANN201
    with (i18n.LOCALE_DIR / lang / "LC_MESSAGES" / f"{i18n.DOMAIN}.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def _strings(message) -> tuple[str, ...]:  # noqa: ANN001
    return tuple(message.string) if isinstance(message.string, tuple | list) else (message.string,)


def test_extraction_finds_python_and_template_messages():
    found = extracted()
    places = {place.split(":")[0] for places in found.values() for place in places}
    assert any(p.endswith(".py") for p in places), "nothing extracted from Python"
    assert any(p.endswith(".html") for p in places), "nothing extracted from templates"
    assert "Skip to main content" in found  # base.html
    assert "Form expired" in found  # agora/web.py


def test_german_catalog_translates_every_message():
    german = catalog("de")
    gaps = []
    for msgid, places in sorted(extracted().items(), key=lambda item: str(item[0])):
        entry = german.get(msgid)
        if entry is None or entry.fuzzy or not all(_strings(entry)):
            gaps.append(f"{msgid!r}  ({places[0]})")
    assert not gaps, (
        f"{len(gaps)} messages have no German translation "
        "(run `python scripts/i18n.py update`, then translate):\n" + "\n".join(gaps)
    )


@pytest.mark.parametrize("lang", ["de", "en"])
def test_placeholders_in_translations_match_the_msgid(lang):
    wrong = []
    for message in catalog(lang):
        if not message.id:
            continue
        ids = (message.id,) if isinstance(message.id, str) else tuple(message.id)
        expected = set().union(*(PLACEHOLDER.findall(x) for x in ids))
        for text in _strings(message):
            if not text:
                continue
            used = set(PLACEHOLDER.findall(text))
            # A plural form may leave out the count ("eine Nachricht"), but never invent a name.
            if used - expected or (len(ids) == 1 and used != expected):
                wrong.append(f"{ids[0]!r}: {sorted(expected)} vs {text!r}")
            if text.count("%") - text.count("%%") * 2 != len(PLACEHOLDER.findall(text)):
                wrong.append(f"{ids[0]!r}: stray % in {text!r}")
    assert not wrong, "\n".join(wrong)


def test_english_catalog_leaves_the_msgid_as_text():
    english = catalog("en")
    assert len(english) > 0
    token = i18n.current_locale.set("en")
    try:
        assert i18n.gettext("Upcoming sessions") == "Upcoming sessions"
        assert i18n.gettext("Hello %(name)s.", name="Ada") == "Hello Ada."
    finally:
        i18n.current_locale.reset(token)


def test_gettext_uses_the_german_catalog_with_variables():
    token = i18n.current_locale.set("de")
    try:
        assert i18n.gettext("Upcoming sessions") == "Anstehende Termine"
        assert i18n.gettext("Hello %(name)s.", name="Ada") == "Guten Tag, Ada."
        html = templates.from_string('{{ _("Signed in as %(email)s", email=e) }}').render(e="<a@b.de>")
        assert html == "Eingeloggt als &lt;a@b.de&gt;"
    finally:
        i18n.current_locale.reset(token)


async def test_home_page_is_german_by_default_and_english_after_switching(client):
    german = await client.get("/")
    assert german.status_code == 200
    assert '<html lang="de">' in german.text
    assert "Anstehende Termine" in german.text and "Zum Hauptinhalt springen" in german.text
    assert "Upcoming sessions" not in german.text

    switch = await client.get("/language/en", params={"next": "/"})
    assert switch.status_code == 303 and switch.headers["location"] == "/"
    english = await client.get("/")
    assert '<html lang="en">' in english.text
    assert "Upcoming sessions" in english.text and "Skip to main content" in english.text
    assert "Anstehende Termine" not in english.text

    await client.get("/language/de", params={"next": "/"})
    assert "Anstehende Termine" in (await client.get("/")).text


async def test_unknown_language_is_ignored(client):
    response = await client.get("/language/fr", params={"next": "/"})
    assert response.status_code == 303
    assert "agora_lang" not in response.headers.get("set-cookie", "")
    assert '<html lang="de">' in (await client.get("/")).text


def test_one_language_cookie_helper_for_every_page_that_sets_it():
    """The language switch and the participants' profile both go through agora.i18n; nothing else writes it."""
    root = Path(__file__).resolve().parents[2]
    writers = []
    for package in ("agora", "events", "notifications", "participation", "surveys"):
        for path in (root / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if "set_cookie(" in text and "LANGUAGE_COOKIE" in text or '"agora_lang"' in text:
                writers.append(path.relative_to(root).as_posix())
    assert writers == ["agora/i18n.py"]
    assert i18n.language_from_cookies("a=b; agora_lang=en; c=d", ("de", "en")) == "en"
    assert i18n.language_from_cookies("agora_lang=fr", ("de", "en")) is None


def test_nothing_but_the_command_line_imports_the_composition_root():
    root = Path(__file__).resolve().parents[2]
    importers = []
    for package in ("agora", "events", "notifications", "participation", "surveys"):
        for path in (root / package).rglob("*.py"):
            if re.search(
                r"^\s*(from agora\.app import|import agora\.app|from agora import app)", path.read_text("utf-8"), re.M
            ):
                importers.append(path.relative_to(root).as_posix())
    assert importers == ["agora/cli.py"]


def _render(value: datetime, lang: str, fmt: str) -> str:
    locale_token = i18n.current_locale.set(lang)
    zone_token = i18n.current_zone.set("Europe/Berlin")
    try:
        # Through the template filter, as pages show dates; narrow no-break spaces are normalised.
        text = templates.from_string("{{ value|datetime(fmt) }}").render(value=value, fmt=fmt)
    finally:
        i18n.current_locale.reset(locale_token)
        i18n.current_zone.reset(zone_token)
    return text.replace("\u202f", " ").replace("\xa0", " ")


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        (datetime(2026, 1, 15, 12, 0, tzinfo=UTC), "de", "15. Januar 2026, 13:00 MEZ"),
        (datetime(2026, 7, 15, 12, 0, tzinfo=UTC), "de", "15. Juli 2026, 14:00 MESZ"),
        (datetime(2026, 1, 15, 12, 0, tzinfo=UTC), "en", "January 15, 2026, 1:00 PM +0100"),
        (datetime(2026, 7, 15, 12, 0, tzinfo=UTC), "en", "July 15, 2026, 2:00 PM +0200"),
    ],
)
def test_utc_datetimes_are_shown_in_berlin_time_in_the_readers_language(value, lang, expected):
    assert _render(value, lang, "long") == expected


def test_medium_format_in_winter_and_summer():
    winter, summer = datetime(2026, 1, 15, 12, 0, tzinfo=UTC), datetime(2026, 7, 15, 12, 0, tzinfo=UTC)
    assert _render(winter, "de", "medium") == "15.01.2026, 13:00"
    assert _render(summer, "de", "medium") == "15.07.2026, 14:00"
    assert _render(winter, "en", "medium") == "Jan 15, 2026, 1:00 PM"
    assert _render(summer, "en", "medium") == "Jul 15, 2026, 2:00 PM"


def test_short_formats_and_day_boundary():
    # 23:30 UTC on 31 March is already 1 April in Berlin (summer time since 29 March 2026).
    late = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    assert _render(late, "de", "short") == "01.04.26, 01:30"
    assert _render(late, "en", "short") == "4/1/26, 1:30 AM"
    token = i18n.current_locale.set("de")
    try:
        assert i18n.format_d(late) == "1. April 2026"
        assert i18n.format_t(datetime(2026, 12, 24, 17, 0, tzinfo=UTC)) == "18:00"
    finally:
        i18n.current_locale.reset(token)
