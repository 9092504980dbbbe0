"""Server-side sessions: a random cookie token, its hash in the database, idle and absolute timeouts.

The cookie is the only thing the browser holds; ending a session deletes its row, so it is revoked
everywhere at once (Starlette's signed-cookie sessions could not do that).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agora.accounts.models import User, WebSession
from agora.security import form_cookie_name, form_token, new_form_nonce
from agora.settings import Settings

TOKEN_BYTES = 32  # 256 bits of randomness in the cookie
TOUCH_INTERVAL = timedelta(seconds=60)
SESSIONLESS_PREFIXES = ("/static/", "/api/")


def now() -> datetime:
    return datetime.now(UTC)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def cookie_name(settings: Settings) -> str:
    # The __Host- prefix pins the cookie to this host, path / and Secure; browsers only accept it over HTTPS.
    return "__Host-agora_session" if settings.https else "agora_session"


def client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else ""


@dataclass
class SessionState:
    """What a request knows about its session; routes change it through these methods only."""

    settings: Settings
    scope: Scope
    session: WebSession | None = None
    user: User | None = None
    token: str | None = None  # set when a new cookie must go out
    clear_cookie: bool = False
    dirty: bool = False
    form_nonce: str | None = None  # the anonymous form cookie (agora.security.form_token)
    new_form_cookie: bool = False

    def anonymous_form_token(self) -> str:
        """The token for a form shown without a server-side session; sets the form cookie if there is none."""
        if not self.form_nonce:
            self.form_nonce = new_form_nonce()
            self.new_form_cookie = True
        return form_token(self.settings, self.form_nonce)

    @property
    def is_staff(self) -> bool:
        return self.user is not None and self.user.is_active and bool(self.session and self.session.mfa_passed)

    async def ensure(self) -> WebSession:
        if self.session is None:
            self.session = await self._create(user=None)
        return self.session

    async def csrf_token(self) -> str:
        return (await self.ensure()).csrf_token

    async def login(self, user: User, *, mfa_passed: bool) -> None:
        """Start a fresh session for the user; the old id is dropped so a planted id is worthless."""
        carry = {}
        if self.session is not None:
            carry = {k: v for k, v in (self.session.data or {}).items() if k in ("next",)}
            await self.session.delete()
        self.session = await self._create(user=user, mfa_passed=mfa_passed, data=carry)
        self.user = user

    async def login_participant(self, participant_id: int) -> None:
        """Sign a participant in on a fresh session id; a staff sign-in in the same browser is kept."""
        carry: dict[str, Any] = {}
        user, mfa_passed = None, False
        if self.session is not None:
            carry = {k: v for k, v in (self.session.data or {}).items() if k in ("next",)}
            user, mfa_passed = self.user, self.session.mfa_passed
            await self.session.delete()
        carry["participant_id"] = participant_id
        self.session = await self._create(user=user, mfa_passed=mfa_passed, data=carry)
        self.user = user

    async def mark_mfa_passed(self) -> None:
        """After the second factor: rotate the id again, now fully signed in."""
        assert self.session is not None and self.user is not None
        await self.login(self.user, mfa_passed=True)

    async def logout(self) -> None:
        if self.session is not None:
            await self.session.delete()
        self.session = None
        self.user = None
        self.token = None
        self.clear_cookie = True

    def get(self, key: str, default: Any = None) -> Any:
        if self.session is None:
            return default
        return (self.session.data or {}).get(key, default)

    async def set(self, key: str, value: Any) -> None:
        session = await self.ensure()
        session.data = {**(session.data or {}), key: value}
        await session.save(update_fields=["data"])

    async def pop(self, key: str, default: Any = None) -> Any:
        if self.session is None or key not in (self.session.data or {}):
            return default
        data = dict(self.session.data)
        value = data.pop(key)
        self.session.data = data
        await self.session.save(update_fields=["data"])
        return value

    async def flash(self, message: str, category: str = "success") -> None:
        messages = list(self.get("_flash", []))
        messages.append({"message": message, "category": category})
        await self.set("_flash", messages)

    async def _create(self, *, user: User | None, mfa_passed: bool = False, data: dict | None = None) -> WebSession:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        moment = now()
        headers = dict(self.scope.get("headers") or [])
        session = await WebSession.create(
            token_hash=hash_token(token),
            user=user,
            mfa_passed=mfa_passed,
            csrf_token=secrets.token_urlsafe(32),
            data=data or {},
            ip_address=client_ip(self.scope),
            user_agent=headers.get(b"user-agent", b"").decode("latin-1")[:300],
            created_at=moment,
            last_seen_at=moment,
            expires_at=moment + timedelta(hours=self.settings.session_absolute_hours),
        )
        self.token = token
        self.clear_cookie = False
        return session


def is_expired(session: WebSession, settings: Settings, moment: datetime) -> bool:
    idle_limit = session.last_seen_at + timedelta(minutes=settings.session_idle_minutes)
    return moment >= session.expires_at or moment >= idle_limit


async def load_session(state: SessionState, token: str) -> None:
    session = await WebSession.get_or_none(token_hash=hash_token(token)).prefetch_related("user")
    if session is None:
        state.clear_cookie = True
        return
    moment = now()
    if is_expired(session, state.settings, moment) or (session.user is not None and not session.user.is_active):
        await session.delete()
        state.clear_cookie = True
        return
    if moment - session.last_seen_at >= TOUCH_INTERVAL:
        session.last_seen_at = moment
        await WebSession.filter(id=session.id).update(last_seen_at=moment)
    state.session = session
    state.user = session.user


async def end_sessions_of(user_id: int, *, except_session_id: int | None = None) -> int:
    query = WebSession.filter(user_id=user_id)
    if except_session_id is not None:
        query = query.exclude(id=except_session_id)
    return await query.delete()


async def purge_expired(settings: Settings) -> int:
    moment = now()
    idle_cutoff = moment - timedelta(minutes=settings.session_idle_minutes)
    return (
        await WebSession.filter(expires_at__lte=moment).delete()
        + await WebSession.filter(last_seen_at__lte=idle_cutoff).delete()
    )


class SessionMiddleware:
    """Loads the session named by the cookie before the route runs; sets or clears the cookie after."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.cookie = cookie_name(settings)
        self.form_cookie = form_cookie_name(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The JSON API (/api/) authenticates by bearer token only and never by cookie: a browser sends the
        # session cookie along with any cross-site request, so the API must not even look at it (which is
        # also why its routes need no CSRF token).
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(SESSIONLESS_PREFIXES) or path in ("/healthz", "/readyz"):
            await self.app(scope, receive, send)
            return
        state = SessionState(settings=self.settings, scope=scope)
        scope.setdefault("state", {})["session"] = state
        token = _read_cookie(scope, self.cookie)
        if token:
            await load_session(state, token)
        state.form_nonce = _read_cookie(scope, self.form_cookie)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                header = self._cookie_header(state)
                if header:
                    headers.append((b"set-cookie", header.encode("latin-1")))
                if state.new_form_cookie:
                    headers.append((b"set-cookie", self._form_cookie_header(state).encode("latin-1")))
                    if not any(k.lower() == b"cache-control" for k, _v in headers):
                        headers.append((b"cache-control", b"private, no-cache"))
                # Nothing seen by a signed-in person, nothing under /staff and nothing that sets the
                # cookie may be kept by a browser or proxy cache, where the next user of the machine finds it.
                private = state.user is not None or header is not None or scope["path"].startswith("/staff")
                if private:
                    headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _form_cookie_header(self, state: SessionState) -> str:
        secure = "; Secure" if self.settings.https else ""
        max_age = self.settings.session_absolute_hours * 3600
        return f"{self.form_cookie}={state.form_nonce}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"

    def _cookie_header(self, state: SessionState) -> str | None:
        secure = "; Secure" if self.settings.https else ""
        if state.token:
            max_age = self.settings.session_absolute_hours * 3600
            return f"{self.cookie}={state.token}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"
        if state.clear_cookie:
            return f"{self.cookie}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}"
        return None


def _read_cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers") or []:
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                k, _, v = part.strip().partition("=")
                if k == name and v:
                    return v
    return None
