"""Tortoise models: series, sessions, agenda, tracks, speakers, registrations and registration questions.

Times are stored aware in UTC. A session's seats_taken (and a track's) counts the seats of every registration
whose status holds a seat (see SEATED), and only ever changes through the conditional statements in
events.services.capacity, so that it can never pass the capacity.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tortoise import fields
from tortoise.models import Model

# Session kinds and statuses
DIALOGUE, WORKSHOP, INFORMATION = "dialogue", "workshop", "information"
SESSION_KINDS = (DIALOGUE, WORKSHOP, INFORMATION)
DRAFT, PUBLISHED, CANCELLED, COMPLETED = "draft", "published", "cancelled", "completed"
SESSION_STATUSES = (DRAFT, PUBLISHED, CANCELLED, COMPLETED)

# How a session takes place, and how a registrant of a hybrid session takes part. Each way of taking part has
# its own pool of places: seats in the room (capacity, seats_taken) and places online (online_capacity,
# online_seats_taken). An in-person session offers only the room, an online one only online places.
IN_PERSON, ONLINE, HYBRID = "in_person", "online", "hybrid"
SESSION_MODES = (IN_PERSON, ONLINE, HYBRID)
ATTENDANCES = (IN_PERSON, ONLINE)


def attendances(mode: str) -> tuple[str, ...]:
    """The ways of taking part a session of this mode offers."""
    if mode == HYBRID:
        return ATTENDANCES
    return (ONLINE,) if mode == ONLINE else (IN_PERSON,)


def receives_join_link(attendance: str, status: str) -> bool:
    """The join link goes only to confirmed online attendees: never to the public, the waitlist or the room."""
    return attendance == ONLINE and status in ("confirmed", "attended")


# What a session costs: none is free of charge. Amounts are euros to the cent, stored exact.
COST_DIGITS, COST_PLACES = 7, 2
COST_NOTE_MAX = 200


def is_free(cost: Decimal | None) -> bool:
    return cost is None or cost == 0


# Agenda item kinds
TALK, DISCUSSION, BREAK, NETWORKING = "talk", "discussion", "break", "networking"
AGENDA_KINDS = (TALK, DISCUSSION, BREAK, NETWORKING)

# Registration statuses
PENDING_CONFIRMATION = "pending_confirmation"
CONFIRMED = "confirmed"
WAITLISTED = "waitlisted"
PENDING_APPROVAL = "pending_approval"
REG_CANCELLED = "cancelled"
DECLINED = "declined"
ATTENDED = "attended"
REGISTRATION_STATUSES = (
    PENDING_CONFIRMATION,
    CONFIRMED,
    WAITLISTED,
    PENDING_APPROVAL,
    REG_CANCELLED,
    DECLINED,
    ATTENDED,
)
# Statuses that hold seats: a pending confirmation is a hold until hold_expires_at, and a pending approval
# holds its seat too, so that staff approving someone never finds the session filled up behind their back.
SEATED = (PENDING_CONFIRMATION, CONFIRMED, PENDING_APPROVAL, ATTENDED)

# Question kinds
TEXT, CHOICE, CHECKBOXES, NUMBER = "text", "choice", "checkboxes", "number"
QUESTION_KINDS = (TEXT, CHOICE, CHECKBOXES, NUMBER)


class Series(Model):
    """A recurring series such as the quarterly breakfast. Its rule is an RFC 5545 RRULE in local time."""

    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    office = fields.CharField(max_length=200, default="")
    contact_email = fields.CharField(max_length=254, default="")
    contact_phone = fields.CharField(max_length=60, default="")
    venue_name = fields.CharField(max_length=200, default="")
    venue_address = fields.CharField(max_length=300, default="")
    venue_room = fields.CharField(max_length=120, default="")
    venue_accessibility = fields.TextField(default="")
    default_duration_minutes = fields.IntField(default=120)
    default_capacity = fields.IntField(default=30)
    # "DTSTART:20270105T080000\nRRULE:FREQ=MONTHLY;INTERVAL=3;BYDAY=1TU", DTSTART read in Europe/Berlin.
    rrule = fields.TextField(default="")
    # Local occurrence times (ISO, no offset) staff skipped, so that generation does not bring them back.
    skipped: fields.JSONField[list[str]] = fields.JSONField(default=list)
    reminder_offset_hours = fields.IntField(default=24)
    # What each date of the series costs, taken over by the sessions made from it; none: free of charge.
    cost = fields.DecimalField(max_digits=COST_DIGITS, decimal_places=COST_PLACES, null=True)
    cost_note = fields.CharField(max_length=COST_NOTE_MAX, default="")
    # The follow-up survey (surveys.Survey) sent to attendees after each session, unless a session names its own.
    followup_survey_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "events_series"


class Session(Model):
    """One dated event: a dialogue session, a workshop or an information event."""

    id = fields.IntField(primary_key=True)
    series: fields.ForeignKeyNullableRelation[Series] = fields.ForeignKeyField(
        "events.Series", related_name="sessions", null=True, on_delete=fields.SET_NULL
    )
    series_id: int | None
    # The rule occurrence (UTC) this session was generated for, kept when the date is moved.
    occurrence_at = fields.DatetimeField(null=True)
    kind = fields.CharField(max_length=20, default=DIALOGUE)
    title = fields.CharField(max_length=200)
    # What this date is about, telling the dates of a series apart in lists, titles and link texts.
    topic = fields.CharField(max_length=200, default="")
    description = fields.TextField(default="")
    starts_at = fields.DatetimeField(db_index=True)
    ends_at = fields.DatetimeField()
    venue_name = fields.CharField(max_length=200, default="")
    venue_address = fields.CharField(max_length=300, default="")
    venue_room = fields.CharField(max_length=120, default="")
    venue_accessibility = fields.TextField(default="")
    # How to get there: public transport and parking.
    directions = fields.TextField(default="")
    # The join link: never shown publicly, only to confirmed online attendees (mails, calendar file, manage page).
    online_url = fields.CharField(max_length=500, default="")
    contact_email = fields.CharField(max_length=254, default="")
    mode = fields.CharField(max_length=12, default=IN_PERSON)
    capacity = fields.IntField(default=30)
    seats_taken = fields.IntField(default=0)
    online_capacity = fields.IntField(default=0)
    online_seats_taken = fields.IntField(default=0)
    registration_opens_at = fields.DatetimeField(null=True)
    registration_closes_at = fields.DatetimeField(null=True)
    requires_approval = fields.BooleanField(default=False)
    max_colleagues = fields.IntField(default=0)
    # The fee in euros (none: free of charge) and what it covers ("inkl. Mittagessen").
    cost = fields.DecimalField(max_digits=COST_DIGITS, decimal_places=COST_PLACES, null=True)
    cost_note = fields.CharField(max_length=COST_NOTE_MAX, default="")
    status = fields.CharField(max_length=20, default=DRAFT, db_index=True)
    ics_sequence = fields.IntField(default=0)
    cancel_deadline = fields.DatetimeField(null=True)
    # This session's own follow-up survey (surveys.Survey); None: the series' one.
    followup_survey_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    tracks: fields.ReverseRelation[Track]
    agenda: fields.ReverseRelation[AgendaItem]
    registrations: fields.ReverseRelation[Registration]
    questions: fields.ReverseRelation[Question]
    invitations: fields.ReverseRelation[Invitation]

    @property
    def full_title(self) -> str:
        return f"{self.title}: {self.topic}" if self.topic else self.title

    @property
    def free(self) -> bool:
        return is_free(self.cost)

    def places_left(self, attendance: str) -> int:
        if attendance == ONLINE:
            return max(0, self.online_capacity - self.online_seats_taken)
        return max(0, self.capacity - self.seats_taken)

    def offered_left(self) -> int:
        """Places left over every way of taking part the session offers."""
        return sum(self.places_left(way) for way in attendances(self.mode))

    class Meta:
        table = "events_session"
        unique_together = (("series", "occurrence_at"),)


class Track(Model):
    """A parallel workshop track chosen during registration, with its own capacity."""

    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation[Session] = fields.ForeignKeyField(
        "events.Session", related_name="tracks", on_delete=fields.CASCADE
    )
    session_id: int
    title = fields.CharField(max_length=200)
    capacity = fields.IntField(default=20)
    seats_taken = fields.IntField(default=0)

    class Meta:
        table = "events_track"


class AgendaItem(Model):
    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation[Session] = fields.ForeignKeyField(
        "events.Session", related_name="agenda", on_delete=fields.CASCADE
    )
    session_id: int
    track: fields.ForeignKeyNullableRelation[Track] = fields.ForeignKeyField(
        "events.Track", related_name="agenda", null=True, on_delete=fields.SET_NULL
    )
    track_id: int | None
    speakers: fields.ReverseRelation[Speaker]
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    title = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    kind = fields.CharField(max_length=20, default=TALK)
    room = fields.CharField(max_length=120, default="")
    position = fields.IntField(default=0)

    class Meta:
        table = "events_agendaitem"


class Speaker(Model):
    id = fields.IntField(primary_key=True)
    agenda_item: fields.ForeignKeyRelation[AgendaItem] = fields.ForeignKeyField(
        "events.AgendaItem", related_name="speakers", on_delete=fields.CASCADE
    )
    agenda_item_id: int
    name = fields.CharField(max_length=200)
    role = fields.CharField(max_length=200, default="")
    organisation = fields.CharField(max_length=200, default="")

    class Meta:
        table = "events_speaker"


class Registration(Model):
    """One person's registration (with colleagues) for one session.

    The email is unique per session. Waitlist order is by waitlisted_at, then id.
    """

    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation[Session] = fields.ForeignKeyField(
        "events.Session", related_name="registrations", on_delete=fields.CASCADE
    )
    session_id: int
    track: fields.ForeignKeyNullableRelation[Track] = fields.ForeignKeyField(
        "events.Track", related_name="registrations", null=True, on_delete=fields.SET_NULL
    )
    track_id: int | None
    status = fields.CharField(max_length=24, db_index=True)
    # in_person or online: which pool of places the seats come from.
    attendance = fields.CharField(max_length=12, default=IN_PERSON)
    name = fields.CharField(max_length=200)
    email = fields.CharField(max_length=254)
    organisation = fields.CharField(max_length=200, default="")
    role = fields.CharField(max_length=200, default="")
    language = fields.CharField(max_length=5, default="de")
    answers: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    colleagues: fields.JSONField[list[dict[str, str]]] = fields.JSONField(default=list)
    # Seats this registration holds while its status is in SEATED: 1 + colleagues at the time of the claim.
    seats = fields.IntField(default=1)
    consent_version = fields.CharField(max_length=40, default="")
    consent_text = fields.TextField(default="")
    manage_token_hash = fields.CharField(max_length=64, unique=True)
    checkin_code = fields.CharField(max_length=16, unique=True)
    ics_uid = fields.CharField(max_length=120, unique=True)
    # Calendar changes of this registration alone (cancelled, back again), added to the session's SEQUENCE.
    ics_own_sequence = fields.IntField(default=0)
    hold_expires_at = fields.DatetimeField(null=True, db_index=True)
    email_confirmed_at = fields.DatetimeField(null=True)
    waitlisted_at = fields.DatetimeField(null=True)
    confirmed_at = fields.DatetimeField(null=True)
    cancelled_at = fields.DatetimeField(null=True)
    checked_in_at = fields.DatetimeField(null=True)
    anonymised_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "events_registration"
        unique_together = (("session", "email"),)


class Question(Model):
    """A custom registration question, defined for a whole series or for one session."""

    id = fields.IntField(primary_key=True)
    series: fields.ForeignKeyNullableRelation[Series] = fields.ForeignKeyField(
        "events.Series", related_name="questions", null=True, on_delete=fields.CASCADE
    )
    series_id: int | None
    session: fields.ForeignKeyNullableRelation[Session] = fields.ForeignKeyField(
        "events.Session", related_name="questions", null=True, on_delete=fields.CASCADE
    )
    session_id: int | None
    kind = fields.CharField(max_length=20, default=TEXT)
    label = fields.CharField(max_length=300)
    options: fields.JSONField[list[str]] = fields.JSONField(default=list)
    required = fields.BooleanField(default=False)
    position = fields.IntField(default=0)

    class Meta:
        table = "events_question"


# Company sizes by head count, as the agency's contact lists use them
CONTACT_SIZES = ("1-9", "10-49", "50-249", "250+")

# Invitation statuses
INVITED, INVITATION_REGISTERED, INVITATION_DECLINED = "invited", "registered", "declined"
INVITATION_STATUSES = (INVITED, INVITATION_REGISTERED, INVITATION_DECLINED)


class Contact(Model):
    """A business in the invitation directory, with the source and date of its consent to be invited."""

    id = fields.IntField(primary_key=True)
    company = fields.CharField(max_length=200)
    contact_person = fields.CharField(max_length=200, default="")
    email = fields.CharField(max_length=254, unique=True)
    sector = fields.CharField(max_length=120, default="", db_index=True)
    size = fields.CharField(max_length=10, default="")
    tags: fields.JSONField[list[str]] = fields.JSONField(default=list)
    consent_source = fields.CharField(max_length=200, default="")
    consent_at = fields.DateField(null=True)
    unsubscribed = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "events_contact"


class Invitation(Model):
    """One contact invited to one session. The personal link's token is stored only as its hash.

    The email is copied so that the counts survive deleting the contact.
    """

    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation[Session] = fields.ForeignKeyField(
        "events.Session", related_name="invitations", on_delete=fields.CASCADE
    )
    session_id: int
    contact: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "events.Contact", related_name="invitations", null=True, on_delete=fields.SET_NULL
    )
    contact_id: int | None
    email = fields.CharField(max_length=254)
    token_hash = fields.CharField(max_length=64, unique=True)
    status = fields.CharField(max_length=12, default=INVITED, db_index=True)
    registration_id = fields.IntField(null=True)
    invited_at = fields.DatetimeField()
    registered_at = fields.DatetimeField(null=True)
    declined_at = fields.DatetimeField(null=True)

    class Meta:
        table = "events_invitation"
        unique_together = (("session", "email"),)
