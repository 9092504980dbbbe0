"""Staff pages of the contact directory, the CSV import and the invitations; the public decline page."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from agora.forms import checked, read_form, text
from agora.i18n import gettext as _
from agora.nav import StaffLink
from agora.web import PUBLIC, page, parse_id, path_id, redirect, render, session_of, staff
from events import contacts, invitations
from events.contacts import CONTACT_SIZES, SKIP, UPDATE, ContactFilter
from events.errors import EventError, NotFound

ROLES = ("admin", "organizer")
NAV = [
    StaffLink("Contacts", "/staff/contacts", frozenset(ROLES)),
    StaffLink("Invitations", "/staff/invitations", frozenset(ROLES)),
]
CONTACT_FIELDS = (
    "company",
    "contact_person",
    "email",
    "sector",
    "size",
    "tags",
    "consent_source",
    "consent_at",
)


def _filter(params: Any) -> ContactFilter:
    def get(name: str, limit: int = 120) -> str:
        value = params.get(name)
        return value.strip()[:limit] if isinstance(value, str) else ""

    size = get("size")
    return ContactFilter(sector=get("sector"), size=size if size in CONTACT_SIZES else "", tag=get("tag"), q=get("q"))


async def _filter_choices() -> dict[str, Any]:
    return {"sectors": await contacts.sectors(), "tags": await contacts.all_tags(), "sizes": CONTACT_SIZES}


# Directory


async def contact_list(request: Request) -> Response:
    flt = _filter(request.query_params)
    found = await contacts.list_contacts(flt)
    return await render(
        request,
        "events/invitations/contacts.html",
        {"contacts": found, "filter": flt, **await _filter_choices()},
    )


def _values_of(contact: Any) -> dict[str, str]:
    return {
        "company": contact.company,
        "contact_person": contact.contact_person,
        "email": contact.email,
        "sector": contact.sector,
        "size": contact.size,
        "tags": ", ".join(contact.tags or []),
        "consent_source": contact.consent_source,
        "consent_at": contact.consent_at.isoformat() if contact.consent_at else "",
        "unsubscribed": contact.unsubscribed,
    }


async def _contact_form(
    request: Request,
    contact_id: int | None,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    return await render(
        request,
        "events/invitations/contact_form.html",
        {"contact_id": contact_id, "values": values, "errors": errors, "sizes": CONTACT_SIZES},
        status=status,
    )


async def contact_new(request: Request) -> Response:
    if request.method == "GET":
        return await _contact_form(request, None, {}, {})
    return await _save(request, None)


async def contact_edit(request: Request) -> Response:
    contact_id = path_id(request, "contact_id")
    contact = await contacts.get_contact(contact_id)
    if request.method == "GET":
        return await _contact_form(request, contact.id, _values_of(contact), {})
    return await _save(request, contact.id)


async def _save(request: Request, contact_id: int | None) -> Response:
    form = await read_form(request)
    values: dict[str, Any] = {name: text(form, name, 1000) for name in CONTACT_FIELDS}
    values["unsubscribed"] = checked(form, "unsubscribed")
    try:
        await contacts.save_contact(contact_id, values, unsubscribed=values["unsubscribed"])
    except NotFound:
        raise
    except EventError as exc:
        return await _contact_form(request, contact_id, values, exc.errors, status=422)
    await session_of(request).flash(_("The contact has been saved."))
    return redirect("/staff/contacts")


async def contact_delete(request: Request) -> Response:
    contact_id = path_id(request, "contact_id")
    await contacts.delete_contact(contact_id)
    await session_of(request).flash(_("The contact has been deleted."))
    return redirect("/staff/contacts")


# CSV import


async def _import_form(
    request: Request, errors: dict[str, str], on_existing: str = SKIP, status: int = 200
) -> Response:
    return await render(
        request,
        "events/invitations/import.html",
        {"errors": errors, "on_existing": on_existing, "max_kb": contacts.MAX_CSV_BYTES // 1024},
        status=status,
    )


async def import_form(request: Request) -> Response:
    return await _import_form(request, {})


def _choice(form: FormData) -> str:
    return UPDATE if text(form, "on_existing", 10) == UPDATE else SKIP


async def import_preview(request: Request) -> Response:
    form = await request.form(max_files=1, max_fields=20)
    on_existing = _choice(form)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _import_form(request, {"file": _("Choose a CSV file.")}, on_existing, status=422)
    data = await upload.read(contacts.MAX_CSV_BYTES + 1)
    try:
        report = await contacts.preview_import(data, on_existing)
    except EventError as exc:
        return await _import_form(request, exc.errors, on_existing, status=422)
    return await render(
        request,
        "events/invitations/import_preview.html",
        {
            "report": report,
            "on_existing": on_existing,
            "payload": base64.b64encode(data).decode("ascii"),
        },
    )


async def import_confirm(request: Request) -> Response:
    form = await read_form(request)
    on_existing = _choice(form)
    payload = form.get("payload")
    try:
        data = base64.b64decode(payload if isinstance(payload, str) else "", validate=True)
        report = await contacts.import_contacts(data, on_existing)
    except (binascii.Error, ValueError):
        return await _import_form(request, {"file": _("The file could not be read. Upload it again.")}, status=422)
    except EventError as exc:
        return await _import_form(request, exc.errors, on_existing, status=422)
    await session_of(request).flash(
        _(
            "Import done: %(new)d new, %(updated)d updated, %(skipped)d skipped, %(errors)d with errors.",
            new=report.count(contacts.NEW),
            updated=report.count(contacts.UPDATE_ROW),
            skipped=report.count(contacts.SKIP_ROW),
            errors=report.count(contacts.ERROR),
        )
    )
    return redirect("/staff/contacts")


# Invitations


async def invitation_overview(request: Request) -> Response:
    return await render(
        request,
        "events/invitations/overview.html",
        {"stats": await invitations.all_stats(), "sessions": await invitations.invitable_sessions()},
    )


async def _invite_page(request: Request, params: Any, errors: dict[str, str], status: int = 200) -> Response:
    flt = _filter(params)
    sessions = await invitations.invitable_sessions()
    raw = params.get("session")
    session_id = parse_id(raw)
    chosen = next((s for s in sessions if s.id == session_id), None)
    count = len(await invitations.candidates(chosen.id, flt)) if chosen else None
    return await render(
        request,
        "events/invitations/invite.html",
        {
            "sessions": sessions,
            "chosen": chosen,
            "filter": flt,
            "count": count,
            "errors": errors,
            **await _filter_choices(),
        },
        status=status,
    )


async def invite(request: Request) -> Response:
    """GET: choose the session and segment and see how many would be invited. Changes nothing."""
    return await _invite_page(request, request.query_params, {})


async def invite_send(request: Request) -> Response:
    form = await read_form(request)
    session_id = parse_id(text(form, "session", 12))
    if session_id is None:
        return await _invite_page(request, form, {"session": _("Choose a published session.")}, status=422)
    try:
        sent = await invitations.send_invitations(request.app.state.settings, session_id, _filter(form))
    except EventError as exc:
        return await _invite_page(request, form, exc.errors, status=422)
    await session_of(request).flash(
        _("%(count)d invitations have been queued.", count=sent) if sent != 1 else _("1 invitation has been queued.")
    )
    return redirect("/staff/invitations")


# Public: decline


async def decline_page(request: Request) -> Response:
    token = request.path_params["token"]
    invitation = await invitations.by_token(token)
    if invitation is None:
        raise NotFound({"token": _("This invitation link is not valid.")})
    session = await invitation.session
    if request.method == "POST":
        invitation = await invitations.decline(token)
    return await render(
        request,
        "events/invitations/decline.html",
        {"invitation": invitation, "session": session, "token": token, "done": request.method == "POST"},
    )


def routes() -> list[BaseRoute]:
    access = staff(*ROLES)
    return [
        page("/staff/contacts", contact_list, access=access),
        page("/staff/contacts/new", contact_new, access=access, methods=["GET", "POST"]),
        page("/staff/contacts/import", import_form, access=access),
        page("/staff/contacts/import/preview", import_preview, access=access, methods=["POST"]),
        page("/staff/contacts/import/confirm", import_confirm, access=access, methods=["POST"]),
        page("/staff/contacts/{contact_id}", contact_edit, access=access, methods=["GET", "POST"]),
        page("/staff/contacts/{contact_id}/delete", contact_delete, access=access, methods=["POST"]),
        page("/staff/invitations", invitation_overview, access=access),
        page("/staff/invitations/new", invite, access=access),
        page("/staff/invitations/send", invite_send, access=access, methods=["POST"]),
        page(
            f"{invitations.DECLINE_PATH}/{{token}}/decline",
            decline_page,
            access=PUBLIC,
            methods=["GET", "POST"],
        ),
    ]
