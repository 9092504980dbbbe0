"""Time-based one-time passwords (RFC 6238) for any authenticator app, with replay protection."""

from __future__ import annotations

import hashlib
import secrets
import time

import pyotp
import segno

ISSUER = "Agora"
VALID_WINDOW = 1  # accept the previous and next 30-second step for clock drift
RECOVERY_CODE_COUNT = 10
# 16 characters of base32: 80 bits, so a plain SHA-256 of the code is enough protection at rest.
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_RECOVERY_LENGTH = 16


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str, title: str) -> str:
    """An inline SVG QR code; no image is fetched from anywhere."""
    return segno.make(uri, error="m").svg_inline(scale=4, title=title, dark="#000", light="#fff")


def matching_step(secret: str, code: str, last_step: int, at: float | None = None) -> int | None:
    """The time step the code belongs to, if valid and newer than the last one used; otherwise None."""
    # ASCII digits only: str.isdigit() would keep "²" and "٣", which no authenticator app shows.
    code = "".join(ch for ch in code if ch in "0123456789")
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    moment = time.time() if at is None else at
    current = int(moment // totp.interval)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if step > last_step and pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, _RECOVERY_LENGTH, 4))


def normalise_recovery_code(code: str) -> str | None:
    """Upper case without separators or spaces; None when it cannot be a recovery code."""
    compact = "".join(ch for ch in code.upper() if ch.isalnum())
    if len(compact) != _RECOVERY_LENGTH or any(ch not in _RECOVERY_ALPHABET for ch in compact):
        return None
    return compact


def hash_recovery_code(code: str) -> str:
    compact = normalise_recovery_code(code) or code
    return hashlib.sha256(compact.encode()).hexdigest()
