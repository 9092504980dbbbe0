"""Every write about staff accounts: creating users, signing in, throttling, passwords, second factor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError

from agora import ratelimit
from agora.accounts import passwords, totp
from agora.accounts.models import ROLES, RecoveryCode, User, WebSession
from agora.accounts.sessions import end_sessions_of
from agora.db import transaction
from agora.forms import normalise_email, valid_email
from agora.i18n import gettext as _

# Failed sign-ins are counted per (account, client address) pair and per client address, never per account alone:
# otherwise anyone could lock a colleague out by typing wrong passwords. Within the window the pair gets a few
# tries and then waits (a slow-down); a whole day's budget stops a persistent guesser (the block).
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_PAIR = 5
MAX_FAILURES_PER_PAIR_PER_DAY = 20
MAX_FAILURES_PER_ADDRESS = 30
MAX_FAILURES_PER_ADDRESS_PER_DAY = 200
FAILURES_PER_PAIR = ratelimit.limit(
    "accounts.signin.pair", MAX_FAILURES_PER_PAIR, THROTTLE_WINDOW, (MAX_FAILURES_PER_PAIR_PER_DAY, timedelta(days=1))
)
FAILURES_PER_ADDRESS = ratelimit.limit(
    "accounts.signin.address",
    MAX_FAILURES_PER_ADDRESS,
    THROTTLE_WINDOW,
    (MAX_FAILURES_PER_ADDRESS_PER_DAY, timedelta(days=1)),
)
# Wrong second-factor codes: only someone who knows the password gets this far, so a per-account ceiling cannot be
# used by strangers to lock anyone out; it stops guessing the code from many addresses at once.
MAX_TOTP_FAILURES_PER_ACCOUNT = 20
TOTP_PER_PAIR = ratelimit.limit("accounts.totp.pair", MAX_FAILURES_PER_PAIR, THROTTLE_WINDOW)
TOTP_PER_ACCOUNT = ratelimit.limit("accounts.totp.account", MAX_TOTP_FAILURES_PER_ACCOUNT, timedelta(hours=1))


class AccountError(Exception):
    """A refusal with a message for the person, keyed by the form field it belongs to."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def _now() -> datetime:
    return datetime.now(UTC)


def validate_email(email: str) -> str | None:
    """The problem with an address, or None: the same rule (email-validator) as every input model's Email."""
    return None if valid_email(email) is not None else _("Please enter a valid email address.")


@dataclass
class LoginResult:
    user: User | None
    retry_after: int | None = None  # seconds, when too many failures came from this address


def _pair(email: str, ip_address: str) -> str:
    return f"{email}\0{ip_address}"


async def _signin_wait(email: str, ip_address: str) -> int | None:
    waits = [
        await ratelimit.retry_after(FAILURES_PER_PAIR, _pair(email, ip_address)),
        await ratelimit.retry_after(FAILURES_PER_ADDRESS, ip_address),
    ]
    return max((w for w in waits if w is not None), default=None)


async def _record_failure(email: str, ip_address: str) -> None:
    await ratelimit.record(FAILURES_PER_PAIR, _pair(email, ip_address))
    await ratelimit.record(FAILURES_PER_ADDRESS, ip_address)


def throttled_message(seconds: int) -> str:
    return _(
        "Too many failed attempts from your connection. For your protection please wait %(minutes)s minutes "
        "before you try again.",
        minutes=ratelimit.minutes(seconds),
    )


async def authenticate(email: str, password: str, ip_address: str) -> LoginResult:
    """Check the password; count failures per (account, address) and per address, so guessing is slowed down
    and then blocked where it comes from while the account stays open to its owner elsewhere."""
    email = normalise_email(email)
    wait = await _signin_wait(email, ip_address)
    if wait is not None:
        return LoginResult(user=None, retry_after=wait)
    user = await User.get_or_none(email=email)
    ok = passwords.verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        await _record_failure(email, ip_address)
        return LoginResult(user=None)
    await ratelimit.forget(FAILURES_PER_PAIR, _pair(email, ip_address))
    updates: dict[str, object] = {"last_login_at": _now()}
    if passwords.needs_rehash(user.password_hash):
        updates["password_hash"] = passwords.hash_password(password)
    await User.filter(id=user.id).update(**updates)
    return LoginResult(user=user)


