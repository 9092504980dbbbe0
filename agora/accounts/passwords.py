"""Password hashing (argon2id) and the password rules after OWASP ASVS 5.0 level 2.

At least 12 characters, up to 128 (long passphrases welcome), no composition rules, and the most
common passwords refused (zxcvbn's list of 30,000, plus words about this service).
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from agora.i18n import gettext as _

MIN_LENGTH = 12
MAX_LENGTH = 128

_hasher = PasswordHasher()
# Verifying against this keeps the time of a login for an unknown account close to a real one.
_DUMMY_HASH = _hasher.hash("agora-dummy-password-for-timing")

CONTEXT_WORDS = ("agora", "wirtschaft", "verwaltung", "beteiligung", "passwort", "password", "kennwort")


@cache
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"])


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """Return the reasons a password is refused, in the reader's language; empty means acceptable."""
    problems = []
    length = len(password)
    if length < MIN_LENGTH:
        problems.append(_("The password must be at least %(min)d characters long.", min=MIN_LENGTH))
    if length > MAX_LENGTH:
        problems.append(_("The password must be at most %(max)d characters long.", max=MAX_LENGTH))
    lowered = password.lower().strip()
    if lowered and (_is_common(lowered) or _is_repetitive(lowered) or _is_sequence(lowered)):
        problems.append(_("This password is among the most commonly used ones. Please choose another."))
    else:
        personal = [w for w in (email.split("@")[0].lower(), name.lower()) if len(w) >= 4]
        stripped = lowered
        for word in (*CONTEXT_WORDS, *personal):
            stripped = stripped.replace(word, "")
        if len(set(stripped)) < 4 and length >= MIN_LENGTH:
            problems.append(_("The password is too easy to guess from your name or this service."))
    return problems


def _is_common(value: str) -> bool:
    """A listed password, also with digits or punctuation stuck on ("sunshine2024!" is as weak as "sunshine")."""
    common = _common_passwords()
    core = value.strip("0123456789!?.,;:-_#*+@$%&/() ")
    return value in common or (len(core) >= 6 and core in common)


def _is_repetitive(value: str) -> bool:
    return len(set(value)) <= 2


_ROWS = (
    "1234567890" * 3,
    "qwertyuiopasdfghjklzxcvbnm",
    "qwertzuiopasdfghjklyxcvbnm",
    "abcdefghijklmnopqrstuvwxyz",
)


def _is_sequence(value: str) -> bool:
    """Runs along the alphabet, the digits or a keyboard row, either way ("123456789012", "qwertzuiopas")."""
    compact = value.replace(" ", "")
    return any(compact in row or compact in row[::-1] for row in _ROWS)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        try:
            _hasher.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
