"""Staff sign-in and sign-out (public pages: they are how one becomes staff)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from agora.accounts import services
from agora.accounts.forms import CodeInput, LoginInput
from agora.accounts.sessions import client_ip
from agora.forms import FieldErrors, parse_form
from agora.i18n import gettext as _
from agora.security import is_same_site_url
from agora.web import PUBLIC, page, redirect, render, session_of, staff


def _next_url(value: str | None) -> str:
    return value if value and is_same_site_url(value) and not value.startswith("/staff/login") else "/staff"


async def login_form(request: Request) -> Response:
    state = session_of(request)
    if state.is_staff:
        return redirect("/staff")
    return await render(
        request,
        "accounts/login.html",
        {"next": _next_url(request.query_params.get("next")), "errors": {}, "email": ""},
    )


async def login_submit(request: Request) -> Response:
    try:
        data = await parse_form(request, LoginInput)
    except FieldErrors as exc:
        context = {"next": _next_url(None), "errors": exc.errors, "email": ""}
        return await render(request, "accounts/login.html", context, status=400)
    email = data.email
    next_url = _next_url(data.next)
    result = await services.authenticate(email, data.password, client_ip(request.scope))
    if result.user is None:
        if result.retry_after is not None:
            refusal = await render(
                request,
                "accounts/login.html",
                {"next": next_url, "errors": {"form": services.throttled_message(result.retry_after)}, "email": email},
                status=429,
            )
            refusal.headers["Retry-After"] = str(result.retry_after)
            return refusal
        return await render(
            request,
            "accounts/login.html",
            {
                "next": next_url,
                "errors": {"form": _("The email address or the password is not correct.")},
                "email": email,
            },
            status=400,
        )
    state = session_of(request)
    user = result.user
    await state.login(user, mfa_passed=not user.totp_enabled)
    if user.totp_enabled:
        await state.set("next", next_url)
        return redirect("/staff/login/totp")
    return redirect(next_url)


async def totp_form(request: Request) -> Response:
    state = session_of(request)
    if state.user is None:
        return redirect("/staff/login")
    if state.session.mfa_passed:
        return redirect("/staff")
    return await render(request, "accounts/login_totp.html", {"errors": {}})


async def totp_submit(request: Request) -> Response:
    state = session_of(request)
    if state.user is None:
        return redirect("/staff/login")
    if state.session.mfa_passed:
        return redirect("/staff")
    try:
        code = (await parse_form(request, CodeInput)).code
    except FieldErrors as exc:
        return await render(request, "accounts/login_totp.html", {"errors": exc.errors}, status=400)
    wait = await services.totp_wait(state.user, client_ip(request.scope))
    if wait is not None:
        await state.logout()
        return await render(
            request,
            "accounts/login.html",
            {
                "next": "/staff",
                "email": "",
                "errors": {"form": _("Too many wrong codes. Please sign in again later.")},
            },
            status=429,
        )
    used_recovery_code = False
    if not await services.verify_totp(state.user, code):
        # Without the phone, one of the recovery codes stands in, once.
        used_recovery_code = await services.use_recovery_code(state.user, code)
        if not used_recovery_code:
            await services.record_totp_failure(state.user, client_ip(request.scope))
            return await render(
                request,
                "accounts/login_totp.html",
                {"errors": {"code": _("The code is not correct.")}},
                status=400,
            )
    next_url = _next_url(state.get("next"))
    await state.mark_mfa_passed()
    if used_recovery_code:
        left = await services.recovery_codes_left(state.user)
        await state.flash(
            _(
                "You signed in with a recovery code. %(count)d codes are left; create new ones in your account.",
                count=left,
            ),
            "warning",
        )
    return redirect(next_url)


async def stay(request: Request) -> Response:
    """The idle warning's button: loading the session for this request marks it used, which is all it takes."""
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


async def logout(request: Request) -> Response:
    state = session_of(request)
    await state.logout()
    response = redirect("/")
    return response


def routes() -> list[BaseRoute]:
    return [
        page("/staff/login", login_form, access=PUBLIC, name="login"),
        page("/staff/login", login_submit, access=PUBLIC, methods=["POST"], name="login_submit"),
        page("/staff/login/totp", totp_form, access=PUBLIC, name="login_totp"),
        page("/staff/login/totp", totp_submit, access=PUBLIC, methods=["POST"], name="login_totp_submit"),
        page("/staff/logout", logout, access=PUBLIC, methods=["POST"], name="logout"),
        page("/staff/session/stay", stay, access=staff(), methods=["POST"], name="session_stay"),
    ]
