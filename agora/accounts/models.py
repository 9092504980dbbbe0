"""Tortoise models for staff users, their server-side sessions and recovery codes."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

ROLES = ("admin", "organizer", "moderator")


class User(Model):
    """A staff member. Roles are a small set, a user may hold several."""

    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    display_name = fields.CharField(max_length=120)
    password_hash = fields.CharField(max_length=255)
    roles: fields.JSONField[list[str]] = fields.JSONField(default=list)
    is_active = fields.BooleanField(default=True)
    totp_secret = fields.CharField(max_length=64, null=True)
    totp_confirmed_at = fields.DatetimeField(null=True)
    # The last accepted TOTP time step, so one code cannot be used twice.
    totp_last_step = fields.BigIntField(default=0)
    password_changed_at = fields.DatetimeField(null=True)
    last_login_at = fields.DatetimeField(null=True)
    language = fields.CharField(max_length=5, default="de")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "accounts_user"

    def has_role(self, *roles: str) -> bool:
        return any(role in (self.roles or []) for role in roles)

    @property
    def totp_enabled(self) -> bool:
        return self.totp_confirmed_at is not None


class WebSession(Model):
    """A server-side session. The cookie holds a random token, only its SHA-256 is stored."""

    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "agora.User", related_name="sessions", null=True, on_delete=fields.CASCADE
    )
    user_id: int | None
    # True once the second factor has been checked (or the user has none and need not).
    mfa_passed = fields.BooleanField(default=False)
    csrf_token = fields.CharField(max_length=64)
    data: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    ip_address = fields.CharField(max_length=64, default="")
    user_agent = fields.CharField(max_length=300, default="")
    created_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "accounts_websession"


class RecoveryCode(Model):
    """A single-use code that stands in for the authenticator app. Only its SHA-256 is stored."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "agora.User", related_name="recovery_codes", on_delete=fields.CASCADE
    )
    user_id: int
    code_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "accounts_recoverycode"