def _check_roles(roles: list[str]) -> list[str]:
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise AccountError({"roles": _("Unknown role: %(role)s", role=unknown[0])})
    return sorted(set(roles))


async def create_user(email: str, display_name: str, password: str, roles: list[str]) -> User:
    errors: dict[str, str] = {}
    if problem := validate_email(email):
        errors["email"] = problem
    if not display_name.strip():
        errors["display_name"] = _("Please enter a name.")
    if problems := passwords.password_problems(password, email=email, name=display_name):
        errors["password"] = " ".join(problems)
    roles = _check_roles(roles)
    if errors:
        raise AccountError(errors)
    try:
        return await User.create(
            email=normalise_email(email),
            display_name=display_name.strip()[:120],
            password_hash=passwords.hash_password(password),
            roles=roles,
            password_changed_at=_now(),
        )
    except IntegrityError:
        raise AccountError({"email": _("A user with this email address already exists.")}) from None


async def update_user(user_id: int, *, display_name: str, roles: list[str], is_active: bool, acting: User) -> User:
    roles = _check_roles(roles)
    if not display_name.strip():
        raise AccountError({"display_name": _("Please enter a name.")})
    async with transaction():
        user = await User.get(id=user_id)
        if user.id == acting.id and ("admin" not in roles or not is_active):
            raise AccountError({"roles": _("You cannot remove your own administrator role or disable yourself.")})
        if "admin" in user.roles and ("admin" not in roles or not is_active):
            remaining = await User.filter(is_active=True).exclude(id=user.id).all()
            if not any("admin" in (u.roles or []) for u in remaining):
                raise AccountError({"roles": _("At least one active administrator must remain.")})
        user.display_name = display_name.strip()[:120]
        user.roles = roles
        was_active = user.is_active
        user.is_active = is_active
        await user.save()
        if was_active and not is_active:
            await end_sessions_of(user.id)
    return user


async def _check_current_password(user: User, password: str, ip_address: str) -> str | None:
    """Re-checking the password inside a session is throttled like the sign-in itself.

    Otherwise whoever holds a stolen session could guess the password through these forms without limit.
    """
    wait = await _signin_wait(user.email, ip_address)
    if wait is not None:
        return throttled_message(wait)
    if not passwords.verify_password(user.password_hash, password):
        await _record_failure(user.email, ip_address)
        return _("The current password is not correct.")
    return None


async def change_password(
    user: User, current: str, new: str, confirm: str, keep_session_id: int | None, ip_address: str = ""
) -> None:
    errors: dict[str, str] = {}
    if problem := await _check_current_password(user, current, ip_address):
        errors["current_password"] = problem
    if new != confirm:
        errors["confirm_password"] = _("The two new passwords do not match.")
    if problems := passwords.password_problems(new, email=user.email, name=user.display_name):
        errors["new_password"] = " ".join(problems)
    if errors:
        raise AccountError(errors)
    async with transaction():
        await User.filter(id=user.id).update(password_hash=passwords.hash_password(new), password_changed_at=_now())
        # Every other session ends: whoever knew the old password is out.
        await end_sessions_of(user.id, except_session_id=keep_session_id)


async def set_password_by_admin(user_id: int, new: str) -> None:
    user = await User.get(id=user_id)
    if problems := passwords.password_problems(new, email=user.email, name=user.display_name):
        raise AccountError({"password": " ".join(problems)})
    async with transaction():
        await User.filter(id=user.id).update(password_hash=passwords.hash_password(new), password_changed_at=_now())
        await end_sessions_of(user.id)


