"""Reading the staff forms of events: numbers, wall-clock times in the configured zone, field values shown back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import FormData

from agora.forms import text
from agora.i18n import gettext as _
from agora.i18n import local_zone

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def local_input(value: datetime | None) -> str:
    """The value of a datetime-local input: wall time in the configured zone."""
    if value is None:
        return ""
    return value.astimezone(local_zone()).strftime(LOCAL_FORMAT)


def parse_local(raw: str) -> datetime | None:
    """A datetime-local value read as wall time in the configured zone, aware in UTC; None when unreadable."""
    raw = (raw or "").strip()
    if not raw:
        return None
    for fmt in (LOCAL_FORMAT, LOCAL_FORMAT + ":%S"):
        try:
            naive = datetime.strptime(raw, fmt)
        except ValueError:
            continue
        if not 1900 < naive.year < 3000:
            return None
        return naive.replace(tzinfo=local_zone()).astimezone(UTC)
    return None


class Reader:
    """Collects values and field errors while reading one form."""

    def __init__(self, form: FormData) -> None:
        self.form = form
        self.errors: dict[str, str] = {}

    def text(self, name: str, max_length: int = 10_000) -> str:
        value = text(self.form, name, max_length + 1)
        if len(value) > max_length:
            self.errors[name] = _("Please keep this under %(max)s characters.", max=max_length)
        return value[:max_length]

    def integer(self, name: str, *, minimum: int = 0, maximum: int = 100_000, default: int | None = None) -> int:
        raw = text(self.form, name, 20)
        if not raw and default is not None:
            return default
        try:
            number = int(raw)
        except ValueError:
            self.errors[name] = _("Please enter a whole number.")
            return default or 0
        if not minimum <= number <= maximum:
            self.errors[name] = _("Please enter a number from %(min)s to %(max)s.", min=minimum, max=maximum)
        return number

    def when(self, name: str, *, required: bool = False) -> datetime | None:
        raw = text(self.form, name, 40)
        value = parse_local(raw)
        if raw and value is None:
            self.errors[name] = _("Please enter a date and time.")
        elif required and value is None:
            self.errors[name] = _("Please enter a date and time.")
        return value

    def url(self, name: str) -> str:
        value = self.text(name, 500)
        if value and not value.startswith(("https://", "http://")):
            self.errors[name] = _("Please enter a web address starting with https://.")
        return value

    def choice(self, name: str, options: tuple[str, ...] | list[str], message: str) -> str:
        value = text(self.form, name, 40)
        if value not in options:
            self.errors[name] = message
        return value


def shown(values: dict[str, Any]) -> dict[str, Any]:
    """Values as the form shows them again: times as Berlin datetime-local strings."""
    return {k: local_input(v) if isinstance(v, datetime) else v for k, v in values.items()}
