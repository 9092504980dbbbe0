"""Input of consultations: one model per use case, for the staff pages, the public pages and the JSON API."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator

from agora.forms import (
    Checkbox,
    Id,
    InputModel,
    Integer,
    Line,
    OneOf,
    OptionalEmail,
    OptionalMoment,
    Paragraph,
)
from agora.forms import column_length as limit
from agora.i18n import gettext as _
from participation.document import slugify
from participation.models import (
    CATEGORIES,
    FOLLOW_MODES,
    MODERATION_MODES,
    POST,
    SUBMISSION_KINDS,
    SUGGESTION,
    VOTES,
    Consultation,
    Contribution,
    Group,
    Response,
    TextModule,
)

BODY_MAX = 200_000
SUMMARY_MAX = 5_000
CONTRIBUTION_MAX = 5_000
REASON_MAX = 1_000
RESPONSE_MAX = 5_000
TOPICS_MAX = 500
MAX_LINKS = 3


class ConsultationInput(InputModel):
    """Creating or editing a consultation; `preview` only shows the sections the body becomes."""

    title: Annotated[str, Line(limit(Consultation, "title"), min_length=1)]
    slug: Annotated[str, Line(limit(Consultation, "slug"))] = ""
    summary: Annotated[str, Paragraph(SUMMARY_MAX)] = ""
    office: Annotated[str, Line(limit(Consultation, "office"))] = ""
    contact_name: Annotated[str, Line(limit(Consultation, "contact_name"))] = ""
    contact_email: OptionalEmail = ""
    topics: Annotated[str, Line(TOPICS_MAX)] = ""
    body: Annotated[str, Paragraph(BODY_MAX)] = ""
    moderation: Annotated[str, OneOf(*MODERATION_MODES)] = POST
    flag_threshold: Annotated[int, Integer(1, 1_000)] = 3
    published_at: OptionalMoment = None
    opens_at: OptionalMoment = None
    closes_at: OptionalMoment = None
    evaluation_at: OptionalMoment = None
    result_published_at: OptionalMoment = None
    result_summary: Annotated[str, Paragraph(SUMMARY_MAX)] = ""
    survey_id: Id | None = Field(default=None, description="A published survey asked beside the consultation.")
    preview: Checkbox = False

    @field_validator("survey_id", mode="before")
    @classmethod
    def _no_survey(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        if value and slugify(value) != value:
            raise ValueError(_("Please use only lower-case letters, digits and hyphens."))
        return value

    @field_validator("closes_at")
    @classmethod
    def _order(cls, value: Any, info: Any) -> Any:
        opens = info.data.get("opens_at")
        if value is not None and opens is not None and value <= opens:
            raise ValueError(_("The end must be after the start."))
        return value

    def fields(self) -> dict[str, Any]:
        data = self.model_dump(exclude={"preview", "topics"})
        data["topics"] = [t.strip() for t in self.topics.split(",") if t.strip()]
        data["slug"] = self.slug or slugify(self.title)
        return data


class ContributionInput(InputModel):
    """A contribution or a reply from the public form (and the JSON API). `website` is the honeypot."""

    body: Annotated[str, Paragraph(CONTRIBUTION_MAX, min_length=1)]
    category: Annotated[str, OneOf(*CATEGORIES)] = SUGGESTION
    section_id: Id | None = None
    parent_id: Id | None = None
    email: OptionalEmail = ""
    name: Annotated[str, Line(limit(Contribution, "author_name"))] = ""
    organisation: Annotated[str, Line(limit(Contribution, "organisation"))] = ""
    show_name: Checkbox = False
    website: Annotated[str, Line(200)] = ""

    @field_validator("body")
    @classmethod
    def _links(cls, value: str) -> str:
        if value.count("http://") + value.count("https://") + value.count("www.") > MAX_LINKS:
            raise ValueError(_("Please include at most %(max)s links.", max=MAX_LINKS))
        return value

    @field_validator("section_id", "parent_id", mode="before")
    @classmethod
    def _blank_id(cls, value: Any) -> Any:
        return None if value == "" else value


class EditInput(InputModel):
    body: Annotated[str, Paragraph(CONTRIBUTION_MAX, min_length=1)]


class FlagInput(InputModel):
    reason: Annotated[str, Paragraph(REASON_MAX, min_length=1)]


class FollowInput(InputModel):
    mode: Annotated[str, OneOf(*FOLLOW_MODES)]


class ReceivedInput(InputModel):
    """A contribution received by letter, email or at a meeting, entered by staff."""

    body: Annotated[str, Paragraph(BODY_MAX, min_length=1)]
    category: Annotated[str, OneOf(*CATEGORIES)] = SUGGESTION
    section_id: Id | None = None
    kind: Annotated[str, OneOf(*SUBMISSION_KINDS[1:])]
    received_on: OptionalMoment = None
    sender: Annotated[str, Paragraph(1_000)] = ""
    organisation: Annotated[str, Line(limit(Contribution, "organisation"))] = ""
    show_name: Checkbox = False

    @field_validator("section_id", mode="before")
    @classmethod
    def _blank_id(cls, value: Any) -> Any:
        return None if value == "" else value


MODERATION_ACTIONS = ("publish", "hide")


class ModerationInput(InputModel):
    """A moderator's decision on one or several contributions (the queue's bulk form)."""

    action: Annotated[str, OneOf(*MODERATION_ACTIONS)]
    ids: Annotated[list[Id], Field(min_length=1, max_length=500)]
    reason: Annotated[str, Paragraph(REASON_MAX)] = Field(default="", validate_default=True)

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str, info: Any) -> str:
        if info.data.get("action") == "hide" and not value:
            raise ValueError(_("Please give the reason the author will be told."))
        return value


class BlockInput(InputModel):
    reason: Annotated[str, Paragraph(REASON_MAX)] = ""


class ResponseInput(InputModel):
    """A response to one contribution or to a group: the vote, the text, the office."""

    vote: Annotated[str, OneOf(*VOTES)]
    text: Annotated[str, Paragraph(RESPONSE_MAX, min_length=1)]
    office: Annotated[str, Line(limit(Response, "office"))] = ""
    note: Annotated[str, Paragraph(RESPONSE_MAX)] = ""


class GroupInput(InputModel):
    title: Annotated[str, Line(limit(Group, "title"), min_length=1)]
    ids: Annotated[list[Id], Field(min_length=1, max_length=500)]


class TextModuleInput(InputModel):
    title: Annotated[str, Line(limit(TextModule, "title"), min_length=1)]
    text: Annotated[str, Paragraph(RESPONSE_MAX, min_length=1)]
    vote: Annotated[str, OneOf("", *VOTES)] = ""


class SortQuery(InputModel):
    sort: Annotated[str, OneOf("newest", "oldest", "supported")] = "newest"


class QueueQuery(InputModel):
    status: Annotated[str, OneOf("waiting", "flagged", "published", "hidden")] = "waiting"
    consultation: Id | None = None
    sort: Annotated[str, OneOf("oldest", "newest", "flags")] = "oldest"

    @field_validator("consultation", mode="before")
    @classmethod
    def _blank_id(cls, value: Any) -> Any:
        return None if value == "" else value


class IdsInput(InputModel):
    """Contributions chosen in a list (release their responses)."""

    ids: Annotated[list[Id], Field(min_length=1, max_length=500)]


class BodyInput(InputModel):
    """The converted body of an uploaded document, confirmed after the preview."""

    body: Annotated[str, Paragraph(BODY_MAX, min_length=1)]
