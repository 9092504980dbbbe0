"""Every write about participants: sign-in links, double opt-in, profile, personal data and deletion."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError

from agora import ratelimit
from agora.accounts.participants import tokens
from agora.accounts.participants.models import ConsentRecord, Participant, SigninToken
from agora.accounts.services import validate_email
from agora.db import transaction
from agora.forms import normalise_email
from agora.i18n import gettext as _
from agora.i18n import lazy_gettext
from agora.security import is_same_site_url
from agora.settings import Settings
from notifications import api

SIGNIN_KIND = "participant_signin"
api.register_kind(SIGNIN_KIND)

LINK_LIFETIME = timedelta(minutes=30)
THROTTLE_WINDOW = timedelta(hours=1)
# Link requests are counted per (email address, client address) pair and per client address, so a stranger cannot
# keep someone from signing in; the higher ceiling per email address only brakes mail floods from many addresses.
MAX_REQUESTS_PER_PAIR = 5
MAX_REQUESTS_PER_ADDRESS = 15
MAX_REQUESTS_PER_IP = 30
REQUESTS_PER_PAIR = ratelimit.limit("participants.signin.pair", MAX_REQUESTS_PER_PAIR, THROTTLE_WINDOW)
REQUESTS_PER_ADDRESS = ratelimit.limit("participants.signin.email", MAX_REQUESTS_PER_ADDRESS, THROTTLE_WINDOW)
REQUESTS_PER_IP = ratelimit.limit("participants.signin.ip", MAX_REQUESTS_PER_IP, THROTTLE_WINDOW)
# Link metadata stays visible under "my data" for a while, then the retention job removes it.
TOKEN_RETENTION = timedelta(days=30)

CONSENT_PURPOSE = "participant_account"
CONSENT_VERSION = "2026-11-01"
CONSENT_TEXT = lazy_gettext(
    "I agree that the town stores my email address, my name and the details I enter in my profile "
    "in order to let me take part in consultations and dialogue sessions and to send me the messages "
    "I ask for. "
    "I can see all data about me and delete my account at any time under “My data”."
)

# Domains that hold personal data about participants register here (from the composition root):
# a provider returns {section title: records}; a hook anonymises or deletes the participant's records.
PersonalDataProvider = Callable[[int, str], Awaitable[dict[str, Any]]]
DeletionHook = Callable[[int, str], Awaitable[None]]
PERSONAL_DATA_PROVIDERS: list[PersonalDataProvider] = []
DELETION_HOOKS: list[DeletionHook] = []
# A hook runs inside the transaction that confirms an address (participant id, address): a domain that kept
# something waiting for this proof (a contribution written before signing in) takes it over then.
SIGNIN_HOOKS: list[DeletionHook] = []


class ParticipantError(Exception):
    """A refusal with a message for the person, keyed by the form field it belongs to."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class Throttled(Exception):
    """Too many sign-in links were asked for, for this address or from this IP address."""


