"""The composition root: the only module that knows every domain and mounts their routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from agora import api, db, i18n, retention
from agora.accounts import routes as account_routes
from agora.accounts import staff as account_staff
from agora.accounts import tokens_web
from agora.accounts.participants import routes as participant_routes
from agora.face import services as face_services
from agora.face import staff as face_staff
from agora.forms import BadBody, FieldErrors
from agora.home import routes as home_routes
from agora.log import RequestIdMiddleware, configure_logging
from agora.nav import StaffLink
from agora.ops import routes as ops_routes
from agora.pages import routes as page_routes
from agora.pages import staff as page_staff
from agora.security import BodySizeLimitMiddleware, RequestTooLarge, SecurityHeadersMiddleware, megabytes
from agora.settings import Settings
from agora.staff import routes as staff_shell
from agora.staff.routes import DASHBOARD_WIDGETS
from agora.web import PUBLIC, NotFound, ServerErrorPageMiddleware, error_page
from events import api as events_api
from events import contacts as events_contacts
from events import demo as events_demo
from events import followup as events_followup
from events import invitations_web as events_invitations
from events import routes as events_routes
from events import staff as events_staff
from events import tasks as events_tasks
from notifications import api as mail_api
from notifications import routes as mail_routes
from notifications import runtime as mail_runtime
from notifications import staff as mail_staff
from participation import api as participation_api
from participation import demo as participation_demo
from participation import people as participation_people
from participation import routes as participation_routes
from participation import staff as participation_staff
from participation import tasks as participation_tasks
from participation.services import attachments as participation_attachments
from participation.services import consultations as participation_consultations
from participation.services import contributions as participation_contributions
from surveys import api as surveys_api
from surveys import people as surveys_people
from surveys import routes as surveys_routes
from surveys import staff as surveys_staff
from surveys import tasks as surveys_tasks

log = logging.getLogger(__name__)

# Room for the other fields and the multipart framing of an upload form, beyond its files' own limit.
FORM_MARGIN = 256 * 1024
# Routes that take files, with the body each may send (every other request: AGORA_MAX_REQUEST_BYTES). The routes
# themselves check each file's own limit and answer with the form and a field error.
UPLOAD_LIMITS: tuple[tuple[str, int], ...] = (
    (face_staff.PATH, face_services.FORM_MAX_BYTES),
    ("/staff/participation/[0-9]+/attachments", participation_attachments.MAX_BYTES + FORM_MARGIN),
    ("/staff/participation/[0-9]+/contributions/[0-9]+/scans", participation_attachments.MAX_BYTES + FORM_MARGIN),
)


class LocaleMiddleware:
    """Sets the reader's language (cookie, else the default) and the display time zone for this request."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lang = self.settings.default_language
        for key, value in scope.get("headers") or []:
            if key == b"cookie":
                lang = i18n.language_from_cookies(value.decode("latin-1"), self.settings.languages) or lang
        token = i18n.current_locale.set(lang)
        zone_token = i18n.current_zone.set(self.settings.time_zone)
        try:
            await self.app(scope, receive, send)
        finally:
            i18n.current_locale.reset(token)
            i18n.current_zone.reset(zone_token)


def collect_routes() -> list[BaseRoute]:
    static = Mount("/static", app=StaticFiles(packages=[("agora", "static")]), name="static")
    static.access = PUBLIC  # type: ignore[attr-defined]
    return [
        *ops_routes(),
        *home_routes(),
        *page_routes.routes(),
        *account_routes.routes(),
        *participant_routes.routes(),
        *staff_shell.routes(),
        *account_staff.routes(),
        *tokens_web.routes(),
        *page_staff.routes(),
        *face_staff.routes(),
        *mail_routes.routes(),
        *mail_staff.routes(),
        *events_routes.routes(),
        *events_staff.routes(),
        *events_invitations.routes(),
        *participation_routes.routes(),
        *participation_staff.routes(),
        *surveys_routes.routes(),
        *surveys_staff.routes(),
        api.mount([*events_api.operations(), *participation_api.operations(), *surveys_api.operations()]),
        static,
    ]


def staff_navigation() -> list[StaffLink]:
    return [
        *staff_shell.NAV,
        *events_staff.NAV,
        *events_invitations.NAV,
        *participation_staff.NAV,
        *surveys_staff.NAV,
        *page_staff.NAV,
        *face_staff.NAV,
        *mail_staff.NAV,
        *account_staff.NAV,
        *tokens_web.NAV,
    ]


