"""Staff pages for series, sessions, agenda, registrations, check-in and exports."""

from __future__ import annotations

from starlette.routing import BaseRoute

from agora.nav import StaffLink

NAV: list[StaffLink] = []


def routes() -> list[BaseRoute]:
    return []
