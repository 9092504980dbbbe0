"""Staff pages for API tokens: list, create (the token is shown once), revoke."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from agora.accounts import tokens
from agora.accounts.forms import TokenInput
from agora.forms import FieldErrors, parse_form
from agora.i18n import gettext as _
from agora.nav import StaffLink
from agora.web import NotFound, page, path_id, redirect, render, session_of, staff

ROLES = ("admin", "organizer")
NAV = [StaffLink("API tokens", "/staff/api-tokens", frozenset(ROLES))]
DEFAULT_DAYS = 365


async def _list_page(request: Request, *, errors: dict[str, str], values: dict, status: int = 200) -> Response:
    return await render(
        request,
        "accounts/tokens.html",
        {
            "tokens": await tokens.list_tokens(),
            "scopes": tokens.SCOPES,
            "now": tokens.now(),
            "errors": errors,
            "values": values,
            "max_days": tokens.MAX_EXPIRY_DAYS,
        },
        status,
    )


async def token_list(request: Request) -> Response:
    return await _list_page(request, errors={}, values={"days": str(DEFAULT_DAYS), "scopes": []})


async def token_create(request: Request) -> Response:
    try:
        data = await parse_form(request, TokenInput)
    except FieldErrors as exc:
        return await _list_page(request, errors=exc.errors, values=exc.values, status=400)
    try:
        token, plain = await tokens.create_token(
            name=data.name,
            scopes=list(data.scopes),
            created_by_id=session_of(request).user.id,
            expires_in_days=data.days,
        )
    except tokens.TokenError as exc:
        errors = {("days" if k == "expires_in_days" else k): v for k, v in exc.errors.items()}
        return await _list_page(request, errors=errors, values=data.model_dump(), status=400)
    # Shown in this one response and never again: only the hash is kept.
    return await render(
        request, "accounts/tokens_created.html", {"token": token, "plain": plain, "scopes": tokens.SCOPES}
    )


async def token_revoke(request: Request) -> Response:
    token_id = path_id(request, "token_id")
    if not await tokens.revoke_token(token_id, acting=session_of(request).user):
        raise NotFound()
    await session_of(request).flash(_("The API token has been revoked."))
    return redirect("/staff/api-tokens")


def routes() -> list[BaseRoute]:
    access = staff(*ROLES)
    return [
        page("/staff/api-tokens", token_list, access=access),
        page("/staff/api-tokens", token_create, access=access, methods=["POST"], name="token_create"),
        page("/staff/api-tokens/{token_id}/revoke", token_revoke, access=access, methods=["POST"]),
    ]
