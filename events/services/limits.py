"""How often one client address may register: the same limit for the registration form and the JSON API."""

from __future__ import annotations

from datetime import timedelta

from agora import ratelimit

# Registrations per client address and window: enough for an office registering its team, a brake on floods.
REGISTRATION_LIMIT = 20
REGISTRATION_WINDOW = timedelta(minutes=10)
REGISTRATIONS_PER_ADDRESS = ratelimit.limit("events.registration", REGISTRATION_LIMIT, REGISTRATION_WINDOW)


async def registration_wait(ip_address: str) -> int | None:
    """Count one registration attempt from the address: None when allowed, else the seconds to wait."""
    return await ratelimit.hit(REGISTRATIONS_PER_ADDRESS, ip_address)
