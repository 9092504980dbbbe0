"""The registration form and the JSON API share one limit per client address, so a flood sends no mail."""

from __future__ import annotations

from events.models import Registration
from events.services import limits
from notifications.models import OutboxMessage
from tests.conftest import csrf_from, new_client
from tests.events.helpers import published_session

REFUSED_DE = "Zu viele Anmeldungen von Ihrer Adresse. Bitte warten Sie einige Minuten."


async def test_html_registrations_from_one_address_are_limited_like_the_api(app) -> None:
    session = await published_session(capacity=100)
    statuses = []
    async with new_client(app, ip="203.0.113.9") as flooding:
        token = csrf_from((await flooding.get(f"/termine/{session.id}")).text)
        for n in range(25):
            data = {"name": f"Person {n}", "email": f"p{n}@example.com", "consent": "on", "csrf_token": token}
            response = await flooding.post(f"/termine/{session.id}/anmeldung", data=data)
            statuses.append(response.status_code)
            if response.status_code == 429:
                assert REFUSED_DE in response.text
                assert f'value="p{n}@example.com"' in response.text  # what was typed is kept
        # The same budget covers the API: it is the same limit, not a second one.
        api = await flooding.post(
            f"/api/v1/sessions/{session.id}/registrations",
            json={"name": "API", "email": "api@example.com", "consent": True},
        )
        assert api.status_code == 429
    assert statuses == [200] * limits.REGISTRATION_LIMIT + [429] * (25 - limits.REGISTRATION_LIMIT)
    assert await Registration.filter(session_id=session.id).count() == limits.REGISTRATION_LIMIT
    refused = [f"p{n}@example.com" for n in range(limits.REGISTRATION_LIMIT, 25)] + ["api@example.com"]
    assert not await OutboxMessage.filter(recipient__in=refused).exists()
    assert await OutboxMessage.filter(recipient="p0@example.com").exists()
    # Another address is not affected.
    async with new_client(app, ip="198.51.100.20") as other:
        token = csrf_from((await other.get(f"/termine/{session.id}")).text)
        data = {"name": "Else", "email": "else@example.com", "consent": "on", "csrf_token": token}
        assert (await other.post(f"/termine/{session.id}/anmeldung", data=data)).status_code == 200
