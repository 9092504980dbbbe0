"""API tokens for integrations (the town's website, the CRM) that use the staff API.

A token is 256 random bits behind the recognisable prefix "agora_" (so secret scanners and people can tell
what leaked). Only its SHA-256 is stored: the plain token is shown once, when it is created. A token carries
scopes, a creator, an optional expiry, and is revoked by setting revoked_at (the row stays for the record).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise import fields
from tortoise.models import Model

from agora.i18n import lazy_gettext

PREFIX = "agora_"
TOKEN_BYTES = 32
# Scope -> what it allows, shown on the staff page.
SCOPES: dict[str, Any] = {
    "sessions:write": lazy_gettext("Create and change sessions"),
    "registrations:read": lazy_gettext("Read the registrations of a session"),
    "surveys:read": lazy_gettext("Read the results of surveys"),
}
MAX_EXPIRY_DAYS = 730
LAST_USED_INTERVAL = timedelta(minutes=1)
NO_STORE = {"Cache-Control": "no-store"}


class ApiToken(Model):
    """A bearer token for the staff API. Only the SHA-256 of the token is stored."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=120)
    token_hash = fields.CharField(max_length=64, unique=True)
    # The first characters after the prefix, so staff can tell tokens apart without the secret.
    hint = fields.CharField(max_length=16)
    scopes: fields.JSONField[list[str]] = fields.JSONField(default=list)
    created_by: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "agora.User", related_name="api_tokens", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    created_at = fields.DatetimeField()
    last_used_at = fields.DatetimeField(null=True)
    expires_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "accounts_apitoken"

    def is_usable(self, moment: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or moment < self.expires_at)


__models__ = [ApiToken]


class TokenError(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def now() -> datetime:
    return datetime.now(UTC)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


async def create_token(
    *, name: str, scopes: list[str], created_by_id: int | None, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token and its plain text, which the caller shows once and never stores."""
    from agora.db import transaction
    from agora.i18n import gettext as _

    errors: dict[str, str] = {}
    name = name.strip()
    if not name:
        errors["name"] = _("Please enter a name for the token.")
    elif len(name) > 120:
        errors["name"] = _("Please keep the name under 120 characters.")
    chosen = sorted(set(scopes))
    if not chosen:
        errors["scopes"] = _("Please choose at least one permission.")
    elif any(scope not in SCOPES for scope in chosen):
        errors["scopes"] = _("Please choose only from the permissions offered.")
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        errors["expires_in_days"] = _("Please enter a number of days from 1 to %(max)s.", max=MAX_EXPIRY_DAYS)
    if errors:
        raise TokenError(errors)
    plain = PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    moment = now()
    async with transaction():
        token = await ApiToken.create(
            name=name,
            token_hash=hash_token(plain),
            hint=plain[len(PREFIX) : len(PREFIX) + 6],
            scopes=chosen,
            created_by_id=created_by_id,
            created_at=moment,
            expires_at=moment + timedelta(days=expires_in_days) if expires_in_days else None,
        )
    return token, plain


async def revoke_token(token_id: int, *, acting: Any) -> bool:
    """True when the token was live and is now revoked. Administrators revoke any token, others their own."""
    query = ApiToken.filter(id=token_id, revoked_at=None)
    if not acting.has_role("admin"):
        query = query.filter(created_by_id=acting.id)
    return bool(await query.update(revoked_at=now()))


async def list_tokens() -> list[ApiToken]:
    return await ApiToken.all().order_by("-created_at", "-id").prefetch_related("created_by")


async def authenticate(plain: str) -> ApiToken | None:
    """The live token for this bearer value, or None. Notes when it was last used (at most once a minute)."""
    if not plain.startswith(PREFIX) or len(plain) > 200:
        return None
    token = await ApiToken.get_or_none(token_hash=hash_token(plain))
    moment = now()
    if token is None or not token.is_usable(moment):
        return None
    if token.last_used_at is None or moment - token.last_used_at >= LAST_USED_INTERVAL:
        token.last_used_at = moment
        await ApiToken.filter(id=token.id).update(last_used_at=moment)
    return token


async def bearer_denial(request: Any, scopes: frozenset[str]) -> Any:
    """None when the request carries a live token holding every scope; else the JSON refusal (401 or 403).

    The token found is left in request.state.api_token for the endpoint (its id, name and creator).
    """
    from starlette.responses import JSONResponse

    from agora.i18n import gettext as _

    header = request.headers.get("authorization", "")
    kind, _sep, value = header.partition(" ")
    token = await authenticate(value.strip()) if kind.lower() == "bearer" else None
    if token is None:
        error = "invalid_token" if header else "invalid_request"
        return JSONResponse(
            {"error": _("A valid API token is required.")},
            status_code=401,
            headers={"WWW-Authenticate": f'Bearer realm="agora", error="{error}"', **NO_STORE},
        )
    missing = sorted(scopes - set(token.scopes))
    if missing:
        challenge = f'Bearer error="insufficient_scope", scope="{" ".join(missing)}"'
        return JSONResponse(
            {"error": _("This API token lacks the permission %(scope)s.", scope=", ".join(missing))},
            status_code=403,
            headers={"WWW-Authenticate": challenge, **NO_STORE},
        )
    request.state.api_token = token
    return None
