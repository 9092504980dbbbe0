"""Public event pages: series, sessions, registration, confirmation, the personal manage page, calendar feeds."""

from __future__ import annotations

from typing import Any

from starlette.routing import BaseRoute


async def home_sessions() -> list[dict[str, Any]]:
    """Upcoming published sessions for the home page."""
    return []


def routes() -> list[BaseRoute]:
    return []
