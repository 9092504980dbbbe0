"""Staff pages about accounts: one's own account (password, second factor, sessions) and user management."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from agora.accounts import services, totp
from agora.accounts.forms import CodeInput, PasswordChangeInput, PasswordInput, UserCreateInput, UserUpdateInput
from agora.accounts.models import ROLES, User
from agora.accounts.sessions import client_ip
from agora.forms import FieldErrors, parse_form
from agora.i18n import gettext as _
from agora.nav import StaffLink
from agora.web import NotFound, get_or_404, page, path_id, redirect, render, session_of, staff

NAV = [
    StaffLink("Users", "/staff/users", frozenset({"admin"})),
    StaffLink("My account", "/staff/account"),
]

ROLE_LABELS = {"admin": "Administrator", "organizer": "Organizer", "moderator": "Moderator"}


async def _account_context(request: Request, **extra: object) -> dict:
    state = session_of(request)
    return {
        "user": state.user,
        "sessions": await services.sessions_of(state.user),
        "current_session_id": state.session.id,
        "recovery_codes_left": await services.recovery_codes_left(state.user),
        "errors": {},
        **extra,
    }


async def account(request: Request) -> Response:
    return await render(request, "accounts/account.html", await _account_context(request))


async def change_password(request: Request) -> Response:
    state = session_of(request)
    try:
        data = await parse_form(request, PasswordChangeInput)
        await services.change_password(
            state.user,
            data.current_password,
            data.new_password,
            data.confirm_password,
            keep_session_id=state.session.id,
            ip_address=client_ip(request.scope),
        )
    except (FieldErrors, services.AccountError) as exc:
        return await render(request, "accounts/account.html", await _account_context(request, errors=exc.errors), 400)
    # A new session id after a password change, as after a login.
    await state.mark_mfa_passed()
    await state.flash(_("Your password has been changed. Your other sessions have been ended."))
    return redirect("/staff/account")


async def totp_setup(request: Request) -> Response:
    state = session_of(request)
    secret = state.get("pending_totp_secret")
    if not secret:
        secret = await services.begin_totp(state.user)
        await state.set("pending_totp_secret", secret)
    return await render(request, "accounts/totp_setup.html", _totp_context(state.user, secret, {}))


def _totp_context(user: User, secret: str, errors: dict) -> dict:
    uri = totp.provisioning_uri(secret, user.email)
    return {
        "user": user,
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "qr_svg": totp.qr_svg(uri, _("QR code for your authenticator app")),
        "errors": errors,
    }


async def totp_confirm(request: Request) -> Response:
    state = session_of(request)
    secret = state.get("pending_totp_secret")
    if not secret:
        return redirect("/staff/account/totp")
    try:
        data = await parse_form(request, CodeInput)
        codes = await services.confirm_totp(state.user, secret, data.code)
    except (FieldErrors, services.AccountError) as exc:
        return await render(request, "accounts/totp_setup.html", _totp_context(state.user, secret, exc.errors), 400)
    await state.pop("pending_totp_secret")
    await state.flash(_("Two-factor authentication is now active."))
    # Shown in this one response and never again: only their hashes are kept.
    return await render(request, "accounts/recovery_codes.html", {"codes": codes})


async def recovery_codes_renew(request: Request) -> Response:
    state = session_of(request)
    if not state.user.totp_enabled:
        return redirect("/staff/account/totp")
    codes = await services.new_recovery_codes(state.user)
    return await render(request, "accounts/recovery_codes.html", {"codes": codes})


async def totp_disable(request: Request) -> Response:
    state = session_of(request)
    try:
        data = await parse_form(request, PasswordInput)
        await services.disable_totp(state.user, data.password, client_ip(request.scope))
    except (FieldErrors, services.AccountError) as exc:
        return await render(request, "accounts/account.html", await _account_context(request, errors=exc.errors), 400)
    await state.flash(_("Two-factor authentication has been switched off."))
    return redirect("/staff/account")


async def end_session(request: Request) -> Response:
    state = session_of(request)
    session_id = path_id(request, "session_id")
    if session_id == state.session.id:
        await state.logout()
        return redirect("/")
    if not await services.end_session(state.user, session_id):
        raise NotFound()
    await state.flash(_("The session has been ended."))
    return redirect("/staff/account")


async def end_other_sessions(request: Request) -> Response:
    state = session_of(request)
    from agora.accounts.sessions import end_sessions_of

    count = await end_sessions_of(state.user.id, except_session_id=state.session.id)
    await state.flash(_("%(count)d other sessions have been ended.", count=count))
    return redirect("/staff/account")


async def user_list(request: Request) -> Response:
    users = await User.all().order_by("display_name")
    return await render(request, "accounts/users.html", {"users": users, "role_labels": ROLE_LABELS})


def _role_choices() -> list[tuple[str, str]]:
    return [(r, ROLE_LABELS[r]) for r in ROLES]


async def user_new(request: Request) -> Response:
    return await render(
        request,
        "accounts/user_form.html",
        {"target": None, "errors": {}, "values": {"roles": []}, "roles": _role_choices()},
    )


async def _user_form(request: Request, target: User | None, values: dict, errors: dict[str, str]) -> Response:
    context = {"target": target, "errors": errors, "values": values, "roles": _role_choices()}
    return await render(request, "accounts/user_form.html", context, 400)


async def user_create(request: Request) -> Response:
    try:
        data = await parse_form(request, UserCreateInput)
    except FieldErrors as exc:
        return await _user_form(request, None, exc.values, exc.errors)
    try:
        user = await services.create_user(data.email, data.display_name, data.password, list(data.roles))
    except services.AccountError as exc:
        return await _user_form(request, None, data.model_dump(exclude={"password"}), exc.errors)
    await session_of(request).flash(_("The user %(name)s has been created.", name=user.display_name))
    return redirect("/staff/users")


async def user_edit(request: Request) -> Response:
    target = await get_or_404(User, id=path_id(request, "user_id"))
    values = {"display_name": target.display_name, "roles": target.roles, "is_active": target.is_active}
    return await render(
        request,
        "accounts/user_form.html",
        {"target": target, "errors": {}, "values": values, "roles": _role_choices()},
    )


async def user_update(request: Request) -> Response:
    target = await get_or_404(User, id=path_id(request, "user_id"))
    try:
        data = await parse_form(request, UserUpdateInput)
    except FieldErrors as exc:
        return await _user_form(request, target, exc.values, exc.errors)
    try:
        await services.update_user(
            target.id,
            acting=session_of(request).user,
            display_name=data.display_name,
            roles=list(data.roles),
            is_active=data.is_active,
        )
        if data.password:
            await services.set_password_by_admin(target.id, data.password)
    except services.AccountError as exc:
        return await _user_form(request, target, data.model_dump(exclude={"password"}), exc.errors)
    await session_of(request).flash(_("The changes have been saved."))
    return redirect("/staff/users")


def routes() -> list[BaseRoute]:
    anyone = staff()
    admin = staff("admin")
    return [
        page("/staff/account", account, access=anyone),
        page("/staff/account/password", change_password, access=anyone, methods=["POST"]),
        page("/staff/account/totp", totp_setup, access=anyone),
        page("/staff/account/totp", totp_confirm, access=anyone, methods=["POST"], name="totp_confirm"),
        page("/staff/account/totp/disable", totp_disable, access=anyone, methods=["POST"]),
        page("/staff/account/recovery-codes", recovery_codes_renew, access=anyone, methods=["POST"]),
        page("/staff/account/sessions/end-others", end_other_sessions, access=anyone, methods=["POST"]),
        page("/staff/account/sessions/{session_id}/end", end_session, access=anyone, methods=["POST"]),
        page("/staff/users", user_list, access=admin),
        page("/staff/users/new", user_new, access=admin),
        page("/staff/users/new", user_create, access=admin, methods=["POST"], name="user_create"),
        page("/staff/users/{user_id}", user_edit, access=admin),
        page("/staff/users/{user_id}", user_update, access=admin, methods=["POST"], name="user_update"),
    ]
