"""CSRF protection, security headers and request size limits."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agora.settings import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"


class CsrfError(Exception):
    """The request does not prove it came from one of our own forms."""


def check_origin(request: Request, settings: Settings) -> None:
    """Refuse cross-site requests by Sec-Fetch-Site and Origin before the token is even looked at."""
    site = request.headers.get("sec-fetch-site")
    if site and site not in ("same-origin", "none"):
        raise CsrfError("cross-site request")
    origin = request.headers.get("origin")
    if origin and origin != "null":
        allowed = {settings.base_origin, f"{request.url.scheme}://{request.headers.get('host', '')}"}
        if origin not in allowed:
            raise CsrfError("foreign origin")
    elif origin == "null":
        raise CsrfError("opaque origin")


def form_cookie_name(settings: Settings) -> str:
    return "__Host-agora_form" if settings.https else "agora_form"


def form_token(settings: Settings, nonce: str) -> str:
    """The token of anonymous forms: an HMAC of the browser's random form cookie, so nothing is stored.

    A token is worth something only together with the cookie it was made for: another browser's token,
    or this token after the cookie changed, is refused (a synchronizer token without a server-side row).
    """
    digest = hmac.new(settings.secret_key.encode(), b"agora-form:" + nonce.encode("ascii", "replace"), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def new_form_nonce() -> str:
    return secrets.token_urlsafe(24)


def _expected_tokens(request: Request, settings: Settings) -> list[str]:
    """The tokens this request may carry: its session's and, unless signed in or on a staff page, the form cookie's."""
    state = request.scope.get("state", {}).get("session")
    session = state.session if state is not None else None
    expected = [session.csrf_token] if session is not None and session.csrf_token else []
    signed_in = session is not None and (session.user_id is not None or "participant_id" in (session.data or {}))
    nonce = state.form_nonce if state is not None else None
    if nonce and not signed_in and not request.url.path.startswith("/staff"):
        expected.append(form_token(settings, nonce))
    return expected


async def check_csrf(request: Request, settings: Settings) -> None:
    check_origin(request, settings)
    expected = _expected_tokens(request, settings)
    if not expected:
        raise CsrfError("no session")
    supplied = request.headers.get("x-csrf-token")
    if supplied is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            supplied = value if isinstance(value, str) else None
    if not supplied or not any(hmac.compare_digest(supplied.encode(), token.encode()) for token in expected):
        raise CsrfError("token mismatch")


def is_same_site_url(url: str) -> bool:
    """Only relative paths are accepted as redirect targets (no open redirects).

    Browsers read a backslash as a slash and drop tabs and newlines, so "/\\evil.example" or a path
    with a tab after the first slash would leave the site: anything with those characters is refused outright.
    """
    if not url.startswith("/") or url.startswith("//"):
        return False
    if "\\" in url or any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in url):
        return False
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


class SecurityHeadersMiddleware:
    """A fresh CSP nonce per request, and the baseline headers on every response, errors included."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(18)
        scope.setdefault("state", {})["csp_nonce"] = nonce
        csp = (
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}'; "
            f"style-src 'self' 'nonce-{nonce}'; "
            "img-src 'self' data:; "
            "font-src 'self'; "
            "connect-src 'self'; "
            "form-action 'self'; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
        )
        headers = [
            (b"content-security-policy", csp.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
            (
                b"permissions-policy",
                b"camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
            ),
            (b"x-frame-options", b"DENY"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]
        if self.settings.https:
            headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                existing = {k.lower() for k, _ in message.get("headers", [])}
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [h for h in headers if h[0] not in existing]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodySizeLimitMiddleware:
    """Refuses bodies over the limit with 413, by Content-Length up front and by counting while streaming.

    Upload routes have limits of their own (`upload_limits`: a full-match path pattern and its bytes, one table
    in the composition root). Their bodies are not refused up front here: reading one past its limit raises
    RequestTooLarge inside the route, so the reader gets a page in their language naming the limit (a staff form
    shows itself again with the error, see agora.web.page's too_large); multipart files above 1 MB are spooled to
    a temporary file by Starlette's parser, not held in memory.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, upload_limits: Sequence[tuple[str, int]] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_limits = [(re.compile(pattern), limit) for pattern, limit in upload_limits]

    def limit_for(self, path: str) -> tuple[int, bool]:
        """(bytes allowed, whether the path is an upload route)."""
        for pattern, limit in self.upload_limits:
            if pattern.fullmatch(path):
                return limit, True
        return self.max_bytes, False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, upload = self.limit_for(scope.get("path", ""))
        over = False
        for key, value in scope.get("headers") or []:
            if key == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = limit + 1
                if declared > limit:
                    if not upload:
                        await _too_large(send, limit)
                        return
                    over = True
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            if over:
                raise RequestTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise RequestTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except RequestTooLarge as exc:
            if not response_started:
                await _too_large(send, exc.limit)


class RequestTooLarge(Exception):
    def __init__(self, limit: int = 0) -> None:
        super().__init__(limit)
        self.limit = limit


def megabytes(limit: int) -> str:
    """A limit as people read it: "2 MB", "0.5 MB"."""
    value = limit / (1024 * 1024)
    return f"{value:.0f} MB" if value >= 1 else f"{value:.1f} MB"


async def _too_large(send: Send, limit: int) -> None:
    size = megabytes(limit)
    body = f"Die Anfrage ist zu groß (höchstens {size}). / The request is too large (at most {size}).".encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
