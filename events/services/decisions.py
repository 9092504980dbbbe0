"""Staff decisions on registrations: approve, decline, and moving people between waitlist and seats.

The same compare-and-set status changes and conditional seat updates as in events.services.registration.
"""

from __future__ import annotations

from datetime import datetime

from agora.db import transaction
from agora.i18n import gettext as _
from agora.settings import Settings
from events.errors import EventError, NotFound
from events.models import (
    CONFIRMED,
    DECLINED,
    PENDING_APPROVAL,
    PENDING_CONFIRMATION,
    WAITLISTED,
    Registration,
)
from events.services import capacity, common
from events.services.registration import _leave, _session, _set_status


async def decline(settings: Settings, registration_id: int, *, now: datetime | None = None) -> Registration:
    """Staff refuse a registration (pending approval, or waitlisted); a held seat goes to the waitlist."""
    return await _leave(
        settings,
        registration_id,
        to=DECLINED,
        allowed=(PENDING_APPROVAL, WAITLISTED, CONFIRMED, PENDING_CONFIRMATION),
        reason="declined",
        now=now or common.now_utc(),
    )


async def approve(settings: Settings, registration_id: int, *, now: datetime | None = None) -> Registration:
    now = now or common.now_utc()
    reg = await Registration.get_or_none(id=registration_id)
    if reg is None:
        raise NotFound({"registration": _("This registration does not exist.")})
    if reg.status == CONFIRMED:
        return reg
    if reg.status != PENDING_APPROVAL:
        raise EventError({"status": _("Only registrations waiting for approval can be approved.")})
    session = await _session(reg.session_id)
    async with transaction():
        if await _set_status(reg, PENDING_APPROVAL, CONFIRMED, confirmed_at=now):
            await common.notify(settings, common.CONFIRMED_KIND, reg, session, with_calendar=True)
    return reg


async def move_to_confirmed(settings: Settings, registration_id: int, *, now: datetime | None = None) -> Registration:
    """Staff move someone from the waitlist (or a pending state) to confirmed, if the seats are there."""
    now = now or common.now_utc()

    async def attempt() -> Registration:
        reg = await Registration.get_or_none(id=registration_id)
        if reg is None:
            raise NotFound({"registration": _("This registration does not exist.")})
        if reg.status == CONFIRMED:
            return reg
        if reg.status not in (WAITLISTED, PENDING_CONFIRMATION, PENDING_APPROVAL):
            raise EventError({"status": _("This registration cannot be confirmed.")})
        session = await _session(reg.session_id)
        old = reg.status
        async with transaction():
            if old == WAITLISTED and not await capacity.claim(session.id, reg.track_id, reg.seats, reg.attendance):
                raise EventError({"capacity": _("There are not enough free seats. Raise the capacity first.")})
            if not await _set_status(
                reg,
                old,
                CONFIRMED,
                confirmed_at=now,
                hold_expires_at=None,
                email_confirmed_at=reg.email_confirmed_at or now,
            ):
                raise EventError({"status": _("This registration was changed meanwhile. Please try again.")})
            await common.notify(settings, common.CONFIRMED_KIND, reg, session, with_calendar=True)
        return reg

    return await capacity.retrying(attempt)


async def move_to_waitlist(settings: Settings, registration_id: int, *, now: datetime | None = None) -> Registration:
    """Staff put a seated registration back on the waitlist, at its end. The freed seats are not given
    away automatically: staff moved this person to make room for someone they choose."""
    now = now or common.now_utc()

    async def attempt() -> Registration:
        reg = await Registration.get_or_none(id=registration_id)
        if reg is None:
            raise NotFound({"registration": _("This registration does not exist.")})
        if reg.status not in (CONFIRMED, PENDING_APPROVAL, PENDING_CONFIRMATION):
            raise EventError({"status": _("Only registrations with a seat can be moved to the waitlist.")})
        session = await _session(reg.session_id)
        old = reg.status
        async with transaction():
            if not await _set_status(reg, old, WAITLISTED, waitlisted_at=now, hold_expires_at=None, confirmed_at=None):
                raise EventError({"status": _("This registration was changed meanwhile. Please try again.")})
            await capacity.release(session.id, reg.track_id, reg.seats, reg.attendance)
            await common.notify(
                settings,
                common.WAITLISTED_KIND,
                reg,
                session,
                with_calendar=True,
                extra={"email_confirmed": reg.email_confirmed_at is not None},
            )
        return reg

    return await capacity.retrying(attempt)
