"""Templating (Jinja2 + Babel), the one way to declare routes and who may use them, error pages."""

from __future__ import annotations

import functools
import importlib.util
import logging
import math
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agora import i18n, pagecache
from agora.i18n import gettext as _
from agora.i18n import lazy_gettext
from agora.markdown import render_markdown
from agora.security import SAFE_METHODS, CsrfError, RequestTooLarge, check_csrf


def _template_dir() -> Path:
    """The top-level templates/ folder of a checkout, or the agora_templates package it installs as."""
    checkout = Path(__file__).resolve().parent.parent / "templates"
    if (checkout / "base.html").is_file():
        return checkout
    spec = importlib.util.find_spec("agora_templates")
    for location in (spec.submodule_search_locations or []) if spec else []:
        if (Path(location) / "base.html").is_file():
            return Path(location)
    raise RuntimeError("the templates are missing: neither templates/ nor the agora_templates package was found")


TEMPLATE_DIR = _template_dir()
MAX_ID = 2**31 - 1  # the largest value an integer primary key holds on every supported database

log = logging.getLogger(__name__)

Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class Access:
    """Who may use a route. Every route of the app declares one; a test enumerates them all."""

    kind: str  # "public", "staff", "participant" or "api_token"
    roles: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)  # api_token: every one of them is required

    def describe(self) -> str:
        granted = sorted(self.roles | self.scopes)
        return self.kind + (f"({','.join(granted)})" if granted else "")


PUBLIC = Access("public")


def staff(*roles: str) -> Access:
    """Staff only; with roles, only staff holding at least one of them."""
    return Access("staff", frozenset(roles))


def participant() -> Access:
    return Access("participant")


def api_token(*scopes: str) -> Access:
    """A bearer API token holding every one of the scopes (agora.accounts.tokens); no cookie is involved."""
    return Access("api_token", scopes=frozenset(scopes))


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        enable_async=False,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda s, **kw: i18n.gettext(s, **kw),
        lambda s, p, n, **kw: i18n.ngettext(s, p, n, **kw),
        newstyle=True,
    )
    env.filters["datetime"] = i18n.format_dt
    env.filters["date"] = i18n.format_d
    env.filters["time"] = i18n.format_t
    env.filters["money"] = i18n.format_money
    env.filters["amount_input"] = i18n.amount_for_input
    env.filters["markdown"] = lambda text: Markup(render_markdown(text or ""))  # noqa: S704 - sanitised by nh3
    env.filters["urlquote"] = lambda s: quote(str(s), safe="")
    return env


templates = _environment()


async def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    state = request.scope.get("state", {})
    session = state.get("session")
    flashes: list[dict[str, str]] = []
    csrf = ""
    if session is not None:
        if session.get("_flash"):
            flashes = await session.pop("_flash", [])
        if session.session is not None:
            csrf = session.session.csrf_token
        elif request.method != "HEAD":
            # The token is made only when the page really carries a form: a mark shows where it goes.
            csrf = pagecache.CSRF_MARK
    settings = request.app.state.settings
    ctx = {
        "request": request,
        "settings": settings,
        "face": await _face(settings),
        "lang": i18n.current_locale.get(),
        "languages": [(code, i18n.LANGUAGE_NAMES[code]) for code in settings.languages],
        "csp_nonce": state.get("csp_nonce", ""),
        "csrf_token": csrf,
        "current_user": session.user if session is not None and session.is_staff else None,
        "flashes": flashes,
        "staff_nav": request.app.state.staff_nav,
        "breadcrumbs": [],
        "path_with_query": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
    }
    ctx.update(context or {})
    html = templates.get_template(template).render(ctx)
    if csrf == pagecache.CSRF_MARK and csrf in html and not state.get("defer_form_token"):
        # Staff pages (the sign-in) keep a server-side session; anonymous forms elsewhere need none.
        token = await session.csrf_token() if request.url.path.startswith("/staff") else None
        html = html.replace(csrf, token or pagecache.form_token_for(request))
    return HTMLResponse(html, status_code=status)


async def _face(settings: Any) -> Any:
    """The town's face for the header, footer and the sign-language page: the admin's values, else the settings."""
    from agora.face import services as face

    try:
        return await face.current(settings)
    except Exception:  # noqa: BLE001 - an error page about a broken database must still render, with the defaults
        log.warning("the town's face could not be read; showing the settings' values", exc_info=True)
        return face.from_settings(settings)


def redirect(url: str, status: int = 303) -> RedirectResponse:
    return RedirectResponse(url, status_code=status)


