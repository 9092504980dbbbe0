"""The public session page and its registration form."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from agora import i18n
from agora.accounts.participants.services import get_participant
from agora.accounts.sessions import client_ip
from agora.forms import FieldErrors, max_lengths, parse_form
from agora.i18n import gettext as _
from agora.web import path_id, render, session_of
from events import forms, invitations
from events.errors import EventError, RegistrationClosed
from events.models import PENDING_APPROVAL, PENDING_CONFIRMATION, WAITLISTED, attendances
from events.public.common import changes_with, json_ld, json_ld_script_body, series_url, session_url
from events.services import limits, signup
from events.services.public import SessionView, session_view

# The personal invitation link carries ?invitation=<token> (events.invitations.registration_url);
# ?token= is accepted as well.
INVITATION_PARAMS = ("invitation", "token")


async def _prefill(request: Request, token: str) -> dict[str, Any]:
    values: dict[str, Any] = {"answers": {}, "colleagues": [], "track_id": None, "consent": False}
    state = session_of(request)
    person = await get_participant(state.get("participant_id")) if state is not None else None
    if person is not None:
        values.update(name=person.display_name, email=person.email, organisation=person.organisation)
    invited = await invitations.prefill_for(token)
    if invited:
        for key in ("name", "email", "organisation", "role"):
            if invited.get(key):
                values[key] = invited[key]
    return values


async def _page(
    request: Request,
    view: SessionView,
    *,
    values: dict[str, Any],
    errors: dict[str, str],
    invitation: str = "",
    status: int = 200,
) -> Response:
    settings = request.app.state.settings
    crumbs: list[tuple[str, str | None]] = [(_("Home"), "/"), (_("Sessions"), "/termine")]
    if view.series is not None:
        crumbs.append((view.series.title, series_url(view.series.id)))
    crumbs.append((view.session.full_title, None))
    offered = view.session.max_colleagues
    colleagues = list(values.get("colleagues") or [])
    colleagues += [{"name": "", "email": ""}] * max(0, offered - len(colleagues))
    return await render(
        request,
        "events/session.html",
        {
            "view": view,
            "map_link": settings.map_url.replace("{address}", quote(view.session.venue_address))
            if view.session.venue_address
            else "",
            "session": view.session,
            "values": values,
            "colleague_rows": colleagues[: max(offered, len(colleagues))],
            "errors": errors,
            "invitation": invitation,
            "consent_text": str(forms.CONSENT_TEXT),
            "consent_version": forms.CONSENT_VERSION,
            "limits": max_lengths(forms.RegistrationInput),
            "json_ld": json_ld_script_body(json_ld(view, settings)),
            "breadcrumbs": crumbs,
        },
        status=status,
    )


async def session_page(request: Request) -> Response:
    view = await session_view(path_id(request, "id"))
    changes_with([view.session])
    token = next((request.query_params[p] for p in INVITATION_PARAMS if request.query_params.get(p)), "")[:200]
    values = await _prefill(request, token) if view.takes_registrations else {}
    return await _page(request, view, values=values, errors={}, invitation=token)


async def register_submit(request: Request) -> Response:
    settings = request.app.state.settings
    view = await session_view(path_id(request, "id"))
    model = forms.with_questions(forms.RegistrationInput, view.questions)
    rules = forms.session_rules(
        tracks=[t.id for t in view.tracks],
        max_colleagues=view.session.max_colleagues,
        attendances=attendances(view.session.mode),
    )
    try:
        data = await parse_form(request, model, **rules)
    except FieldErrors as exc:
        invitation = str(exc.values.get("invitation") or "")
        return await _page(request, view, values=exc.values, errors=exc.errors, invitation=invitation, status=400)
    invitation = data.invitation
    if await limits.registration_wait(client_ip(request.scope)) is not None:
        message = _("Too many registrations from your address. Please wait a few minutes.")
        return await _page(
            request, view, values=data.shown(), errors={"session": message}, invitation=invitation, status=429
        )
    try:
        receipt = await signup.register_publicly(
            settings,
            view.session.id,
            **data.registrant(),
            consent_version=forms.CONSENT_VERSION,
            consent_text=str(forms.CONSENT_TEXT),
            language=i18n.current_locale.get(),
            invitation=invitation,
            loaded=view.session,
        )
    except RegistrationClosed as exc:
        view = await session_view(view.session.id)
        return await _page(request, view, values=data.shown(), errors=exc.errors, invitation=invitation, status=409)
    except EventError as exc:
        view = await session_view(view.session.id)
        return await _page(request, view, values=data.shown(), errors=exc.errors, invitation=invitation, status=400)
    # No manage link here: it arrives by mail, so that only the owner of the address can confirm. The page is the
    # same for an address registered before (events.services.signup), so it tells nobody who registered.
    return await render(
        request,
        "events/registered.html",
        {
            "session": view.session,
            "registration": receipt,
            "position": receipt.waitlist_position,
            "pending_confirmation": receipt.status == PENDING_CONFIRMATION,
            "pending_approval": receipt.status == PENDING_APPROVAL,
            "waitlisted": receipt.status == WAITLISTED,
            "session_url": session_url(view.session.id),
            "breadcrumbs": [
                (_("Home"), "/"),
                (_("Sessions"), "/termine"),
                (view.session.full_title, session_url(view.session.id)),
                (_("Registration received"), None),
            ],
        },
    )