class LinkError(Exception):
    """The sign-in link cannot be used. reason: invalid, used or expired."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _now() -> datetime:
    return datetime.now(UTC)


def safe_next(value: str | None) -> str:
    return value if value and is_same_site_url(value) and not value.startswith("/signin") else ""


async def request_signin(
    settings: Settings, email: str, *, ip_address: str, language: str, consent: bool, next_url: str = ""
) -> None:
    """Mail a sign-in link. Known and unknown addresses are treated alike, so the answer reveals nothing."""
    if problem := validate_email(email):
        raise ParticipantError({"email": problem})
    email = normalise_email(email)
    counted = (
        (REQUESTS_PER_PAIR, f"{email}\0{ip_address}"),
        (REQUESTS_PER_ADDRESS, email),
        (REQUESTS_PER_IP, ip_address),
    )
    for rule, key in counted:
        if await ratelimit.retry_after(rule, key) is not None:
            raise Throttled()
    token, token_hash = tokens.new_token(settings.secret_key)
    moment = _now()
    async with transaction():
        for rule, key in counted:
            await ratelimit.record(rule, key)
        await SigninToken.create(
            token_hash=token_hash,
            email=email,
            language=language,
            next_url=safe_next(next_url),
            consent_version=CONSENT_VERSION if consent else None,
            consent_text=str(CONSENT_TEXT) if consent else "",
            created_at=moment,
            expires_at=moment + LINK_LIFETIME,
        )
        await api.enqueue(
            SIGNIN_KIND,
            to=email,
            locale=language,
            context={
                "link": f"{settings.base_url}/signin/link/{token}",
                "valid_minutes": int(LINK_LIFETIME.total_seconds() // 60),
            },
            dedup_key=None,
        )


@dataclass
class LinkView:
    """What the confirmation page (GET, changes nothing) may show about a link."""

    email: str
    is_new: bool
    consent_given: bool


async def _usable_token(settings: Settings, token: str) -> SigninToken:
    token_hash = tokens.verified_hash(settings.secret_key, token)
    if token_hash is None:
        raise LinkError("invalid")
    row = await SigninToken.get_or_none(token_hash=token_hash)
    if row is None:
        raise LinkError("invalid")
    if row.used_at is not None:
        raise LinkError("used")
    if row.expires_at <= _now():
        raise LinkError("expired")
    return row


async def inspect_link(settings: Settings, token: str) -> LinkView:
    row = await _usable_token(settings, token)
    existing = await Participant.exists(email=row.email)
    return LinkView(email=row.email, is_new=not existing, consent_given=row.consent_version is not None)


@dataclass
class SigninResult:
    participant_id: int
    next_url: str
    created: bool


async def confirm_signin(settings: Settings, token: str, *, consent: bool) -> SigninResult:
    """Consume the link with one conditional update, create the participant if new, record the opt-in."""
    row = await _usable_token(settings, token)
    try:
        return await _confirm(row, consent=consent)
    except IntegrityError:
        # Two links for the same new address confirmed at once: the other one created the participant.
        return await _confirm(row, consent=consent)


async def _confirm(row: SigninToken, *, consent: bool) -> SigninResult:
    existing = await Participant.get_or_none(email=row.email)
    if existing is None and row.consent_version is None and not consent:
        raise ParticipantError({"consent": _("Please agree to the storage of your data to create your account.")})
    moment = _now()
    async with transaction():
        unused = SigninToken.filter(id=row.id, used_at=None, expires_at__gt=moment)
        consumed = await unused.update(used_at=moment)
        if consumed != 1:
            raise LinkError("used")
        participant = existing
        if participant is None:
            participant = await Participant.create(
                email=row.email, language=row.language, created_at=moment, confirmed_at=moment
            )
        version = row.consent_version or (CONSENT_VERSION if consent else None)
        if version and not await ConsentRecord.exists(participant_id=participant.id, consent_version=version):
            await ConsentRecord.create(
                participant=participant,
                purpose=CONSENT_PURPOSE,
                consent_version=version,
                consent_text=row.consent_text or str(CONSENT_TEXT),
                requested_at=row.created_at,
                confirmed_at=moment,
            )
        # Older links for the same address are void once one has been used.
        await SigninToken.filter(email=row.email, used_at=None).update(used_at=moment)
        for hook in SIGNIN_HOOKS:
            await hook(participant.id, row.email)
    return SigninResult(participant_id=participant.id, next_url=row.next_url, created=existing is None)


async def get_participant(participant_id: int | None) -> Participant | None:
    if participant_id is None:
        return None
    return await Participant.get_or_none(id=participant_id)


async def preferences_of(participant: Participant) -> dict[str, bool]:
    return await api.get_preferences(participant.email)


async def update_profile(
    participant_id: int,
    *,
    display_name: str,
    organisation: str,
    language: str,
    languages: tuple[str, ...],
    preferences: dict[str, bool],
) -> Participant:
    errors: dict[str, str] = {}
    display_name = display_name.strip()
    if not display_name:
        errors["display_name"] = _("Please enter a name.")
    elif len(display_name) > 120:
        errors["display_name"] = _("Please use at most %(max)s characters.", max=120)
    if len(organisation.strip()) > 200:
        errors["organisation"] = _("Please use at most %(max)s characters.", max=200)
    if language not in languages:
        errors["language"] = _("Please choose one of the offered languages.")
    if errors:
        raise ParticipantError(errors)
    async with transaction():
        participant = await Participant.get(id=participant_id)
        participant.display_name = display_name
        participant.organisation = organisation.strip()
        participant.language = language
        await participant.save(update_fields=["display_name", "organisation", "language", "updated_at"])
        current = await api.get_preferences(participant.email)
        # Only categories the outbox knows are stored, whatever the form claims.
        await api.set_preferences(participant.email, {k: bool(preferences.get(k)) for k in current})
    return participant


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def personal_data(participant_id: int) -> dict[str, Any]:
    """Every record about the participant, as plain data (the "my data" page and its JSON download)."""
    participant = await Participant.get(id=participant_id)
    email = participant.email
    consents = await ConsentRecord.filter(participant_id=participant_id).order_by("confirmed_at")
    links = await SigninToken.filter(email=email).order_by("-created_at")
    contributions: dict[str, Any] = {}
    for provider in PERSONAL_DATA_PROVIDERS:
        contributions.update(await provider(participant_id, email))
    return {
        "profile": {
            "email": email,
            "display_name": participant.display_name,
            "organisation": participant.organisation,
            "language": participant.language,
            "created_at": _iso(participant.created_at),
            "confirmed_at": _iso(participant.confirmed_at),
        },
        "consents": [
            {
                "purpose": c.purpose,
                "version": c.consent_version,
                "text": c.consent_text,
                "requested_at": _iso(c.requested_at),
                "confirmed_at": _iso(c.confirmed_at),
            }
            for c in consents
        ],
        "signin_links": [
            {"requested_at": _iso(t.created_at), "expires_at": _iso(t.expires_at), "used_at": _iso(t.used_at)}
            for t in links
        ],
        "mail_preferences": await api.get_preferences(email),
        "mails": [_without_link(mail) for mail in await api.records_for(email)],
        "contributions": contributions,
    }


def _without_link(mail: dict[str, Any]) -> dict[str, Any]:
    # A sign-in link in an export could sign in whoever gets hold of the file while it is still valid.
    if mail.get("kind") == SIGNIN_KIND and isinstance(mail.get("context"), dict):
        return {**mail, "context": {k: v for k, v in mail["context"].items() if k != "link"}}
    return mail


async def delete_account(settings: Settings, participant_id: int) -> None:
    """Delete the participant and everything that names them; their domains anonymise public contributions."""
    async with transaction():
        participant = await Participant.get_or_none(id=participant_id)
        if participant is None:
            return
        email = participant.email
        for hook in DELETION_HOOKS:
            await hook(participant_id, email)
        await api.forget_recipient(email)
        await SigninToken.filter(email=email).delete()
        await ratelimit.forget(REQUESTS_PER_ADDRESS, email)
        await ConsentRecord.filter(participant_id=participant_id).delete()
        await participant.delete()


async def purge(settings: Settings) -> int:
    """Retention: link metadata (with the address it was sent to) TOKEN_RETENTION after the link expired."""
    return await SigninToken.filter(expires_at__lt=_now() - TOKEN_RETENTION).delete()