async def _http_exception(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    return await error_page(request, status, exc.message if isinstance(exc, NotFound) else None)


async def _too_large(request: Request, exc: Exception) -> Response:
    limit = exc.limit if isinstance(exc, RequestTooLarge) else 0
    if not limit:
        return await error_page(request, 413)
    return await error_page(
        request,
        413,
        i18n.gettext(
            "What you sent is too large: at most %(limit)s. Please choose a smaller file and send it again.",
            limit=megabytes(limit),
        ),
    )


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return await error_page(request, 500)


class AgoraApp(Starlette):
    def build_middleware_stack(self) -> ASGIApp:
        # Outermost, outside ServerErrorMiddleware: the 500 handler then logs and answers with the request id.
        return RequestIdMiddleware(super().build_middleware_stack())


def create_app(settings: Settings, *, manage_db: bool = True) -> Starlette:
    """Build the ASGI app. With manage_db the lifespan opens and closes the database connections."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_db:
            await db.init_db(settings)
        mail = await mail_runtime.start(settings) if manage_db else None
        try:
            yield
        finally:
            if mail is not None:
                await mail_runtime.stop(mail)
            if manage_db:
                await db.close_db()

    from python_multipart.exceptions import MultipartParseError
    from starlette.formparsers import MultiPartException

    async def _bad_form(request: Request, exc: Exception) -> Response:
        return await error_page(request, 400)

    async def _bad_body(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, BadBody)
        return await error_page(request, exc.status, exc.message)

    async def _field_errors(request: Request, exc: Exception) -> Response:
        # A route that shows its form again catches FieldErrors itself; anything else still gets a 400, not a 500.
        assert isinstance(exc, FieldErrors)
        return await error_page(request, 400, " ".join(dict.fromkeys(exc.errors.values())))

    app = AgoraApp(
        routes=collect_routes(),
        lifespan=lifespan,
        middleware=[
            Middleware(SecurityHeadersMiddleware, settings=settings),
            Middleware(BodySizeLimitMiddleware, max_bytes=settings.max_request_bytes, upload_limits=UPLOAD_LIMITS),
            Middleware(LocaleMiddleware, settings=settings),
            Middleware(_session_middleware(), settings=settings),
            Middleware(ServerErrorPageMiddleware),
        ],
        exception_handlers={
            HTTPException: _http_exception,
            RequestTooLarge: _too_large,
            MultiPartException: _bad_form,
            MultipartParseError: _bad_form,
            BadBody: _bad_body,
            FieldErrors: _field_errors,
            500: _server_error,
        },
    )
    app.state.settings = settings
    mail_api.configure(settings)
    for widget in (events_staff.dashboard_widget, participation_staff.dashboard_widget, mail_staff.dashboard_widget):
        if widget not in DASHBOARD_WIDGETS:
            DASHBOARD_WIDGETS.append(widget)
    app.state.staff_nav = staff_navigation()
    register_domain_hooks(settings)
    return app


def register_domain_hooks(settings: Settings) -> None:
    """What the kernel and the domains contribute outside their routes: home sections, scheduled jobs (retention too).

    Called by create_app and by `agora scheduler`, so the web process and the scheduler know the same jobs.
    """
    from agora.accounts.participants.services import DELETION_HOOKS, PERSONAL_DATA_PROVIDERS, SIGNIN_HOOKS
    from agora.demo import DEMO_STEPS
    from agora.home import HOME_SECTIONS

    HOME_SECTIONS["sessions"] = events_routes.home_sessions
    HOME_SECTIONS["consultations"] = participation_consultations.home_consultations
    HOME_SECTIONS["surveys"] = surveys_routes.home_surveys
    surveys_api.WAVES["sessions"] = events_followup.series_waves
    retention.register_jobs(settings)
    events_tasks.register_jobs(settings)
    participation_tasks.register_jobs(settings)
    surveys_tasks.register_jobs(settings)
    for step in (events_demo.create_demo, events_followup.create_demo, participation_demo.create_demo):
        if step not in DEMO_STEPS:
            DEMO_STEPS.append(step)
    if participation_contributions.on_verified not in SIGNIN_HOOKS:
        SIGNIN_HOOKS.append(participation_contributions.on_verified)
    if participation_people.personal_data not in PERSONAL_DATA_PROVIDERS:
        PERSONAL_DATA_PROVIDERS.append(participation_people.personal_data)
        DELETION_HOOKS.append(participation_people.forget)
    if events_contacts.personal_data not in PERSONAL_DATA_PROVIDERS:
        PERSONAL_DATA_PROVIDERS.append(events_contacts.personal_data)
        DELETION_HOOKS.append(events_contacts.forget)
    if surveys_people.personal_data not in PERSONAL_DATA_PROVIDERS:
        PERSONAL_DATA_PROVIDERS.append(surveys_people.personal_data)
        DELETION_HOOKS.append(surveys_people.forget)


def _session_middleware() -> Any:
    from agora.accounts.sessions import SessionMiddleware

    return SessionMiddleware


def configure(settings: Settings) -> None:
    configure_logging(settings)


def from_environment() -> Starlette:
    """Factory for uvicorn (`agora.app:from_environment`): every worker process builds its own app."""
    from agora.settings import load_settings

    settings = load_settings()
    configure(settings)
    return create_app(settings)
