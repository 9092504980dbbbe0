"""Sign-in link tokens: 192 random bits, signed with the secret key, stored only as a hash.

The signature lets a forged or tampered token be refused before any database lookup; the stored
hash means a copy of the database does not hand out working links.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

RANDOM_BYTES = 24
SIGNATURE_BYTES = 16
PURPOSE = b"agora.participant-signin"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _signature(secret_key: str, random_part: str) -> str:
    mac = hmac.new(secret_key.encode(), PURPOSE + b":" + random_part.encode("ascii"), hashlib.sha256)
    return _b64(mac.digest()[:SIGNATURE_BYTES])


def new_token(secret_key: str) -> tuple[str, str]:
    """A fresh token for the link and the hash to store."""
    random_part = _b64(secrets.token_bytes(RANDOM_BYTES))
    return f"{random_part}.{_signature(secret_key, random_part)}", hash_random(random_part)


def hash_random(random_part: str) -> str:
    return hashlib.sha256(random_part.encode("ascii")).hexdigest()


def verified_hash(secret_key: str, token: str) -> str | None:
    """The stored hash for a correctly signed token, or None for anything forged or malformed."""
    if not token or len(token) > 200 or token.count(".") != 1:
        return None
    random_part, signature = token.split(".")
    if not random_part or not random_part.isascii() or not signature.isascii():
        return None
    if not hmac.compare_digest(signature, _signature(secret_key, random_part)):
        return None
    return hash_random(random_part)
