"""Registering, confirming, cancelling and the waitlist: every status change of a registration.

Each status change is a compare-and-set (UPDATE ... WHERE id = ? AND status = <the old status>), so two
concurrent requests can never both release the same seats; seats move only through events.services.capacity.
A registration and its seat change, its promotions and its outbox rows commit in one transaction.

Seats are held by pending_confirmation (until hold_expires_at, then expire_holds releases them),
pending_approval (so that approving never overbooks), confirmed and attended.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q

from agora.db import transaction
from agora.i18n import gettext as _
from agora.settings import Settings
from events import invitations
from events.errors import DuplicateRegistration, EventError, NotFound, RegistrationClosed
from events.models import (
    CONFIRMED,
    PENDING_APPROVAL,
    PENDING_CONFIRMATION,
    PUBLISHED,
    REG_CANCELLED,
    SEATED,
    WAITLISTED,
    Registration,
    Session,
    attendances,
)
from events.services import capacity, common
from notifications import api

HOLD_PERIOD = timedelta(hours=24)
# What depends on whether a new registration got its seats.
_SEAT_FIELDS = ("status", "hold_expires_at", "confirmed_at", "waitlisted_at")
ACTIVE = (*SEATED, WAITLISTED)


def _check_open(session: Session, now: datetime) -> None:
    if session.status != PUBLISHED:
        raise RegistrationClosed({"session": _("This session does not take registrations.")})
    if session.registration_opens_at and now < session.registration_opens_at:
        raise RegistrationClosed({"session": _("Registration for this session has not opened yet.")})
    closes = session.registration_closes_at or session.starts_at
    if now >= closes:
        raise RegistrationClosed({"session": _("Registration for this session is closed.")})


async def _session(session_id: int) -> Session:
    session = await Session.get_or_none(id=session_id)
    if session is None:
        raise NotFound({"session": _("This session does not exist.")})
    return session


def _seated_status(session: Session, email_confirmed: bool) -> str:
    if not email_confirmed:
        return PENDING_CONFIRMATION
    return PENDING_APPROVAL if session.requires_approval else CONFIRMED


async def _set_status(registration: Registration, old: str, new: str, **changes: Any) -> bool:
    """Compare-and-set; on success the object reflects the new row.

    Gaining or losing the seat changes the person's calendar entry on its own (a CANCEL, or a REQUEST after one):
    the registration's own SEQUENCE share goes up, so the newer file always outranks the one before it."""
    flips = (old in SEATED) != (new in SEATED)
    counter = {"ics_own_sequence": F("ics_own_sequence") + 1} if flips else {}
    updated = await Registration.filter(id=registration.id, status=old).update(status=new, **changes, **counter)
    if updated != 1:
        return False
    registration.status = new
    for key, value in changes.items():
        setattr(registration, key, value)
    if flips:
        registration.ics_own_sequence += 1
    return True


