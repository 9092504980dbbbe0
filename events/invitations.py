"""Invitations: a segment of the contact directory invited to a published session with personal links.

A personal link carries a random token (only its hash is stored). It prefills the registration form
(prefill_for) and leads to a decline page. Sending twice invites nobody twice: one Invitation per session
and address, and the mail's dedup key is per session and contact. The category "invitations" gives the
mail a one-click unsubscribe, and notifications drops mail to suppressed or opted-out addresses.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from tortoise.exceptions import IntegrityError

from agora.db import transaction
from agora.i18n import gettext as _
from agora.settings import Settings
from events.contacts import ContactFilter, list_contacts
from events.errors import EventError, NotFound
from events.models import (
    INVITATION_DECLINED,
    INVITATION_REGISTERED,
    INVITED,
    PUBLISHED,
    REG_CANCELLED,
    Contact,
    Invitation,
    Registration,
    Session,
)
from notifications import api

KIND = "invitation"
CATEGORY = "invitations"
api.register_kind(KIND, category=CATEGORY)

SESSIONS_PATH = "/termine"
DECLINE_PATH = "/events/invitations"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def registration_url(settings: Settings, session_id: int, token: str) -> str:
    return f"{settings.base_url}{SESSIONS_PATH}/{session_id}?invitation={token}"


def decline_url(settings: Settings, token: str) -> str:
    # A page with a button: mail scanners open links, so the GET changes nothing.
    return f"{settings.base_url}{DECLINE_PATH}/{token}/decline"


def dedup_key(session_id: int, contact_id: int) -> str:
    return f"events.invitation:{session_id}:{contact_id}"


async def published_session(session_id: int) -> Session:
    session = await Session.get_or_none(id=session_id)
    if session is None or session.status != PUBLISHED:
        raise EventError({"session": _("Choose a published session.")})
    if session.starts_at <= datetime.now(UTC):
        raise EventError({"session": _("This session has already started.")})
    return session


async def candidates(session_id: int, flt: ContactFilter) -> list[Contact]:
    """The contacts of the segment who would get an invitation now."""
    contacts = await list_contacts(flt, limit=100_000)
    invited = set(await Invitation.filter(session_id=session_id).values_list("email", flat=True))
    chosen = []
    for contact in contacts:
        if contact.unsubscribed or contact.email in invited:
            continue
        prefs = await api.get_preferences(contact.email)
        if prefs.get(CATEGORY, True):
            chosen.append(contact)
    return chosen


def _context(settings: Settings, session: Session, contact: Contact, token: str) -> dict[str, Any]:
    return {
        "session_id": session.id,
        "session_title": session.full_title,
        "reply_to": session.contact_email,
        "starts_at": session.starts_at.astimezone(UTC).isoformat(),
        "ends_at": session.ends_at.astimezone(UTC).isoformat(),
        "venue_name": session.venue_name,
        "venue_address": session.venue_address,
        "venue_room": session.venue_room,
        "mode": session.mode,
        "company": contact.company,
        "contact_person": contact.contact_person,
        "registration_url": registration_url(settings, session.id, token),
        "decline_url": decline_url(settings, token),
    }


async def send_invitations(settings: Settings, session_id: int, flt: ContactFilter) -> int:
    """Invite the segment to the session. Returns how many invitations were written."""
    session = await published_session(session_id)
    contacts = await candidates(session_id, flt)
    tokens = [secrets.token_urlsafe(24) for _ in contacts]
    async with transaction():
        row_ids = await api.enqueue_many(
            KIND,
            [
                api.Outgoing(
                    to=contact.email,
                    dedup_key=dedup_key(session.id, contact.id),
                    context=_context(settings, session, contact, token),
                )
                for contact, token in zip(contacts, tokens, strict=True)
            ],
        )
        invited_at = datetime.now(UTC)
        # No row: invited by a parallel send, suppressed, or opted out.
        invitations = [
            Invitation(
                session_id=session.id,
                contact_id=contact.id,
                email=contact.email,
                token_hash=_hash(token),
                status=INVITED,
                invited_at=invited_at,
            )
            for contact, token, row_id in zip(contacts, tokens, row_ids, strict=True)
            if row_id is not None
        ]
        try:
            await Invitation.bulk_create(invitations, batch_size=500)
        except IntegrityError:
            # The same address under another contact id was invited meanwhile: none of these mails may go.
            raise EventError({"session": _("Another invitation run for this session is in progress.")}) from None
    return len(invitations)


async def by_token(token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return await Invitation.get_or_none(token_hash=_hash(token))


async def prefill_for(token: str) -> dict | None:
    """Registration form values for a personal link, or None when the token is not genuine."""
    invitation = await by_token(token)
    if invitation is None:
        return None
    contact = await Contact.get_or_none(id=invitation.contact_id) if invitation.contact_id else None
    return {
        "session_id": invitation.session_id,
        "name": contact.contact_person if contact else "",
        "email": invitation.email,
        "organisation": contact.company if contact else "",
    }


async def record_registration(token: str | None, session_id: int, email: str, registration_id: int) -> bool:
    """Inside the registration's transaction (services.registration.register): mark the invitation of
    the session (by token, else by address) as registered."""
    invitation = await by_token(token) if token else None
    if invitation is None or invitation.session_id != session_id:
        invitation = await Invitation.get_or_none(session_id=session_id, email=email.strip().lower())
    if invitation is None:
        return False
    updated = (
        await Invitation.filter(id=invitation.id)
        .exclude(status=INVITATION_REGISTERED)
        .update(status=INVITATION_REGISTERED, registration_id=registration_id, registered_at=datetime.now(UTC))
    )
    return bool(updated)


async def decline(token: str) -> Invitation:
    invitation = await by_token(token)
    if invitation is None:
        raise NotFound({"invitation": _("This invitation link is not valid.")})
    if invitation.status == INVITED:
        await Invitation.filter(id=invitation.id, status=INVITED).update(
            status=INVITATION_DECLINED, declined_at=datetime.now(UTC)
        )
        await invitation.refresh_from_db()
    return invitation


@dataclass(frozen=True)
class InvitationStats:
    session_id: int
    title: str
    starts_at: datetime
    invited: int
    registered: int
    declined: int


async def stats(session_id: int) -> InvitationStats:
    """Counts for one session. Registered also counts invitees who registered without their link."""
    session = await Session.get(id=session_id)
    rows = await Invitation.filter(session_id=session_id)
    emails = set(
        await Registration.filter(session_id=session_id).exclude(status=REG_CANCELLED).values_list("email", flat=True)
    )
    registered = sum(1 for r in rows if r.status == INVITATION_REGISTERED or r.email in emails)
    declined = sum(1 for r in rows if r.status == INVITATION_DECLINED and r.email not in emails)
    return InvitationStats(session.id, session.title, session.starts_at, len(rows), registered, declined)


async def all_stats() -> list[InvitationStats]:
    ids = cast(list[int], await Invitation.all().distinct().values_list("session_id", flat=True))
    result = [await stats(i) for i in sorted(set(ids))]
    return sorted(result, key=lambda s: s.starts_at, reverse=True)


async def invitable_sessions() -> list[Session]:
    return await Session.filter(status=PUBLISHED, starts_at__gt=datetime.now(UTC)).order_by("starts_at")
