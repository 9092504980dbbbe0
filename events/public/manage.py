"""The pages behind the mailed links: confirm the address, view and manage a registration, calendar files.

The token in the URL is the only credential (see events.services.common.manage_token). GET never changes
anything, because mail scanners open links: confirming and cancelling are buttons that POST.
"""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from agora.forms import FieldErrors, max_lengths, parse_form
from agora.i18n import gettext as _
from agora.web import error_page, redirect, render, session_of
from events import checkin, forms, services
from events.errors import EventError, NotFound
from events.models import ATTENDED, PENDING_APPROVAL, SEATED, WAITLISTED, Registration, Session, receives_join_link
from events.public.common import MANAGE_PATH, ics_response, session_url
from events.services import feeds
from events.services.common import now_utc, questions_for
from events.services.public import manage_view


def _token(request: Request) -> str:
    return str(request.path_params.get("token", ""))[:200]


def _can_cancel(registration: Registration, session: Session, now: datetime) -> bool:
    if registration.status not in (*SEATED, WAITLISTED) or registration.status == ATTENDED:
        return False
    if registration.status == WAITLISTED:
        return True
    return now < (session.cancel_deadline or session.starts_at)


async def _manage_page(
    request: Request,
    token: str,
    *,
    errors: dict[str, str] | None = None,
    values: dict | None = None,
    status: int = 200,
) -> Response:
    try:
        registration, session, series, position = await manage_view(request.app.state.settings, token)
    except NotFound:
        return await error_page(
            request, 404, _("This link is not valid. Please use the complete link from your email.")
        )
    questions = await questions_for(session)
    seated = registration.status in SEATED
    editable = registration.status in (*SEATED, WAITLISTED) and registration.status != ATTENDED
    return await render(
        request,
        "events/manage.html",
        {
            "registration": registration,
            "session": session,
            "series": series,
            "position": position,
            "questions": questions,
            "token": token,
            "base": f"{MANAGE_PATH}/{token}",
            "session_url": session_url(session.id),
            "qr": Markup(checkin.qr_svg(registration.checkin_code)) if seated else "",  # noqa: S704 - segno SVG
            "join_link": session.online_url if receives_join_link(registration.attendance, registration.status) else "",
            "can_cancel": _can_cancel(registration, session, now_utc()),
            "editable": editable,
            "errors": errors or {},
            "limits": max_lengths(forms.DetailsInput),
            "values": values
            or {
                "name": registration.name,
                "organisation": registration.organisation,
                "role": registration.role,
                "answers": registration.answers or {},
            },
            "breadcrumbs": [(_("Home"), "/"), (_("My registration"), None)],
        },
        status=status,
    )


async def manage_page(request: Request) -> Response:
    return await _manage_page(request, _token(request))


async def manage_submit(request: Request) -> Response:
    token = _token(request)
    settings = request.app.state.settings
    try:
        _registration, session, _series, _position = await manage_view(settings, token)
    except NotFound:
        return await error_page(
            request, 404, _("This link is not valid. Please use the complete link from your email.")
        )
    try:
        details = await parse_form(request, forms.with_questions(forms.DetailsInput, await questions_for(session)))
    except FieldErrors as exc:
        return await _manage_page(request, token, errors=exc.errors, values=exc.values, status=400)
    try:
        await services.update_details(
            settings,
            token,
            name=details.name,
            organisation=details.organisation,
            role=details.role,
            answers=details.answer_values(),
        )
    except EventError as exc:
        values = {**details.model_dump(exclude={"answers"}), "answers": details.answer_values()}
        return await _manage_page(request, token, errors=exc.errors, values=values, status=400)
    await session_of(request).flash(_("Your details have been saved."))
    return redirect(f"{MANAGE_PATH}/{token}")


async def cancel_submit(request: Request) -> Response:
    token = _token(request)
    try:
        await services.cancel_by_token(request.app.state.settings, token)
    except NotFound:
        return await error_page(
            request, 404, _("This link is not valid. Please use the complete link from your email.")
        )
    except EventError as exc:
        return await _manage_page(request, token, errors=exc.errors, status=400)
    await session_of(request).flash(_("Your registration has been cancelled."))
    return redirect(f"{MANAGE_PATH}/{token}")


async def confirm_page(request: Request) -> Response:
    token = _token(request)
    try:
        registration, session, _series, _position = await manage_view(request.app.state.settings, token)
    except NotFound:
        return await error_page(
            request, 404, _("This link is not valid. Please use the complete link from your email.")
        )
    return await render(
        request,
        "events/confirm.html",
        {
            "registration": registration,
            "session": session,
            "token": token,
            "base": f"{MANAGE_PATH}/{token}",
            "needs_confirmation": registration.email_confirmed_at is None,
            "errors": {},
            "breadcrumbs": [(_("Home"), "/"), (_("Confirm registration"), None)],
        },
    )


async def confirm_submit(request: Request) -> Response:
    token = _token(request)
    try:
        registration = await services.confirm_registration(request.app.state.settings, token)
    except NotFound:
        return await error_page(
            request, 404, _("This link is not valid. Please use the complete link from your email.")
        )
    except EventError as exc:
        return await _manage_page(request, token, errors=exc.errors, status=409)
    if registration.status == WAITLISTED:
        message = _(
            "Your email address is confirmed. You are on the waitlist; we will write to you when a seat frees up."
        )
    elif registration.status == PENDING_APPROVAL:
        message = _("Your email address is confirmed. The organisers will review your registration and write to you.")
    else:
        message = _("Your registration is confirmed. We have sent you the details and a calendar file.")
    await session_of(request).flash(message)
    return redirect(f"{MANAGE_PATH}/{token}")


async def registration_calendar(request: Request) -> Response:
    data = await feeds.registration_calendar(request.app.state.settings, _token(request))
    return ics_response(data, "registration.ics", private=True)


async def personal_feed(request: Request) -> Response:
    data = await feeds.personal_feed(request.app.state.settings, _token(request))
    return ics_response(data, "my-registrations.ics", private=True)