async def register(
    settings: Settings,
    session_id: int,
    *,
    name: str,
    email: str,
    organisation: str = "",
    role: str = "",
    answers: dict[str, Any] | None = None,
    colleagues: list[dict[str, str]] | None = None,
    track_id: int | None = None,
    attendance: str = "",
    consent: bool = False,
    consent_version: str = "",
    consent_text: str = "",
    language: str = "de",
    by_staff: bool = False,
    invitation: str = "",
    now: datetime | None = None,
    loaded: Session | None = None,
) -> Registration:
    """Register for a session: a seat is held (double opt-in), or the person joins the waitlist.

    The person's details arrive clean (events.forms.RegistrationInput, checked against the session's questions,
    tracks and number of colleagues); this decides only what the session's state allows.

    attendance: in_person or online; only a hybrid session lets the person choose (empty: the session's only way).

    invitation: the token of a personal invitation link, if the person came through one. The invitation of
    this session (by that token, else by address) is marked as registered in the same transaction.

    by_staff: someone added by hand, outside the registration window, without opt-in (confirmed at once,
    or pending approval), still within capacity (full sessions put them on the waitlist).

    loaded: the session as the caller has just read it, so that it is not read again.
    """
    now = now or common.now_utc()
    session = loaded if loaded is not None and loaded.id == session_id else await _session(session_id)
    if not by_staff:
        _check_open(session, now)
    if not by_staff and not (consent and consent_version):
        raise EventError({"consent": _("Please agree to the processing of your data to register.")})
    party = colleagues or []
    track = track_id
    offered = attendances(session.mode)
    attendance = attendance or offered[0]
    if attendance not in offered:
        raise EventError({"attendance": _("Please choose how you take part.")})
    # Looked up only when the address turns out to be registered already (the unique index says so): a new
    # address, the common case, costs no read for it.
    existing: Registration | None = None
    # Asked here rather than inside the transaction, which may hold the session's seat lock by then. Every
    # mail of a registration is transactional, so one answer serves whichever of them is written.
    mail_ok = await api.accepts(common.CONFIRM_REQUEST, email)

    seats = 1 + len(party)
    fields: dict[str, Any] = {
        "name": name,
        "email": email,
        "organisation": organisation,
        "role": role,
        "answers": answers or {},
        "colleagues": party,
        "seats": seats,
        "track_id": track,
        "attendance": attendance,
        "language": language,
        "consent_version": consent_version if not by_staff else consent_version or "staff",
        "consent_text": consent_text,
        "email_confirmed_at": now if by_staff else None,
        "confirmed_at": None,
        "cancelled_at": None,
        "hold_expires_at": None,
        "waitlisted_at": None,
    }
    seated = _seated_status(session, email_confirmed=by_staff)

    def values_for(status: str) -> dict[str, Any]:
        # A fresh copy each time: a retried attempt may end on the waitlist after the first one held a seat.
        values = dict(fields, status=status)
        if status == PENDING_CONFIRMATION:
            values["hold_expires_at"] = now + HOLD_PERIOD
        elif status == CONFIRMED:
            values["confirmed_at"] = now
        elif status == WAITLISTED:
            values["waitlisted_at"] = now
        return values

    async def create(status: str) -> Registration:
        uid = common.new_ics_uid()
        return await Registration.create(
            session_id=session.id,
            ics_uid=uid,
            manage_token_hash=common.token_hash(common.manage_token(settings, uid)),
            checkin_code=common.new_checkin_code(),
            created_at=now,
            **values_for(status),
        )

    async def finish(registration: Registration) -> Registration:
        await _announce(settings, registration, session, checked=mail_ok)
        return registration

    async def seat_last() -> Registration:
        """The session looked free: everything is written first and the seat is claimed last, so that the
        session row stays locked only for the mail's row and the commit; all seat claims queue on that lock."""
        async with transaction():
            registration = await create(seated)
            await invitations.record_registration(invitation or None, session.id, registration.email, registration.id)
            if not await capacity.claim(session.id, track, seats, attendance):
                # Taken meanwhile: the row becomes what it would have been written as (no seat ever held,
                # so its calendar sequence stays as it is).
                changes = {key: value for key, value in values_for(WAITLISTED).items() if key in _SEAT_FIELDS}
                await Registration.filter(id=registration.id).update(**changes)
                for key, value in changes.items():
                    setattr(registration, key, value)
            return await finish(registration)

    async def seat_first() -> Registration:
        """The session looked full (a failed claim locks nothing), or an earlier registration comes back."""
        async with transaction():
            status = seated if await capacity.claim(session.id, track, seats, attendance) else WAITLISTED
            if existing is not None:
                # Coming back after cancelling: the same row, so the calendar UID stays the same.
                changes = values_for(status)
                del changes["status"]
                if not await _set_status(existing, REG_CANCELLED, status, **changes):
                    raise duplicate
                registration = existing
            else:
                registration = await create(status)
            await invitations.record_registration(invitation or None, session.id, registration.email, registration.id)
            return await finish(registration)

    duplicate = DuplicateRegistration({"email": _("This email address is already registered for this session.")})
    looks_free = session.places_left(attendance) >= seats
    try:
        return await capacity.retrying(seat_last if looks_free else seat_first)
    except IntegrityError:
        existing = await Registration.get_or_none(session_id=session.id, email=email)
    if existing is None or existing.status != REG_CANCELLED:
        raise duplicate
    try:
        return await capacity.retrying(seat_first)
    except IntegrityError:
        raise duplicate from None


