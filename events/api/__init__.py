"""The JSON API under /api/v1 (public reads, registrations, staff endpoints with API tokens)."""

from __future__ import annotations

from starlette.routing import BaseRoute


def routes() -> list[BaseRoute]:
    return []
