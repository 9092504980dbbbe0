"""Demo content for a first look: staff users and whatever the domains add. Running it twice changes nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from agora.accounts import services as accounts
from agora.accounts.models import User

DEMO_PASSWORD = "Rathaus-Kaffee-Dialog-2026"  # noqa: S105 - printed on purpose, demo only


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    roles: tuple[str, ...]


DEMO_USERS = (
    DemoLogin("redaktion@agora.example", DEMO_PASSWORD, ("organizer", "moderator")),
    DemoLogin("admin@agora.example", DEMO_PASSWORD, ("admin", "organizer", "moderator")),
)

# Domains register further demo steps here from the composition root; each must be idempotent.
DEMO_STEPS: list[Callable[[], Awaitable[None]]] = []


async def create_demo_content() -> list[DemoLogin]:
    names = {"redaktion@agora.example": "Rita Redaktion", "admin@agora.example": "Anton Admin"}
    for login in DEMO_USERS:
        if await User.get_or_none(email=login.email) is None:
            await accounts.create_user(login.email, names[login.email], login.password, list(login.roles))
    for step in DEMO_STEPS:
        await step()
    return list(DEMO_USERS)