async def _announce(
    settings: Settings, registration: Registration, session: Session, *, checked: bool | None = None
) -> None:
    """checked: None when nobody asked whether the address takes mail yet; False when it does not."""
    if checked is False:
        return
    ask = checked is None
    if registration.status == PENDING_CONFIRMATION:
        await common.notify(settings, common.CONFIRM_REQUEST, registration, session, checked=not ask)
    elif registration.status == WAITLISTED:
        await common.notify(
            settings,
            common.WAITLISTED_KIND,
            registration,
            session,
            extra={"email_confirmed": registration.email_confirmed_at is not None},
            checked=not ask,
        )
    elif registration.status == CONFIRMED:
        await common.notify(settings, common.CONFIRMED_KIND, registration, session, with_calendar=True, checked=not ask)


async def by_token(settings: Settings, token: str) -> Registration:
    """The registration behind a manage link (tokens are derived, see common.manage_token)."""
    registration = None
    if token and len(token) <= 100:
        registration = await Registration.get_or_none(manage_token_hash=common.token_hash(token), anonymised_at=None)
    if registration is None:
        raise NotFound({"token": _("This link is not valid.")})
    return registration


async def confirm_registration(settings: Settings, token: str, *, now: datetime | None = None) -> Registration:
    """The double opt-in step (POST from the page behind the mailed link). Idempotent."""
    now = now or common.now_utc()
    registration = await by_token(settings, token)
    session = await _session(registration.session_id)

    async def attempt() -> Registration:
        reg = await Registration.get(id=registration.id)
        async with transaction():
            if reg.status == PENDING_CONFIRMATION:
                status = _seated_status(session, email_confirmed=True)
                if await _set_status(
                    reg,
                    PENDING_CONFIRMATION,
                    status,
                    email_confirmed_at=now,
                    hold_expires_at=None,
                    confirmed_at=now if status == CONFIRMED else None,
                ):
                    await _announce(settings, reg, session)
            elif reg.status == WAITLISTED and reg.email_confirmed_at is None:
                await Registration.filter(id=reg.id).update(email_confirmed_at=now)
                reg.email_confirmed_at = now
            elif reg.status == REG_CANCELLED and reg.email_confirmed_at is None:
                # The hold expired before the link was used: take a seat if one is free, else the waitlist.
                _check_open(session, now)
                if await capacity.claim(session.id, reg.track_id, reg.seats, reg.attendance):
                    status = _seated_status(session, email_confirmed=True)
                    changes: dict[str, Any] = {"confirmed_at": now if status == CONFIRMED else None}
                else:
                    status, changes = WAITLISTED, {"waitlisted_at": now}
                if await _set_status(
                    reg,
                    REG_CANCELLED,
                    status,
                    email_confirmed_at=now,
                    cancelled_at=None,
                    hold_expires_at=None,
                    **changes,
                ):
                    await _announce(settings, reg, session)
                elif status != WAITLISTED:
                    await capacity.release(session.id, reg.track_id, reg.seats, reg.attendance)
            return reg

    return await capacity.retrying(attempt)


async def promote_waitlist(settings: Settings, session_id: int, *, now: datetime | None = None) -> list[int]:
    """Give free seats to the waitlist in order, skipping parties that do not fit (inside a transaction)."""
    now = now or common.now_utc()
    session = await Session.get(id=session_id)
    if session.status != PUBLISHED or now >= session.starts_at:
        return []
    promoted: list[int] = []
    waiting = await Registration.filter(session_id=session_id, status=WAITLISTED).order_by("waitlisted_at", "id")
    full: set[str] = set()
    for reg in waiting:
        # Each way of taking part has its own waitlist: a full room does not hold up the online places.
        if reg.attendance in full:
            continue
        pool = await Session.get(id=session_id)
        if pool.places_left(reg.attendance) <= 0:
            full.add(reg.attendance)
            continue
        if not await capacity.claim(session_id, reg.track_id, reg.seats, reg.attendance):
            continue
        confirmed = reg.email_confirmed_at is not None
        status = _seated_status(session, email_confirmed=confirmed)
        changes: dict[str, Any] = {
            "hold_expires_at": None if confirmed else now + HOLD_PERIOD,
            "confirmed_at": now if status == CONFIRMED else None,
        }
        if not await _set_status(reg, WAITLISTED, status, **changes):
            # Someone else moved this person meanwhile: give the seats back.
            await capacity.release(session_id, reg.track_id, reg.seats, reg.attendance)
            continue
        promoted.append(reg.id)
        await common.notify(settings, common.PROMOTED_KIND, reg, session, with_calendar=status == CONFIRMED)
    return promoted


