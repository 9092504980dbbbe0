"""Languages: gettext catalogs (Babel), the reader's locale, and date formatting in the configured zone.

Msgids are English. The German catalog (agora/locale/de/LC_MESSAGES/messages.po) translates every one
of them; the English catalog leaves msgstr empty, so gettext falls back to the msgid and the English text
exists only once, in the code. The catalogs are compiled in memory at start-up (no .mo files);
`python scripts/i18n.py` extracts and merges them.
"""

from __future__ import annotations

import gettext as _gettext
from contextvars import ContextVar
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast
from zoneinfo import ZoneInfo

from babel.core import Locale
from babel.dates import format_date, format_datetime, format_time, get_datetime_format
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from babel.support import LazyProxy

if TYPE_CHECKING:
    from starlette.responses import Response

    from agora.settings import Settings

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"

current_locale: ContextVar[str] = ContextVar("agora_locale", default="de")
current_zone: ContextVar[str] = ContextVar("agora_zone", default="Europe/Berlin")

LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}

# The reader's choice of language: a preference cookie, read by the locale middleware of the composition root.
LANGUAGE_COOKIE = "agora_lang"
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600


def set_language_cookie(response: Response, language: str, settings: Settings) -> None:
    """Remember the language (one of the installation's) in the reader's browser; other values are ignored."""
    if language in settings.languages:
        response.set_cookie(
            LANGUAGE_COOKIE,
            language,
            max_age=LANGUAGE_COOKIE_MAX_AGE,
            httponly=True,
            samesite="lax",
            secure=settings.https,
        )


def language_from_cookies(header: str, languages: tuple[str, ...]) -> str | None:
    """The language a Cookie header names, when it is one of the installation's."""
    found = None
    for part in header.split(";"):
        name, _sep, value = part.strip().partition("=")
        if name == LANGUAGE_COOKIE and value in languages:
            found = value
    return found


# Keywords for extraction from Python (babel.cfg covers the templates): Babel's defaults plus lazy_gettext.
EXTRACT_KEYWORDS: dict[str, Any] = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
}


@cache
def translations(locale: str) -> _gettext.NullTranslations:
    """Compile the .po catalog in memory, so no build step is needed and .mo files never go stale."""
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po_path.exists():
        return _gettext.NullTranslations()
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buf = BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return _gettext.GNUTranslations(buf)


def gettext(message: str, **variables: Any) -> str:
    text = translations(current_locale.get()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
    text = translations(current_locale.get()).ngettext(singular, plural, n)
    variables.setdefault("num", n)
    return text % variables


def lazy_gettext(message: str, **variables: Any) -> LazyProxy:
    """For module-level texts that must be translated when shown, not when imported."""
    return LazyProxy(gettext, message, enable_cache=False, **variables)


_ = gettext


def local_zone() -> ZoneInfo:
    """The configured zone (AGORA_TIME_ZONE), set for each request, mail and command from the settings."""
    return ZoneInfo(current_zone.get())


def to_local(value: datetime | str) -> datetime:
    if isinstance(value, str):
        # Mail contexts are plain data: times arrive as ISO strings.
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(local_zone())


NAMED_FORMATS = ("short", "medium", "long", "full")


@lru_cache(maxsize=16)
def _babel_locale(code: str) -> Locale:
    # Babel parses a locale given by name on every call; a page of 500 dated contributions made that a tenth of it.
    return Locale.parse(code)


def babel_locale() -> Locale:
    """The reader's language as a Babel locale, for formatting dates and numbers."""
    return _babel_locale(current_locale.get())


def format_dt(value: datetime | str | None, fmt: str = "medium") -> str:
    """Date in the named length, time always to the minute: seconds mean nothing to a reader of a date."""
    if not value:
        return ""
    local = to_local(value)
    locale = babel_locale()
    if fmt not in NAMED_FORMATS:
        return format_datetime(local, format=fmt, locale=locale)
    pattern = str(get_datetime_format(cast(Literal["full", "long", "medium", "short"], fmt), locale=locale))
    time_part = format_time(local, format="short", locale=locale)
    if fmt in ("long", "full"):
        time_part += " " + format_time(local, format="z", locale=locale)
    return pattern.replace("{1}", format_date(local, format=fmt, locale=locale)).replace("{0}", time_part)


def format_d(value: datetime | str | None, fmt: str = "long") -> str:
    if not value:
        return ""
    return format_date(to_local(value), format=fmt, locale=babel_locale())


def format_t(value: datetime | str | None, fmt: str = "short") -> str:
    if not value:
        return ""
    return format_time(to_local(value), format=fmt, locale=babel_locale())


def amount_for_input(value: Decimal | str | None) -> str:
    """An amount as a form shows it for editing: "25,00" in German, "25.00" in English, no grouping (both read
    back by agora.forms.OptionalMoney); text (what someone typed) stays as it was."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_decimal(value, format="0.00", locale=babel_locale())
    return str(value)


def format_money(value: Decimal | str | float | None, currency: str = "EUR") -> str:
    """An amount in the reader's language: "25,00 €" in German, "€25.00" in English. Mail contexts carry amounts
    as text ("25.00"), so text is read too; nothing (None, "") is an empty string."""
    if value is None or value == "":
        return ""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return ""
    return format_currency(amount, currency, locale=babel_locale())