async def begin_totp(user: User) -> str:
    """A new, unconfirmed secret; the old factor (if any) stays valid until the new one is confirmed."""
    secret = totp.new_secret()
    return secret


async def confirm_totp(user: User, secret: str, code: str) -> list[str]:
    """Switch the new secret on; returns a fresh set of recovery codes, to be shown exactly once."""
    step = totp.matching_step(secret, code, last_step=0)
    if step is None:
        raise AccountError({"code": _("The code is not correct. Check the time on your device and try again.")})
    async with transaction():
        await User.filter(id=user.id).update(totp_secret=secret, totp_confirmed_at=_now(), totp_last_step=step)
        return await new_recovery_codes(user)


async def new_recovery_codes(user: User) -> list[str]:
    """Replace all recovery codes of the user; the old ones stop working at once."""
    codes = [totp.new_recovery_code() for _ in range(totp.RECOVERY_CODE_COUNT)]
    async with transaction():
        await RecoveryCode.filter(user_id=user.id).delete()
        await RecoveryCode.bulk_create(
            [RecoveryCode(user_id=user.id, code_hash=totp.hash_recovery_code(code)) for code in codes]
        )
    return codes


async def use_recovery_code(user: User, code: str) -> bool:
    """One deleting statement: of two requests with the same code only one can win."""
    normalised = totp.normalise_recovery_code(code)
    if normalised is None:
        return False
    return await RecoveryCode.filter(user_id=user.id, code_hash=totp.hash_recovery_code(normalised)).delete() == 1


async def recovery_codes_left(user: User) -> int:
    return await RecoveryCode.filter(user_id=user.id).count()


async def verify_totp(user: User, code: str) -> bool:
    """Check a sign-in code; the step is stored with a conditional update so a code works only once."""
    fresh = await User.get(id=user.id)
    if not fresh.totp_secret:
        return False
    step = totp.matching_step(fresh.totp_secret, code, last_step=fresh.totp_last_step)
    if step is None:
        return False
    updated = await User.filter(id=user.id, totp_last_step__lt=step).update(totp_last_step=step)
    return updated == 1


async def disable_totp(user: User, password: str, ip_address: str = "") -> None:
    if user.has_role("admin"):
        raise AccountError({"password": _("Administrators must keep a second factor.")})
    if problem := await _check_current_password(user, password, ip_address):
        raise AccountError({"password": problem})
    async with transaction():
        await User.filter(id=user.id).update(totp_secret=None, totp_confirmed_at=None, totp_last_step=0)
        await RecoveryCode.filter(user_id=user.id).delete()


async def sessions_of(user: User) -> list[WebSession]:
    return await WebSession.filter(user_id=user.id).order_by("-last_seen_at")


async def end_session(user: User, session_id: int) -> bool:
    return await WebSession.filter(user_id=user.id, id=session_id).delete() > 0


async def ensure_admin(email: str, display_name: str, password: str) -> tuple[User, bool]:
    """Create the admin if missing (for `agora createadmin` and the demo). Returns (user, created)."""
    existing = await User.get_or_none(email=normalise_email(email))
    if existing:
        return existing, False
    return await create_user(email, display_name, password, ["admin"]), True


async def totp_wait(user: User, ip_address: str) -> int | None:
    """Seconds to wait after too many wrong second-factor codes (from this address, or for this account), else None."""
    waits = [
        await ratelimit.retry_after(TOTP_PER_PAIR, _pair(user.email, ip_address)),
        await ratelimit.retry_after(TOTP_PER_ACCOUNT, user.email),
    ]
    return max((w for w in waits if w is not None), default=None)


async def record_totp_failure(user: User, ip_address: str) -> None:
    await ratelimit.record(TOTP_PER_PAIR, _pair(user.email, ip_address))
    await ratelimit.record(TOTP_PER_ACCOUNT, user.email)
