"""Participant pages: ask for a sign-in link, confirm it, profile, my data, account deletion."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from agora import i18n
from agora.accounts.participants import services
from agora.accounts.participants.forms import ConsentInput, ProfileInput, SigninInput
from agora.accounts.participants.models import Participant
from agora.accounts.sessions import client_ip
from agora.forms import FieldErrors, parse_form
from agora.i18n import gettext as _
from agora.i18n import lazy_gettext
from agora.web import PUBLIC, page, participant, redirect, render, session_of

LINK_PROBLEMS = {
    "invalid": (
        404,
        lazy_gettext("This sign-in link is not valid"),
        lazy_gettext("Please check that you opened the complete link from the email."),
    ),
    "used": (
        410,
        lazy_gettext("This sign-in link has already been used"),
        lazy_gettext("Each link works only once. Request a new one."),
    ),
    "expired": (
        410,
        lazy_gettext("This sign-in link has expired"),
        lazy_gettext("For your security a link works only for 30 minutes. Request a new one."),
    ),
}

# Labels for the mail preference categories the outbox knows; an unknown one shows its key.
CATEGORY_LABELS = {
    "invitations": lazy_gettext("Invitations to sessions and workshops"),
    "reminders": lazy_gettext("Reminders before sessions I registered for"),
    "surveys": lazy_gettext("Follow-up surveys"),
    "digests": lazy_gettext("News digests"),
    "replies": lazy_gettext("Replies to my comments"),
    "follows": lazy_gettext("Updates on consultations I follow"),
}


async def _current(request: Request) -> Participant | None:
    """The signed-in participant; a session whose participant was deleted elsewhere is ended."""
    state = session_of(request)
    found = await services.get_participant(state.get("participant_id"))
    if found is None:
        await state.logout()
    return found


async def signin_form(request: Request) -> Response:
    next_url = services.safe_next(request.query_params.get("next"))
    if session_of(request).get("participant_id"):
        return redirect(next_url or "/me")
    return await render(
        request,
        "participants/signin.html",
        {"errors": {}, "email": "", "next": next_url, "consent_text": services.CONSENT_TEXT},
    )


async def signin_submit(request: Request) -> Response:
    try:
        data = await parse_form(request, SigninInput)
    except FieldErrors as exc:
        context = {
            "errors": exc.errors,
            "email": str(exc.values.get("email") or ""),
            "next": services.safe_next(str(exc.values.get("next") or "")),
            "consent_text": services.CONSENT_TEXT,
        }
        return await render(request, "participants/signin.html", context, status=400)
    email = data.email
    next_url = services.safe_next(data.next)
    try:
        await services.request_signin(
            request.app.state.settings,
            email,
            ip_address=client_ip(request.scope),
            language=i18n.current_locale.get(),
            consent=data.consent,
            next_url=next_url,
        )
    except services.ParticipantError as exc:
        context = {
            "errors": exc.errors,
            "email": email,
            "next": next_url,
            "consent_text": services.CONSENT_TEXT,
        }
        return await render(request, "participants/signin.html", context, status=400)
    except services.Throttled:
        context = {
            "errors": {"form": _("Too many sign-in links were requested. Please wait an hour and try again.")},
            "email": email,
            "next": next_url,
            "consent_text": services.CONSENT_TEXT,
        }
        return await render(request, "participants/signin.html", context, status=429)
    return await render(request, "participants/signin_sent.html", {"email": email})


async def _link_problem(request: Request, reason: str) -> Response:
    status, title, message = LINK_PROBLEMS[reason]
    return await render(
        request, "participants/link_problem.html", {"title": str(title), "message": str(message)}, status
    )


async def link_page(request: Request) -> Response:
    """Only shows the button: mail scanners open links, so nothing may change here."""
    token = request.path_params["token"]
    try:
        view = await services.inspect_link(request.app.state.settings, token)
    except services.LinkError as exc:
        return await _link_problem(request, exc.reason)
    return await render(
        request,
        "participants/confirm.html",
        {"view": view, "token": token, "errors": {}, "consent_text": services.CONSENT_TEXT},
    )


async def link_confirm(request: Request) -> Response:
    token = request.path_params["token"]
    consent = (await parse_form(request, ConsentInput)).consent
    settings = request.app.state.settings
    try:
        result = await services.confirm_signin(settings, token, consent=consent)
    except services.LinkError as exc:
        return await _link_problem(request, exc.reason)
    except services.ParticipantError as exc:
        view = await services.inspect_link(settings, token)
        context = {"view": view, "token": token, "errors": exc.errors, "consent_text": services.CONSENT_TEXT}
        return await render(request, "participants/confirm.html", context, status=400)
    state = session_of(request)
    await state.login_participant(result.participant_id)
    if result.created:
        await state.flash(_("Welcome! Your email address is confirmed. Please tell us the name to show."))
        response = redirect("/me" + ("?next=" + quote(result.next_url, safe="/") if result.next_url else ""))
    else:
        await state.flash(_("You are signed in."))
        response = redirect(result.next_url or "/me")
    person = await services.get_participant(result.participant_id)
    if person is not None:
        i18n.set_language_cookie(response, person.language, request.app.state.settings)
    return response


async def _profile_page(
    request: Request, person: Participant, errors: dict, form: dict | None, status: int = 200
) -> Response:
    preferences = await services.preferences_of(person)
    values = form or {"display_name": person.display_name, "organisation": person.organisation}
    return await render(
        request,
        "participants/profile.html",
        {
            "participant": person,
            "errors": errors,
            "values": values,
            "preferences": preferences,
            "category_labels": CATEGORY_LABELS,
            "next": services.safe_next(request.query_params.get("next")),
        },
        status=status,
    )


async def profile(request: Request) -> Response:
    person = await _current(request)
    if person is None:
        return redirect("/signin")
    return await _profile_page(request, person, {}, None)


async def profile_submit(request: Request) -> Response:
    person = await _current(request)
    if person is None:
        return redirect("/signin")
    try:
        data = await parse_form(request, ProfileInput, languages=request.app.state.settings.languages)
    except FieldErrors as exc:
        return await _profile_page(request, person, exc.errors, exc.values, status=400)
    preferences = await services.preferences_of(person)
    values = {"display_name": data.display_name, "organisation": data.organisation}
    try:
        updated = await services.update_profile(
            person.id,
            display_name=data.display_name,
            organisation=data.organisation,
            language=data.language,
            languages=request.app.state.settings.languages,
            preferences={category: data.preferences.get(category, False) for category in preferences},
        )
    except services.ParticipantError as exc:
        return await _profile_page(request, person, exc.errors, values, status=400)
    await session_of(request).flash(_("Your profile has been saved."))
    response = redirect(services.safe_next(data.next) or "/me")
    i18n.set_language_cookie(response, updated.language, request.app.state.settings)
    return response


async def signout(request: Request) -> Response:
    await session_of(request).logout()
    return redirect("/")


async def my_data(request: Request) -> Response:
    person = await _current(request)
    if person is None:
        return redirect("/signin")
    data = await services.personal_data(person.id)
    context = {
        "participant": person,
        "data": data,
        "category_labels": CATEGORY_LABELS,
        "fromiso": datetime.fromisoformat,
    }
    return await render(request, "participants/my_data.html", context)


async def my_data_download(request: Request) -> Response:
    person = await _current(request)
    if person is None:
        return redirect("/signin")
    data = await services.personal_data(person.id)
    data["exported_at"] = datetime.now(UTC).isoformat()
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return Response(
        body,
        media_type="application/json; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="agora-my-data.json"',
            "Cache-Control": "no-store",
        },
    )


async def delete_form(request: Request) -> Response:
    person = await _current(request)
    if person is None:
        return redirect("/signin")
    return await render(request, "participants/delete.html", {"participant": person})


async def delete_submit(request: Request) -> Response:
    state = session_of(request)
    await services.delete_account(request.app.state.settings, state.get("participant_id"))
    await state.logout()
    return await render(request, "participants/deleted.html", {})


def routes() -> list[BaseRoute]:
    return [
        page("/signin", signin_form, access=PUBLIC, name="participant_signin"),
        page("/signin", signin_submit, access=PUBLIC, methods=["POST"], name="participant_signin_submit"),
        page("/signin/link/{token}", link_page, access=PUBLIC, name="participant_link"),
        page(
            "/signin/link/{token}",
            link_confirm,
            access=PUBLIC,
            methods=["POST"],
            name="participant_link_confirm",
        ),
        page("/signout", signout, access=participant(), methods=["POST"], name="participant_signout"),
        page("/me", profile, access=participant(), name="participant_profile"),
        page("/me", profile_submit, access=participant(), methods=["POST"], name="participant_profile_submit"),
        page("/me/data", my_data, access=participant(), name="participant_data"),
        page("/me/data.json", my_data_download, access=participant(), name="participant_data_download"),
        page("/me/delete", delete_form, access=participant(), name="participant_delete"),
        page(
            "/me/delete",
            delete_submit,
            access=participant(),
            methods=["POST"],
            name="participant_delete_submit",
        ),
    ]
