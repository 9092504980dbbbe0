"""Input of the staff accounts: signing in, the second factor, one's password, users and API tokens."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from agora.accounts.models import ROLES, User
from agora.accounts.tokens import MAX_EXPIRY_DAYS, SCOPES, ApiToken
from agora.forms import EMAIL_MAX, Checkbox, Email, InputModel, Integer, Line, OneOf, Password, column_length

CODE_MAX = 40
NEXT_MAX = 500


class LoginInput(InputModel):
    """Signing in. The address is only looked up, so any line is taken (a wrong one just does not match)."""

    email: Annotated[str, Line(EMAIL_MAX)] = ""
    password: Password = ""
    next: Annotated[str, Line(NEXT_MAX)] = ""


class CodeInput(InputModel):
    """A one-time code from the authenticator app, or a recovery code."""

    code: Annotated[str, Line(CODE_MAX)] = ""


class PasswordInput(InputModel):
    password: Password = ""


class PasswordChangeInput(InputModel):
    current_password: Password = ""
    new_password: Password = ""
    confirm_password: Password = ""


class UserCreateInput(InputModel):
    email: Email
    display_name: Annotated[str, Line(column_length(User, "display_name"), min_length=1)]
    password: Password = ""
    roles: list[Annotated[str, OneOf(*ROLES)]] = Field(default_factory=list, max_length=len(ROLES))


class UserUpdateInput(InputModel):
    display_name: Annotated[str, Line(column_length(User, "display_name"), min_length=1)]
    roles: list[Annotated[str, OneOf(*ROLES)]] = Field(default_factory=list, max_length=len(ROLES))
    is_active: Checkbox = False
    password: Password = ""


class TokenInput(InputModel):
    name: Annotated[str, Line(column_length(ApiToken, "name"), min_length=1)]
    scopes: list[Annotated[str, OneOf(*SCOPES)]] = Field(default_factory=list, min_length=1, max_length=len(SCOPES))
    days: Annotated[int, Integer(1, MAX_EXPIRY_DAYS)]