async def _leave(
    settings: Settings, registration_id: int, *, to: str, allowed: tuple[str, ...], reason: str, now: datetime
) -> Registration:
    async def attempt() -> Registration:
        reg = await Registration.get_or_none(id=registration_id)
        if reg is None:
            raise NotFound({"registration": _("This registration does not exist.")})
        if reg.status not in allowed:
            if reg.status == to:
                return reg
            raise EventError({"status": _("This registration cannot be changed any more.")})
        session = await _session(reg.session_id)
        old = reg.status
        async with transaction():
            if not await _set_status(reg, old, to, cancelled_at=now, hold_expires_at=None):
                raise EventError({"status": _("This registration was changed meanwhile. Please try again.")})
            if old in SEATED:
                await capacity.release(session.id, reg.track_id, reg.seats, reg.attendance)
            await common.notify(
                settings,
                common.CANCELLED_KIND,
                reg,
                session,
                with_calendar=old in SEATED,
                extra={"reason": reason},
            )
            if old in SEATED:
                await promote_waitlist(settings, session.id, now=now)
        return reg

    return await capacity.retrying(attempt)


async def cancel_registration(
    settings: Settings, registration_id: int, *, by_staff: bool = False, now: datetime | None = None
) -> Registration:
    """Cancel (the person until the cancel deadline, staff at any time); a freed seat goes to the waitlist."""
    now = now or common.now_utc()
    if not by_staff:
        reg = await Registration.get_or_none(id=registration_id)
        if reg is not None:
            session = await _session(reg.session_id)
            deadline = session.cancel_deadline or session.starts_at
            if now >= deadline and reg.status in SEATED:
                raise EventError({"status": _("The deadline for cancelling has passed. Please contact the organiser.")})
    return await _leave(
        settings,
        registration_id,
        to=REG_CANCELLED,
        allowed=ACTIVE,
        reason="staff" if by_staff else "participant",
        now=now,
    )


async def cancel_by_token(settings: Settings, token: str, *, now: datetime | None = None) -> Registration:
    registration = await by_token(settings, token)
    return await cancel_registration(settings, registration.id, now=now)


async def expire_holds(settings: Settings, now: datetime | None = None) -> int:
    """The scheduler job: unconfirmed holds past hold_expires_at give their seats back to the waitlist."""
    now = now or common.now_utc()
    due = cast(
        list[int],
        await Registration.filter(status=PENDING_CONFIRMATION, hold_expires_at__lte=now).values_list("id", flat=True),
    )
    expired = 0
    for registration_id in due:

        async def attempt(registration_id: int = registration_id) -> bool:
            reg = await Registration.get(id=registration_id)
            async with transaction():
                if not await _set_status(
                    reg, PENDING_CONFIRMATION, REG_CANCELLED, cancelled_at=now, hold_expires_at=None
                ):
                    return False
                await capacity.release(reg.session_id, reg.track_id, reg.seats, reg.attendance)
                await promote_waitlist(settings, reg.session_id, now=now)
            return True

        if await capacity.retrying(attempt):
            expired += 1
    return expired


async def update_details(
    settings: Settings, token: str, *, name: str, organisation: str, role: str, answers: dict[str, Any]
) -> Registration:
    """The manage page's edit (events.forms.DetailsInput): name, organisation, role and answers (the address
    and party size stay)."""
    reg = await by_token(settings, token)
    if reg.status not in ACTIVE:
        raise EventError({"status": _("This registration cannot be changed any more.")})
    async with transaction():
        await Registration.filter(id=reg.id).update(name=name, organisation=organisation, role=role, answers=answers)
    return await Registration.get(id=reg.id)


async def waitlist_position(registration: Registration) -> int | None:
    """1-based place on the waitlist, for the manage page."""
    if registration.status != WAITLISTED or registration.waitlisted_at is None:
        return None
    moment = registration.waitlisted_at
    ahead = Q(waitlisted_at__lt=moment) | Q(waitlisted_at=moment, id__lt=registration.id)
    waiting = Registration.filter(
        ahead, session_id=registration.session_id, attendance=registration.attendance, status=WAITLISTED
    )
    return await waiting.count() + 1