def session_of(request: Request) -> Any:
    return request.scope["state"]["session"]


def page(
    path: str,
    endpoint: Endpoint,
    *,
    access: Access,
    methods: Iterable[str] = ("GET",),
    name: str | None = None,
    csrf: bool = True,
    cached: bool = False,
    too_large: Callable[[Request, int], Awaitable[Response]] | None = None,
) -> Route:
    """Declare a route: access is checked and, for state-changing methods, the CSRF token, before the endpoint runs.

    A cached public page is served from agora.pagecache to readers without a session (ETag, 304, exact invalidation).
    An upload route names `too_large`, which answers a body above its limit (agora.security.upload_limit): the
    form again with the limit named, instead of the general 413 page.
    """

    @functools.wraps(endpoint)
    async def guarded(request: Request) -> Response:
        denial = await _check_access(request, access)
        if denial is not None:
            return denial
        if too_large is None:
            return await _checked(request)
        try:
            return await _checked(request)
        except RequestTooLarge as exc:
            return await too_large(request, exc.limit)

    async def _checked(request: Request) -> Response:
        if csrf and request.method not in SAFE_METHODS:
            try:
                await check_csrf(request, request.app.state.settings)
            except CsrfError:
                return await render(
                    request,
                    "errors/error.html",
                    {
                        "title": _("Form expired"),
                        "message": _(
                            "For your security the form could not be accepted. "
                            "Please go back, reload the page and send it again."
                        ),
                    },
                    status=403,
                )
        if cached:
            return await pagecache.serve(request, endpoint)
        return await endpoint(request)

    route = Route(path, guarded, methods=list(methods), name=name or endpoint.__name__)
    route.access = access  # type: ignore[attr-defined]
    route.csrf = csrf  # type: ignore[attr-defined]
    return route


async def _check_access(request: Request, access: Access) -> Response | None:
    if access.kind == "public":
        return None
    if access.kind == "api_token":
        from agora.accounts.tokens import bearer_denial

        return await bearer_denial(request, access.scopes)
    state = session_of(request)
    if access.kind == "staff":
        if state.user is None or not state.user.is_active:
            if request.method in SAFE_METHODS:
                return redirect("/staff/login?next=" + quote(request.url.path, safe="/"))
            return await _signed_out(request, "/staff/login")
        if not state.session.mfa_passed:
            return redirect("/staff/login/totp")
        if (
            state.user.has_role("admin")
            and not state.user.totp_enabled
            and not request.url.path.startswith("/staff/account/totp")
        ):
            # Admins must have a second factor before they may do anything else.
            return redirect("/staff/account/totp")
        if access.roles and not state.user.has_role(*access.roles):
            return await error_page(request, 403)
        return None
    if access.kind == "participant":
        participant_id = state.get("participant_id") if state is not None else None
        if participant_id is None:
            if request.method in SAFE_METHODS:
                return redirect("/signin?next=" + quote(request.url.path, safe="/"))
            return await _signed_out(request, "/signin")
        return None
    raise ValueError(f"unknown access kind {access.kind}")


# Form fields never shown back on the page after a session ran out.
SECRET_FIELDS = ("csrf_token", "password", "current_password", "new_password", "new_password_again", "code")


async def _signed_out(request: Request, signin: str) -> Response:
    """A form sent after the session ran out (WCAG 2.2.1): nothing is changed, the reader is offered to sign in
    and come back to the page the form was on, and what they typed is shown, so that nothing is lost silently."""
    from agora.security import is_same_site_url

    back = request.url.path
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc == request.url.netloc:
        page_url = referer.path + (f"?{referer.query}" if referer.query else "")
        if is_same_site_url(page_url):
            back = page_url
    kept: list[tuple[str, str]] = []
    try:
        form = await request.form()
    except Exception:  # noqa: BLE001 - an unreadable body keeps nothing
        form = None
    if form is not None:
        for key, value in form.multi_items():
            if isinstance(value, str) and value.strip() and key not in SECRET_FIELDS:
                kept.append((key, value))
    return await error_page(
        request, 401, context={"signin_url": f"{signin}?next=" + quote(back, safe="/?=&"), "kept": kept}
    )


