"""Input of the staff's planning: one model per form (series, session, agenda item, track, question, ...).

The session models serve the staff pages and the staff API alike (POST and PATCH /api/v1/staff/sessions): times
from a form's datetime-local inputs are wall time in the configured zone, times in JSON carry their offset
(agora.forms.Moment). Rules that need the stored record (the end after the start when only one of them
changes, the capacity above the seats taken) stay with the services.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator
from starlette.datastructures import FormData

from agora.forms import (
    Checkbox,
    Id,
    InputModel,
    Integer,
    Line,
    Moment,
    OneOf,
    OptionalEmail,
    OptionalMoment,
    OptionalMoney,
    Paragraph,
    WebAddress,
    form_data,
    form_rows,
    local_value,
    row_input,
)
from agora.forms import column_length as limit
from agora.i18n import gettext as _
from events.models import (
    AGENDA_KINDS,
    QUESTION_KINDS,
    SESSION_KINDS,
    SESSION_MODES,
    AgendaItem,
    Series,
    Session,
    Speaker,
    Track,
)
from events.recurrence import MAX_GENERATE, parse_rule


def _no_id(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


# A chosen record of a select that may be left empty ("" is none).
OptionalId = Annotated[Id | None, BeforeValidator(_no_id)]

DESCRIPTION_MAX = 20_000
NOTE_MAX = 5_000
MAX_SEATS = 100_000
MAX_COLLEAGUES = 50
SPEAKER_ROWS = 3


class SeriesInput(InputModel):
    """Creating or editing a series; `preview` is the button that only shows the next dates."""

    title: Annotated[str, Line(limit(Series, "title"), min_length=1)]
    description: Annotated[str, Paragraph(DESCRIPTION_MAX)] = ""
    office: Annotated[str, Line(limit(Series, "office"))] = ""
    contact_email: OptionalEmail = ""
    contact_phone: Annotated[str, Line(limit(Series, "contact_phone"))] = ""
    venue_name: Annotated[str, Line(limit(Series, "venue_name"))] = ""
    venue_address: Annotated[str, Line(limit(Series, "venue_address"))] = ""
    venue_room: Annotated[str, Line(limit(Series, "venue_room"))] = ""
    venue_accessibility: Annotated[str, Paragraph(NOTE_MAX)] = ""
    rrule: Annotated[str, Paragraph(2_000)] = ""
    default_duration_minutes: Annotated[int, Integer(1, 7 * 24 * 60)] = 120
    default_capacity: Annotated[int, Integer(0, MAX_SEATS)] = 30
    reminder_offset_hours: Annotated[int, Integer(0, 24 * 60)] = 24
    cost: OptionalMoney = Field(default=None, description="What each date costs in euros; none: free of charge.")
    cost_note: Annotated[str, Line(limit(Series, "cost_note"))] = Field(
        default="", description="What the cost covers, e.g. lunch."
    )
    followup_survey_id: OptionalId = Field(default=None, description="The follow-up survey after each session.")
    preview: Checkbox = False

    @field_validator("rrule")
    @classmethod
    def _rule(cls, rule: str) -> str:
        if rule:
            try:
                parse_rule(rule)
            except (ValueError, TypeError, OverflowError):
                raise ValueError(_("This recurrence rule is not valid.")) from None
        return rule

    def fields(self) -> dict[str, Any]:
        return self.model_dump(exclude={"preview"})


class GenerateInput(InputModel):
    count: Annotated[int, Integer(1, MAX_GENERATE)]


class SkipInput(InputModel):
    occurrence: Moment


class QuestionInput(InputModel):
    """A custom question of a series or a session (its form's inputs are named q_...)."""

    label: Annotated[str, Line(300, min_length=1)]
    kind: Annotated[str, OneOf(*QUESTION_KINDS)] = "text"
    options: Annotated[str, Paragraph(5_000)] = ""
    required: Checkbox = False
    position: Annotated[int, Integer(0, 1_000)] = 0

    def fields(self) -> dict[str, Any]:
        options = [line.strip() for line in self.options.splitlines() if line.strip()]
        return {**self.model_dump(exclude={"options"}), "options": options}


def _given_only(schema: dict[str, Any]) -> None:
    """No defaults in the schema: a field left out is not changed (PATCH), or taken from the series (POST)."""
    for spec in schema.get("properties", {}).values():
        spec.pop("default", None)


class _SessionFields(InputModel):
    """What a session's form and the staff API share, apart from the title and the times."""

    model_config = ConfigDict(**InputModel.model_config, json_schema_extra=_given_only)

    kind: Annotated[str, OneOf(*SESSION_KINDS)] = "dialogue"
    description: Annotated[str, Paragraph(DESCRIPTION_MAX)] = Field(default="", description="Markdown.")
    venue_name: Annotated[str, Line(limit(Session, "venue_name"))] = ""
    venue_address: Annotated[str, Line(limit(Session, "venue_address"))] = ""
    venue_room: Annotated[str, Line(limit(Session, "venue_room"))] = ""
    venue_accessibility: Annotated[str, Paragraph(NOTE_MAX)] = ""
    topic: Annotated[str, Line(limit(Session, "topic"))] = Field(
        default="", description="What this date is about (tells the dates of a series apart)."
    )
    directions: Annotated[str, Paragraph(NOTE_MAX)] = Field(default="", description="Public transport and parking.")
    online_url: Annotated[str, WebAddress(limit(Session, "online_url"))] = Field(
        default="", description="https:// address of the online part, or empty."
    )
    contact_email: OptionalEmail = ""
    mode: Annotated[str, OneOf(*SESSION_MODES)] = Field(default="in_person", description="in_person, online or hybrid.")
    capacity: Annotated[int, Integer(0, MAX_SEATS)] = Field(default=30, description="Seats in the room.")
    online_capacity: Annotated[int, Integer(0, MAX_SEATS)] = Field(default=0, description="Places online.")
    max_colleagues: Annotated[int, Integer(0, MAX_COLLEAGUES)] = 0
    cost: OptionalMoney = Field(default=None, description="The fee in euros; none: free of charge.")
    cost_note: Annotated[str, Line(limit(Session, "cost_note"))] = Field(
        default="", description="What the cost covers, e.g. lunch."
    )
    requires_approval: Checkbox = False
    registration_opens_at: OptionalMoment = None
    registration_closes_at: OptionalMoment = None
    cancel_deadline: OptionalMoment = None
    followup_survey_id: OptionalId = Field(
        default=None, description="The survey after this session; none: the series' follow-up survey."
    )

    @classmethod
    def from_form(cls, form: FormData) -> dict[str, Any]:
        # An unchecked box is absent from the form, which for a change means "no".
        return {**form_data(form, cls), "requires_approval": form.get("requires_approval") or "off"}


def _never_null(schema: dict[str, Any]) -> None:
    """The start and end may be left out of a change, but not set to nothing."""
    _given_only(schema)
    for name in ("starts_at", "ends_at"):
        spec = schema["properties"][name]
        spec.update(next(option for option in spec.pop("anyOf") if option.get("type") != "null"))


class SessionChange(_SessionFields):
    """Changing a session: the fields given are changed (PATCH), the form sends them all."""

    model_config = ConfigDict(**InputModel.model_config, json_schema_extra=_never_null)

    title: Annotated[str, Line(limit(Session, "title"), min_length=1)] = ""
    starts_at: OptionalMoment = None
    ends_at: OptionalMoment = None

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _given(cls, moment: datetime | None) -> datetime:
        if moment is None:
            raise ValueError(_("Please enter a date and time."))
        return moment

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class SessionCreate(_SessionFields):
    """A new session, a draft unless `publish`. With a series, fields left empty take the series' values (its
    title, venue, contact), so the title may be empty then."""

    series_id: Id | None = None
    title: Annotated[str, Line(limit(Session, "title"))] = Field(default="", validate_default=True)
    starts_at: Moment
    ends_at: Moment
    publish: Checkbox = Field(default=False, description="Publish at once instead of creating a draft.")

    @field_validator("title")
    @classmethod
    def _titled(cls, title: str, info: ValidationInfo) -> str:
        if not title and info.data.get("series_id") is None:
            raise ValueError(_("Please enter a title."))
        return title

    @classmethod
    def from_form(cls, form: FormData) -> dict[str, Any]:
        data = super().from_form(form)
        if not data.get("series_id"):
            data.pop("series_id", None)
        return data

    def fields(self) -> dict[str, Any]:
        """The service's arguments: with a series, empty text (and no cost) takes the series' value."""
        data = self.model_dump(exclude={"publish"}, exclude_unset=True)
        data.update(starts_at=self.starts_at, ends_at=self.ends_at)
        if self.series_id is not None:
            data = {k: v for k, v in data.items() if v != "" and not (k == "cost" and v is None)}
        return data


class CancelInput(InputModel):
    reason: Annotated[str, Paragraph(2_000, min_length=1)]


class MoveInput(InputModel):
    move_starts_at: Moment
    move_ends_at: OptionalMoment = None


class SpeakerRow(InputModel):
    """A speaker; a row left empty is none. (Role and organisation are read first, so the name rule sees them.)"""

    role: Annotated[str, Line(limit(Speaker, "role"))] = ""
    organisation: Annotated[str, Line(limit(Speaker, "organisation"))] = ""
    name: Annotated[str, Line(limit(Speaker, "name"))] = ""

    @field_validator("name")
    @classmethod
    def _named(cls, name: str, info: ValidationInfo) -> str:
        if not name and (info.data.get("role") or info.data.get("organisation")):
            raise ValueError(_("Please enter the speaker's name."))
        return name


class AgendaItemInput(InputModel):
    """An agenda item with up to SPEAKER_ROWS speakers (inputs speaker_<i>_name, _role, _organisation)."""

    starts_at: Moment
    ends_at: Moment
    title: Annotated[str, Line(limit(AgendaItem, "title"), min_length=1)]
    description: Annotated[str, Paragraph(NOTE_MAX)] = ""
    kind: Annotated[str, OneOf(*AGENDA_KINDS)] = "talk"
    room: Annotated[str, Line(limit(AgendaItem, "room"))] = ""
    track_id: Id | None = None
    speakers: list[SpeakerRow] = Field(default_factory=list, max_length=SPEAKER_ROWS)

    @field_validator("ends_at")
    @classmethod
    def _after_start(cls, ends: datetime, info: ValidationInfo) -> datetime:
        starts = info.data.get("starts_at")
        if starts is not None and ends <= starts:
            raise ValueError(_("The end must be after the start."))
        return ends

    @classmethod
    def from_form(cls, form: FormData) -> dict[str, Any]:
        data = form_data(form, cls)
        if not data.get("track_id"):
            data.pop("track_id", None)
        data["speakers"] = form_rows(form, "speaker", ("name", "role", "organisation"), SPEAKER_ROWS)
        return data

    @classmethod
    def form_field(cls, path: str) -> str:
        return row_input(path, "speakers", "speaker") or super().form_field(path)

    def fields(self) -> dict[str, Any]:
        speakers = [row.model_dump() for row in self.speakers if row.name]
        return {**self.model_dump(exclude={"speakers"}), "speakers": speakers}

    def shown(self) -> dict[str, Any]:
        return self.model_dump()


class TrackInput(InputModel):
    """A workshop track (inputs track_title, track_capacity; track_<id>_... when editing one)."""

    title: Annotated[str, Line(limit(Track, "title"), min_length=1)]
    capacity: Annotated[int, Integer(0, MAX_SEATS)]


class CheckinInput(InputModel):
    code: Annotated[str, Line(40, min_length=1)]
    q: Annotated[str, Line(100)] = ""


class CheckinSearch(InputModel):
    q: Annotated[str, Line(100)] = ""


def shown(values: dict[str, Any]) -> dict[str, Any]:
    """Values as a form shows them again: times as datetime-local values."""
    return {k: local_value(v) if isinstance(v, datetime) else v for k, v in values.items()}
