"""Public mail pages: one-click unsubscribe (RFC 8058) and per-category preferences, via signed links."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from agora.forms import parse_form, read_form
from agora.i18n import gettext as _
from agora.i18n import lazy_gettext
from agora.web import PUBLIC, NotFound, error_page, page, render
from notifications import api
from notifications.forms import PreferencesInput

CATEGORY_LABELS = {
    "invitations": lazy_gettext("Invitations to sessions and workshops"),
    "reminders": lazy_gettext("Reminders"),
    "digests": lazy_gettext("Digests of new contributions"),
    "surveys": lazy_gettext("Follow-up surveys"),
    "updates": lazy_gettext("Updates on consultations you follow"),
}


def category_label(category: str) -> str:
    label = CATEGORY_LABELS.get(category)
    return str(label) if label is not None else category


async def unsubscribe_page(request: Request) -> Response:
    # GET never changes anything: mail scanners open every link before the person does.
    found = api.read_unsubscribe_token(request.path_params["token"])
    if found is None or found[1] == "*":
        raise NotFound(_("This unsubscribe link is not valid."))
    return await render(
        request,
        "notifications/unsubscribe.html",
        {"token": request.path_params["token"], "category": category_label(found[1]), "done": False},
    )


async def unsubscribe_post(request: Request) -> Response:
    form = await read_form(request)
    if form.get("List-Unsubscribe") != "One-Click":
        return await error_page(request, 400)
    found = await api.unsubscribe(request.path_params["token"])
    if found is None:
        raise NotFound(_("This unsubscribe link is not valid."))
    return await render(
        request,
        "notifications/unsubscribe.html",
        {"token": request.path_params["token"], "category": category_label(found[1]), "done": True},
    )


def _preferences_address(request: Request) -> str | None:
    found = api.read_unsubscribe_token(request.path_params["token"])
    return found[0] if found is not None and found[1] == "*" else None


async def _preferences_view(request: Request, address: str, saved: bool) -> Response:
    prefs = await api.get_preferences(address)
    rows = [(category, category_label(category), enabled) for category, enabled in prefs.items()]
    return await render(request, "notifications/preferences.html", {"rows": rows, "address": address, "saved": saved})


async def preferences_page(request: Request) -> Response:
    address = _preferences_address(request)
    if address is None:
        raise NotFound(_("This link is not valid."))
    return await _preferences_view(request, address, saved=False)


async def preferences_save(request: Request) -> Response:
    address = _preferences_address(request)
    if address is None:
        raise NotFound(_("This link is not valid."))
    chosen = (await parse_form(request, PreferencesInput)).chosen
    await api.set_preferences(address, {category: category in chosen for category in api.categories()})
    return await _preferences_view(request, address, saved=True)


def routes() -> list[BaseRoute]:
    return [
        page("/unsubscribe/{token}", unsubscribe_page, access=PUBLIC),
        # No CSRF token and no session here, on purpose: RFC 8058 one-click requests come from the mail
        # client or provider, which has neither. The signed token in the URL is the authorisation, and it
        # only switches one category of mail off, so a forged request can do no more than the link's owner.
        page(
            "/unsubscribe/{token}",
            unsubscribe_post,
            access=PUBLIC,
            methods=["POST"],
            csrf=False,
            name="unsubscribe_post",
        ),
        page("/mail/preferences/{token}", preferences_page, access=PUBLIC),
        page(
            "/mail/preferences/{token}",
            preferences_save,
            access=PUBLIC,
            methods=["POST"],
            name="preferences_save",
        ),
    ]