# Literal msgids through lazy_gettext, so extraction finds them and each page shows them in the reader's language.
ERROR_TEXTS: dict[int, tuple[Any, Any]] = {
    400: (lazy_gettext("Bad request"), lazy_gettext("The request could not be understood.")),
    401: (lazy_gettext("Please sign in"), lazy_gettext("You need to sign in to see this page.")),
    403: (lazy_gettext("Access denied"), lazy_gettext("You do not have permission to see this page.")),
    404: (lazy_gettext("Page not found"), lazy_gettext("The page you asked for does not exist or has moved.")),
    405: (lazy_gettext("Not allowed"), lazy_gettext("This address does not accept that kind of request.")),
    413: (lazy_gettext("Request too large"), lazy_gettext("The data you sent is too large.")),
    429: (lazy_gettext("Too many requests"), lazy_gettext("Please wait a moment and try again.")),
    500: (
        lazy_gettext("Something went wrong"),
        lazy_gettext("An unexpected error occurred. It has been logged; please try again later."),
    ),
}


async def error_page(
    request: Request, status: int, message: str | None = None, *, context: dict[str, Any] | None = None
) -> Response:
    title, default = ERROR_TEXTS.get(status, ERROR_TEXTS[500])
    try:
        return await render(
            request,
            "errors/error.html",
            {"title": str(title), "message": message or str(default), **(context or {})},
            status=status,
        )
    except Exception:  # noqa: BLE001 - the error page must never fail itself
        return HTMLResponse(f"<!doctype html><title>{status}</title><p>{status}</p>", status_code=status)


class NotFound(HTTPException):
    """Raise it anywhere in a route: an HTML route answers with the translated 404 page (the app's
    HTTPException handler), a route under /api/v1 with the API's JSON 404 body (agora.api.ApiMount).
    The message, already translated, replaces the general text of either."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(404)
        self.message = message


def parse_id(value: object) -> int | None:
    """A database id written as ASCII digits from 1 to MAX_ID, else None ("²", "٣", "1e3", "-1", "0" are not)."""
    if not isinstance(value, str) or not 0 < len(value) <= 10 or not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def path_id(request: Request, name: str) -> int:
    """A path parameter that must be an id; raises NotFound when it cannot be one, so the route answers 404."""
    number = parse_id(request.path_params.get(name))
    if number is None:
        raise NotFound()
    return number


async def get_or_404(model_or_queryset: Any, **filters: Any) -> Any:
    """The one row matching the filters (a Tortoise model or queryset), or NotFound."""
    found = await model_or_queryset.get_or_none(**filters)
    if found is None:
        raise NotFound()
    return found


class ServerErrorPageMiddleware:
    """Turns an unhandled exception into the plain 500 page, inside the header and session middleware.

    Starlette's own handler runs outside every middleware, so its page would miss the security headers.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            from agora.security import RequestTooLarge

            if started or isinstance(exc, RequestTooLarge):
                raise
            request = Request(scope)
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"), exc_info=exc)
            response = await error_page(request, 500)
            await response(scope, receive, send)


MAX_PAGE = 10_000
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 25


@dataclass
class Page:
    """One page of a query's rows: the HTML lists and the JSON API page the same way."""

    items: list[Any]
    number: int
    pages: int
    total: int
    per_page: int = DEFAULT_PER_PAGE

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def meta(self) -> dict[str, int]:
        return {"page": self.number, "per_page": self.per_page, "total": self.total, "pages": self.pages}


def whole_number(value: str | None, upper: int) -> int | None:
    """A number from 1 to upper written in ASCII digits, else None ("²" and "٣" are digits to str.isdigit)."""
    if value is None or not value.isascii() or not value.isdigit() or len(value) > len(str(upper)):
        return None
    number = int(value)
    return number if 1 <= number <= upper else None


async def fetch_page(query: Any, number: int, per_page: int, *, clamp: bool = False) -> Page:
    """Rows of page `number`; with clamp a number past the end shows the last page (HTML), else no rows (API)."""
    total = await query.count()
    pages = max(1, math.ceil(total / per_page))
    if clamp:
        number = min(number, pages)
    items = await query.offset((number - 1) * per_page).limit(per_page)
    return Page(items=list(items), number=number, pages=pages, total=total, per_page=per_page)


async def paginate(query: Any, request: Request, per_page: int = DEFAULT_PER_PAGE) -> Page:
    """For HTML lists: ?page= read leniently (anything odd shows the first page), clamped to the last page."""
    number = whole_number(request.query_params.get("page"), MAX_PAGE) or 1
    return await fetch_page(query, number, per_page, clamp=True)


async def paged(query: Any, number: int, per_page: int) -> tuple[list[Any], dict[str, int]]:
    """For the API: the rows and the paging figures of the JSON envelope."""
    page = await fetch_page(query, number, per_page)
    return page.items, page.meta()
