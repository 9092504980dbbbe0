"""Message catalogs: `python scripts/i18n.py extract | update | check` (with the project's virtualenv).

- extract: collects every msgid from the Python packages and the Jinja2 templates (babel.cfg) into
  agora/locale/messages.pot.
- update:  extracts, then merges the template into agora/locale/{de,en}/LC_MESSAGES/messages.po: new msgids
  are added untranslated, vanished ones dropped, changed ones marked fuzzy with the old translation as a hint.
- check:   prints every msgid that has no non-fuzzy German translation; exits 1 when there is one.

Msgids are English. German is the default language and its catalog must translate every msgid
(tests/agora/test_i18n.py fails otherwise). The English catalog deliberately leaves msgstr empty: gettext
falls back to the msgid, so the English text lives in one place (code and templates) and cannot drift from a
copy. Fill an English msgstr only to override a msgid's wording without touching the code.

No .mo files are built: agora.i18n compiles the .po catalogs in memory at start-up.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agora.i18n import DOMAIN, EXTRACT_KEYWORDS, LOCALE_DIR  # noqa: E402

LANGUAGES = ("de", "en")
POT = LOCALE_DIR / f"{DOMAIN}.pot"


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract() -> Catalog:
    """Extract every message, keyed like gettext sees it (plural messages as (singular, plural))."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    catalog = Catalog(
        project="Agora",
        version="1",
        charset="utf-8",
        fuzzy=False,
        header_comment="# Messages of Agora.",
        creation_date=datetime(2026, 1, 1, tzinfo=UTC),
    )
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=EXTRACT_KEYWORDS, strip_comment_tags=True
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def _write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        # No line numbers: they change with every edit and would only make the catalogs churn.
        write_po(fh, catalog, width=110, sort_output=True, include_lineno=False, ignore_obsolete=True)


def cmd_extract() -> Catalog:
    template = extract()
    _write(template, POT)
    print(f"{len(template)} messages in {POT.relative_to(ROOT)}")
    return template


def cmd_update() -> None:
    template = cmd_extract()
    for lang in LANGUAGES:
        path = po_path(lang)
        if path.exists():
            with path.open("rb") as fh:
                catalog = read_po(fh, locale=lang)
        else:
            catalog = Catalog(
                locale=lang,
                project="Agora",
                version="1",
                charset="utf-8",
                fuzzy=False,
                header_comment=f"# {lang} messages of Agora.",
                last_translator="Agora",
                language_team=f"Agora {lang}",
            )
        catalog.update(template, update_header_comment=False)
        _write(catalog, path)
        if lang == "en":
            print(f"{lang}: {len(catalog)} messages (empty msgstr: the English msgid is shown)")
        else:
            print(f"{lang}: {len(catalog)} messages, {len(missing(catalog))} without translation")


def missing(catalog: Catalog) -> list[str]:
    result = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if message.fuzzy or not all(strings):
            result.append(message.id if isinstance(message.id, str) else message.id[0])
    return result


def cmd_check() -> int:
    """Msgids in the code that the German catalog does not translate (fuzzy counts as not translated)."""
    template = extract()
    path = po_path("de")
    with path.open("rb") as fh:
        german = read_po(fh, locale="de")
    gaps = []
    for message in template:
        if not message.id:
            continue
        entry = german.get(message.id, context=message.context)
        if entry is None or missing_one(entry):
            gaps.append(message.id if isinstance(message.id, str) else message.id[0])
    for msgid in gaps:
        print(msgid)
    print(f"{len(gaps)} of {len(template)} messages have no German translation", file=sys.stderr)
    return 1 if gaps else 0


def missing_one(message) -> bool:  # noqa: ANN001
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return bool(message.fuzzy or not all(strings))


def main(argv: list[str]) -> int:
    commands = {"extract": lambda: cmd_extract() and 0, "update": cmd_update, "check": cmd_check}
    if len(argv) != 1 or argv[0] not in commands:
        print(__doc__)
        return 2
    return int(commands[argv[0]]() or 0)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
