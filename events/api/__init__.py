"""The JSON API of events under /api/v1: public reads, registrations, staff endpoints with API tokens.

Each endpoint is declared once, with the models it reads and answers (agora.api); the composition root mounts
them with every other domain's and serves the OpenAPI document built from the same declarations. The API uses no
cookie at all: the session middleware skips /api/, public routes need no sign-in, staff routes need a bearer token
with a scope. Without cookies a cross-site request cannot borrow anyone's sign-in, so no CSRF token is asked for.
No CORS headers are sent: integrations call the API from their servers, not from browsers on other sites.
"""

from __future__ import annotations

from agora import api
from events.api import public, staff
from events.forms import RegistrationInput, SessionChange, SessionCreate
from events.services.limits import REGISTRATION_LIMIT

NO_SESSION = {404: "No published session has this id."}


def operations() -> list[api.Operation]:
    return [
        api.get(
            "/series",
            public.series_list,
            "listSeries",
            "Series of sessions, such as the quarterly business breakfast",
            query=api.PageQuery,
            response=public.SeriesPage,
        ),
        api.get(
            "/sessions",
            public.session_list,
            "listSessions",
            "Published sessions, soonest first",
            query=public.SessionQuery,
            response=public.SessionPage,
        ),
        api.get(
            "/sessions/{session_id}",
            public.session_detail,
            "getSession",
            "A published session with its agenda, tracks, questions and the seats left",
            response=public.SessionDetail,
            errors=NO_SESSION,
        ),
        api.post(
            "/sessions/{session_id}/registrations",
            public.register,
            "register",
            "Register for a session",
            description=(
                "A seat is held until the person confirms the address by the link in the mail; a full session puts "
                f"them on the waitlist. At most {REGISTRATION_LIMIT} registrations per client address in ten "
                "minutes. An address that is already registered gets the same answer and, instead of a new "
                "registration, a mail with the link to its existing one. The answers, the track and the colleagues "
                "follow the session's questions, tracks and max_colleagues (GET /sessions/{session_id})."
            ),
            body=RegistrationInput,
            response=public.RegistrationCreated,
            status=201,
            response_description="Registered: the status says whether a seat is held.",
            errors={
                404: "No session has this id.",
                409: "The session does not take registrations.",
                429: "Too many registrations from this address; see Retry-After.",
            },
        ),
        api.post(
            "/staff/sessions",
            staff.create_session,
            "createSession",
            "Create a session (a draft unless publish is true)",
            body=SessionCreate,
            response=staff.StaffSession,
            status=201,
            scope="sessions:write",
        ),
        api.patch(
            "/staff/sessions/{session_id}",
            staff.update_session,
            "updateSession",
            "Change a session; those registered are told by mail, with a new calendar entry",
            body=SessionChange,
            response=staff.StaffSession,
            scope="sessions:write",
            errors={404: "No session has this id."},
        ),
        api.get(
            "/staff/sessions/{session_id}/registrations",
            staff.session_registrations,
            "listRegistrations",
            "The registrations of a session, in the order they came in",
            query=staff.RegistrationQuery,
            response=staff.RegistrationPage,
            scope="registrations:read",
            errors={404: "No session has this id."},
        ),
    ]
