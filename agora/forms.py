"""Small helpers for reading HTML forms safely."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request

MAX_FIELDS = 200


async def read_form(request: Request) -> FormData:
    return await request.form(max_files=0, max_fields=MAX_FIELDS)


def text(form: FormData, name: str, max_length: int = 10_000) -> str:
    value = form.get(name)
    if not isinstance(value, str):
        return ""
    return value.strip()[:max_length]


def raw(form: FormData, name: str, max_length: int = 1_000) -> str:
    """Without stripping: passwords keep their spaces."""
    value = form.get(name)
    return value[:max_length] if isinstance(value, str) else ""


def checked(form: FormData, name: str) -> bool:
    return form.get(name) in ("on", "1", "true", "yes")


def many(form: FormData, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str)]
