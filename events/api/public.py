"""Public API: series, published sessions with agenda and seats, and registering for a session.

These endpoints read no cookie and set none (the session middleware skips /api/), so a cross-site request
cannot act with anybody's sign-in: that is why registering needs no CSRF token.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response

from agora import i18n
from agora.accounts.sessions import client_ip
from agora.api import PageMeta, PageQuery, failure, invalid, ok
from agora.forms import Id, OneOf, validate
from agora.i18n import gettext as _
from agora.web import NotFound, paged, path_id
from events import forms, services
from events.errors import EventError, RegistrationClosed
from events.models import (
    AGENDA_KINDS,
    CANCELLED,
    COMPLETED,
    IN_PERSON,
    ONLINE,
    PENDING_CONFIRMATION,
    PUBLISHED,
    QUESTION_KINDS,
    SESSION_KINDS,
    SESSION_MODES,
    WAITLISTED,
    Series,
    Session,
    Track,
    attendances,
)
from events.services import common, limits, public, signup

# Statuses a reader may know about. Only published sessions are shown; the others are refused as closed.
KNOWN_STATUSES = (PUBLISHED, CANCELLED, COMPLETED)
STATES = ("open", "waitlist", "not_open", "closed", "past", "cancelled")


# --- what the endpoints answer ------------------------------------------------------------------------------


class VenueOut(BaseModel):
    name: str
    address: str
    room: str
    accessibility: str

    @classmethod
    def of(cls, place: Series | Session) -> VenueOut:
        """Series and sessions name their venue fields alike."""
        return cls(
            name=place.venue_name,
            address=place.venue_address,
            room=place.venue_room,
            accessibility=place.venue_accessibility,
        )


class SeriesOut(BaseModel):
    id: int
    title: str
    description: str = Field(description="Markdown.")
    office: str
    contact_email: str
    venue: VenueOut
    url: str = Field(json_schema_extra={"format": "uri"})


class RegistrationInfo(BaseModel):
    state: str = Field(json_schema_extra={"enum": list(STATES)})
    opens_at: datetime | None
    closes_at: datetime
    requires_approval: bool
    max_colleagues: int


class CostOut(BaseModel):
    free: bool = Field(description="Whether taking part is free of charge.")
    amount: str | None = Field(
        json_schema_extra={"pattern": "^[0-9]+\\.[0-9]{2}$"},
        description='The fee in euros with two decimals ("25.00"); null when free of charge.',
    )
    currency: str = Field(default="EUR", json_schema_extra={"enum": ["EUR"]})
    note: str = Field(description="What the fee covers, e.g. lunch; may be empty.")

    @classmethod
    def of(cls, session: Session) -> CostOut:
        amount = None if session.free else str(session.cost)
        return cls(free=session.free, amount=amount, note=session.cost_note)


class SessionOut(BaseModel):
    id: int
    status: str = Field(
        json_schema_extra={"enum": list(KNOWN_STATUSES)}, description="published, cancelled or completed."
    )
    series_id: int | None
    kind: str = Field(json_schema_extra={"enum": list(SESSION_KINDS)})
    title: str
    description: str = Field(description="Markdown.")
    starts_at: datetime
    ends_at: datetime
    venue: VenueOut
    # The link itself goes only to confirmed online attendees (in their mails), not to the public.
    online: bool = Field(description="Whether people can take part online.")
    mode: str = Field(json_schema_extra={"enum": list(SESSION_MODES)}, description="in_person, online or hybrid.")
    capacity: int = Field(description="Seats in the room.")
    seats_left: int = Field(description="Seats left in the room.")
    online_capacity: int = Field(description="Places online.")
    online_places_left: int = Field(description="Places left online.")
    cost: CostOut
    registration: RegistrationInfo
    url: str = Field(json_schema_extra={"format": "uri"}, description="The public page of the session.")


class TrackOut(BaseModel):
    id: int
    title: str
    capacity: int
    seats_left: int


class QuestionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    label: str
    kind: str = Field(json_schema_extra={"enum": list(QUESTION_KINDS)})
    options: list[str]
    required: bool


class SpeakerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    role: str
    organisation: str


class AgendaItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    starts_at: datetime
    ends_at: datetime
    title: str
    description: str
    kind: str = Field(json_schema_extra={"enum": list(AGENDA_KINDS)})
    room: str
    track_id: int | None
    speakers: list[SpeakerOut]


class SessionDetail(SessionOut):
    tracks: list[TrackOut]
    questions: list[QuestionOut]
    agenda: list[AgendaItemOut]


class SeriesPage(PageMeta):
    items: list[SeriesOut]


class SessionPage(PageMeta):
    items: list[SessionOut]


class RegistrationCreated(BaseModel):
    """The same answer for a new registration and for an address already registered (which gets a mail)."""

    status: str = Field(json_schema_extra={"enum": [PENDING_CONFIRMATION, WAITLISTED]})
    waitlist_position: int | None


# --- what they read -----------------------------------------------------------------------------------------


class SessionQuery(PageQuery):
    series: Id | None = Field(default=None, description="Only sessions of this series.")
    upcoming: Annotated[str, OneOf("true", "false")] | None = Field(
        default=None, description="true: sessions not yet over; false: sessions that are over."
    )


def _public_url(request: Request, path: str) -> str:
    return str(request.app.state.settings.base_url).rstrip("/") + path


def series_out(request: Request, series: Series) -> SeriesOut:
    return SeriesOut(
        id=series.id,
        title=series.title,
        description=series.description,
        office=series.office,
        contact_email=series.contact_email,
        venue=VenueOut.of(series),
        url=_public_url(request, f"/reihen/{series.id}"),
    )


def registration_state(session: Session) -> str:
    """open, waitlist (full: new registrations join the waitlist), not_open, closed or past."""
    now = common.now_utc()
    if session.status == CANCELLED:
        return "cancelled"
    if session.status == COMPLETED or now >= session.starts_at:
        return "past"
    if session.registration_opens_at and now < session.registration_opens_at:
        return "not_open"
    if now >= (session.registration_closes_at or session.starts_at):
        return "closed"
    return "waitlist" if services.seats_left(session) <= 0 else "open"


def session_fields(request: Request, session: Session) -> dict[str, object]:
    """The fields of SessionOut, for it and the models extending it."""
    return {
        "id": session.id,
        "status": session.status,
        "series_id": session.series_id,
        "kind": session.kind,
        "title": session.title,
        "description": session.description,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "venue": VenueOut.of(session),
        "online": session.mode != IN_PERSON,
        "mode": session.mode,
        "capacity": session.capacity,
        "seats_left": session.places_left(IN_PERSON),
        "online_capacity": session.online_capacity,
        "online_places_left": session.places_left(ONLINE),
        "cost": CostOut.of(session),
        "registration": RegistrationInfo(
            state=registration_state(session),
            opens_at=session.registration_opens_at,
            closes_at=session.registration_closes_at or session.starts_at,
            requires_approval=session.requires_approval,
            max_colleagues=session.max_colleagues,
        ),
        "url": _public_url(request, f"/termine/{session.id}"),
    }


async def series_list(request: Request, query: PageQuery) -> Response:
    items, meta = await paged(Series.all().order_by("title", "id"), query.page, query.per_page)
    return ok(SeriesPage(items=[series_out(request, s) for s in items], **meta))


async def session_list(request: Request, query: SessionQuery) -> Response:
    sessions = Session.filter(status=PUBLISHED)
    if query.series is not None:
        sessions = sessions.filter(series_id=query.series)
    if query.upcoming == "true":
        sessions = sessions.filter(ends_at__gte=common.now_utc())
    elif query.upcoming == "false":
        sessions = sessions.filter(ends_at__lt=common.now_utc())
    items, meta = await paged(sessions.order_by("starts_at", "id"), query.page, query.per_page)
    return ok(SessionPage(items=[SessionOut.model_validate(session_fields(request, s)) for s in items], **meta))


async def session_detail(request: Request) -> Response:
    # A cancelled or completed session is answered with its status, as its page shows it; drafts stay unknown.
    session = await Session.get_or_none(id=path_id(request, "session_id"), status__in=KNOWN_STATUSES)
    if session is None:
        raise NotFound(_("This session does not exist."))
    tracks = await Track.filter(session_id=session.id).order_by("id")
    questions = await common.questions_for(session)
    agenda = await services.agenda_of(session.id)
    detail = SessionDetail.model_validate(
        {
            **session_fields(request, session),
            "tracks": [
                TrackOut(id=t.id, title=t.title, capacity=t.capacity, seats_left=max(0, t.capacity - t.seats_taken))
                for t in tracks
            ],
            "questions": [QuestionOut.model_validate(q) for q in questions],
            "agenda": [AgendaItemOut.model_validate(item) for item in agenda],
        }
    )
    return ok(detail)


async def register(request: Request, body: forms.RegistrationInput) -> Response:
    """The body is read by RegistrationInput; the session's own rules (its questions, tracks and number of
    colleagues) are applied here, with the same model built for the session."""
    settings = request.app.state.settings
    kept = getattr(request.app.state, "signup_forms", None)
    if kept is None:
        kept = request.app.state.signup_forms = {}
    form = await public.signup_form(path_id(request, "session_id"), kept)
    if form is None or form.session.status not in KNOWN_STATUSES:
        raise NotFound(_("This session does not exist."))
    session = form.session
    wait = await limits.registration_wait(client_ip(request.scope))
    if wait is not None:
        return failure(
            429,
            _("Too many registrations from your address. Please wait a few minutes."),
            headers={"Retry-After": str(wait)},
        )
    model = forms.with_questions(forms.RegistrationInput, form.questions)
    rules = forms.session_rules(
        tracks=form.track_ids, max_colleagues=session.max_colleagues, attendances=attendances(session.mode)
    )
    data = validate(model, body.model_dump(by_alias=True), **rules)
    try:
        receipt = await signup.register_publicly(
            settings,
            session.id,
            **data.registrant(),
            invitation=data.invitation,
            consent_version=forms.CONSENT_VERSION,
            consent_text=str(forms.CONSENT_TEXT),
            language=i18n.current_locale.get(),
            loaded=session,
        )
    except RegistrationClosed as exc:
        return failure(409, next(iter(exc.errors.values())), exc.errors)
    except EventError as exc:
        return invalid(exc.errors)
    # No id: ids are counted up, so one would tell a new registration from an address registered before.
    return ok(RegistrationCreated(status=receipt.status, waitlist_position=receipt.waitlist_position), 201)
