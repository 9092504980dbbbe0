"""Shared steps for the participant tests: ask for a link the way a browser does, read it from the outbox."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from tests.conftest import csrf_from, form_post


async def request_link(
    client: httpx.AsyncClient, email: str, *, consent: bool = True, next_url: str = ""
) -> httpx.Response:
    data = {"email": email, "next": next_url}
    if consent:
        data["consent"] = "on"
    return await form_post(client, "/signin", "/signin", data)


async def last_link(email: str) -> str:
    """The path of the newest sign-in link mailed to the address (taken from the outbox row)."""
    from notifications.models import OutboxMessage

    row = await OutboxMessage.filter(recipient=email, kind="participant_signin").order_by("-id").first()
    assert row is not None, f"no sign-in mail for {email}"
    return urlsplit(row.context["link"]).path


async def confirm(client: httpx.AsyncClient, path: str, *, consent: bool = False) -> httpx.Response:
    page = await client.get(path)
    assert page.status_code == 200, page.text
    data = {"csrf_token": csrf_from(page.text)}
    if consent:
        data["consent"] = "on"
    return await client.post(path, data=data)


async def sign_in(client: httpx.AsyncClient, email: str) -> httpx.Response:
    response = await request_link(client, email)
    assert response.status_code == 200, response.text
    return await confirm(client, await last_link(email))
