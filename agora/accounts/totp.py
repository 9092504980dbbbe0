"""Time-based one-time passwords (RFC 6238) for any authenticator app, with replay protection."""

from __future__ import annotations

import time

import pyotp
import segno

ISSUER = "Agora"
VALID_WINDOW = 1  # accept the previous and next 30-second step for clock drift


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str, title: str) -> str:
    """An inline SVG QR code; no image is fetched from anywhere."""
    return segno.make(uri, error="m").svg_inline(scale=4, title=title, dark="#000", light="#fff")


def matching_step(secret: str, code: str, last_step: int, at: float | None = None) -> int | None:
    """The time step the code belongs to, if valid and newer than the last one used; otherwise None."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    moment = time.time() if at is None else at
    current = int(moment // totp.interval)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if step > last_step and pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None
