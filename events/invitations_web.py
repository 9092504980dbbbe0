"""Staff pages of the contact directory, the CSV import and the invitations; the public decline page."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from agora.forms import FieldErrors, InputModel, OneOf, parse_form, parse_query, read_form, validate_form
from agora.i18n import gettext as _
from agora.nav import StaffLink
from agora.web import PUBLIC, page, path_id, redirect, render, session_of, staff
from events import contacts, invitations
from events.contacts import SKIP, UPDATE
from events.errors import EventError, NotFound
from events.forms import ContactFilter, ContactInput, InviteInput, InviteQuery
from events.models import CONTACT_SIZES

ROLES = ("admin", "organizer")
NAV = [
    StaffLink("Contacts", "/staff/contacts", frozenset(ROLES)),
    StaffLink("Invitations", "/staff/invitations", frozenset(ROLES)),
]


class ImportChoice(InputModel):
    """What the import does with an address already in the directory (and the file, carried as base64)."""

    on_existing: Annotated[str, OneOf(UPDATE, SKIP)] = SKIP
    payload: str = ""


async def _filter_choices() -> dict[str, Any]:
    return {"sectors": await contacts.sectors(), "tags": await contacts.all_tags(), "sizes": CONTACT_SIZES}


# Directory


async def contact_list(request: Request) -> Response:
    flt = parse_query(request, ContactFilter)
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
    try:
        data = await parse_form(request, ContactInput)
    except FieldErrors as exc:
        return await _contact_form(request, contact_id, exc.values, exc.errors, status=422)
    try:
        await contacts.save_contact(contact_id, data)
    except NotFound:
        raise
    except EventError as exc:
        return await _contact_form(request, contact_id, data.model_dump(), exc.errors, status=422)
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


async def import_preview(request: Request) -> Response:
    form = await read_form(request, max_files=1)
    on_existing = validate_form(form, ImportChoice).on_existing
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
    choice = await parse_form(request, ImportChoice)
    on_existing = choice.on_existing
    try:
        data = base64.b64decode(choice.payload, validate=True)
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


async def _invite_page(request: Request, choice: InviteQuery, errors: dict[str, str], status: int = 200) -> Response:
    flt = ContactFilter.model_validate(choice.as_dict())
    sessions = await invitations.invitable_sessions()
    chosen = next((s for s in sessions if s.id == choice.session), None)
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
    return await _invite_page(request, parse_query(request, InviteQuery), {})


async def invite_send(request: Request) -> Response:
    form = await read_form(request)
    try:
        data = validate_form(form, InviteInput)
    except FieldErrors as exc:
        try:
            shown = validate_form(form, InviteQuery)
        except FieldErrors:
            shown = InviteQuery()
        errors = {**exc.errors, "session": _("Choose a published session.")} if "session" in exc.errors else exc.errors
        return await _invite_page(request, shown, errors, status=422)
    chosen = InviteQuery.model_validate(data.model_dump())
    try:
        sent = await invitations.send_invitations(request.app.state.settings, data.session, data)
    except EventError as exc:
        return await _invite_page(request, chosen, exc.errors, status=422)
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
