"""Tortoise models: consultations in sections, contributions, supports, flags, responses, groups, follows, audit log.

A consultation's phase is derived from its dates (see phase()), never stored, so that it cannot drift from them.
A contribution's author is a participant once the email address is verified; before that only the address is
kept (author_email) and the contribution waits. Received-elsewhere contributions have no participant, only a
sender as far as given.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise import fields
from tortoise.models import Model

# Phases, in order
DRAFT, UPCOMING, OPEN, CLOSED, EVALUATION, RESULT = "draft", "upcoming", "open", "closed", "evaluation", "result"
PHASES = (DRAFT, UPCOMING, OPEN, CLOSED, EVALUATION, RESULT)

PRE, POST = "pre", "post"
MODERATION_MODES = (PRE, POST)

# Contribution categories
SUGGESTION, OBJECTION, QUESTION, AGREEMENT = "suggestion", "objection", "question", "agreement"
CATEGORIES = (SUGGESTION, OBJECTION, QUESTION, AGREEMENT)

# Contribution statuses
PENDING_VERIFICATION = "pending_verification"
PENDING_MODERATION = "pending_moderation"
PUBLISHED = "published"
HIDDEN = "hidden"
WITHDRAWN = "withdrawn"
STATUSES = (PENDING_VERIFICATION, PENDING_MODERATION, PUBLISHED, HIDDEN, WITHDRAWN)

# Kinds of submission
ONLINE, LETTER, EMAIL, MEETING = "online", "letter", "email", "meeting"
SUBMISSION_KINDS = (ONLINE, LETTER, EMAIL, MEETING)

# Votes and their XBeteiligung codes
ACCEPTED, ALREADY, NOT_ACCEPTED, WORKING_GROUP, NOTED, PARTLY = (
    "accepted",
    "already",
    "not_accepted",
    "working_group",
    "noted",
    "partly",
)
VOTES = (ACCEPTED, PARTLY, NOT_ACCEPTED, NOTED, ALREADY, WORKING_GROUP)
# XBeteiligung knows no "partly": a partly accepted contribution is followed in part, so it is coded as followed.
XBETEILIGUNG_CODES = {
    ACCEPTED: 1000,
    PARTLY: 1000,
    ALREADY: 2000,
    NOT_ACCEPTED: 3000,
    WORKING_GROUP: 4000,
    NOTED: 5000,
}

# Response states
DRAFTED, RELEASED, RESPONSE_PUBLISHED = "drafted", "released", "published"
RESPONSE_STATES = (DRAFTED, RELEASED, RESPONSE_PUBLISHED)

SINGLE, DIGEST = "single", "digest"
FOLLOW_MODES = (SINGLE, DIGEST)

MAX_DEPTH = 2  # a contribution (0), a reply (1), a reply to a reply (2)


class Consultation(Model):
    """A draft the town asks citizens about, its body in Markdown with each heading becoming a numbered section."""

    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=120, unique=True)
    title = fields.CharField(max_length=200)
    summary = fields.TextField(default="")
    office = fields.CharField(max_length=200, default="")
    contact_name = fields.CharField(max_length=120, default="")
    contact_email = fields.CharField(max_length=254, default="")
    topics: fields.JSONField[list[str]] = fields.JSONField(default=list)
    body = fields.TextField(default="")
    moderation = fields.CharField(max_length=10, default=POST)
    flag_threshold = fields.IntField(default=3)
    # Phase dates: published_at None is a draft only staff see.
    published_at = fields.DatetimeField(null=True)
    opens_at = fields.DatetimeField(null=True)
    closes_at = fields.DatetimeField(null=True)
    evaluation_at = fields.DatetimeField(null=True)
    result_published_at = fields.DatetimeField(null=True)
    result_summary = fields.TextField(default="")
    # A survey (surveys.Survey) asked beside the consultation, linked from its page while the survey is open.
    survey_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    sections: fields.ReverseRelation[Section]
    contributions: fields.ReverseRelation[Contribution]

    class Meta:
        table = "participation_consultation"

    def phase(self, now: datetime | None = None) -> str:
        now = now or datetime.now(UTC)
        if self.published_at is None or self.published_at > now:
            return DRAFT
        if self.result_published_at is not None and self.result_published_at <= now:
            return RESULT
        if self.evaluation_at is not None and self.evaluation_at <= now:
            return EVALUATION
        if self.opens_at is None or self.opens_at > now:
            return UPCOMING
        if self.closes_at is None or self.closes_at > now:
            return OPEN
        return CLOSED

    def is_open(self, now: datetime | None = None) -> bool:
        return self.phase(now) == OPEN


class Section(Model):
    """One numbered section of the draft, from a heading of the Markdown body."""

    id = fields.IntField(primary_key=True)
    consultation: fields.ForeignKeyRelation[Consultation] = fields.ForeignKeyField(
        "participation.Consultation", related_name="sections", on_delete=fields.CASCADE
    )
    consultation_id: int
    number = fields.CharField(max_length=20)
    position = fields.IntField()
    level = fields.IntField(default=1)
    anchor = fields.CharField(max_length=140)
    heading = fields.CharField(max_length=300)
    body = fields.TextField(default="")
    # Character range of the section in the body (XBeteiligung locates a contribution this way).
    start = fields.IntField(default=0)
    end = fields.IntField(default=0)

    class Meta:
        table = "participation_section"
        unique_together = (("consultation", "anchor"),)


class Group(Model):
    """Similar contributions answered together."""

    id = fields.IntField(primary_key=True)
    consultation: fields.ForeignKeyRelation[Consultation] = fields.ForeignKeyField(
        "participation.Consultation", related_name="groups", on_delete=fields.CASCADE
    )
    consultation_id: int
    title = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)

    members: fields.ReverseRelation[Contribution]

    class Meta:
        table = "participation_group"


class Contribution(Model):
    """A contribution on a section or on the whole draft, or a reply (parent set)."""

    id = fields.IntField(primary_key=True)
    consultation: fields.ForeignKeyRelation[Consultation] = fields.ForeignKeyField(
        "participation.Consultation", related_name="contributions", on_delete=fields.CASCADE
    )
    consultation_id: int
    section: fields.ForeignKeyNullableRelation[Section] = fields.ForeignKeyField(
        "participation.Section", related_name="contributions", null=True, on_delete=fields.SET_NULL
    )
    section_id: int | None
    parent: fields.ForeignKeyNullableRelation[Contribution] = fields.ForeignKeyField(
        "participation.Contribution", related_name="replies", null=True, on_delete=fields.CASCADE
    )
    parent_id: int | None
    depth = fields.IntField(default=0)
    number = fields.IntField(default=0)
    category = fields.CharField(max_length=20, default=SUGGESTION)
    body = fields.TextField()
    # Participants live in the kernel's app; an id, not a foreign key, and the deletion hook anonymises.
    author_id = fields.IntField(null=True, db_index=True)
    # Kept only until the address is verified; then the participant is the author.
    author_email = fields.CharField(max_length=254, default="", db_index=True)
    author_name = fields.CharField(max_length=120, default="")
    show_name = fields.BooleanField(default=False)
    organisation = fields.CharField(max_length=200, default="")
    status = fields.CharField(max_length=24, default=PENDING_VERIFICATION, db_index=True)
    hidden_reason = fields.TextField(default="")
    kind = fields.CharField(max_length=10, default=ONLINE)
    received_at = fields.DatetimeField()
    sender = fields.TextField(default="")
    office = fields.CharField(max_length=200, default="")
    note = fields.TextField(default="")
    group: fields.ForeignKeyNullableRelation[Group] = fields.ForeignKeyField(
        "participation.Group", related_name="members", null=True, on_delete=fields.SET_NULL
    )
    group_id: int | None
    supports_count = fields.IntField(default=0)
    flags_count = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    edited_at = fields.DatetimeField(null=True)

    replies: fields.ReverseRelation[Contribution]
    supports: fields.ReverseRelation[Support]
    flags: fields.ReverseRelation[Flag]
    response: fields.BackwardOneToOneRelation[Response]

    class Meta:
        table = "participation_contribution"


class Support(Model):
    """A co-signature: one per person and contribution."""

    id = fields.IntField(primary_key=True)
    contribution: fields.ForeignKeyRelation[Contribution] = fields.ForeignKeyField(
        "participation.Contribution", related_name="supports", on_delete=fields.CASCADE
    )
    contribution_id: int
    participant_id = fields.IntField(db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "participation_support"
        unique_together = (("contribution", "participant_id"),)


class Flag(Model):
    """A reader's report that a contribution breaks the rules, with a reason."""

    id = fields.IntField(primary_key=True)
    contribution: fields.ForeignKeyRelation[Contribution] = fields.ForeignKeyField(
        "participation.Contribution", related_name="flags", on_delete=fields.CASCADE
    )
    contribution_id: int
    participant_id = fields.IntField(db_index=True)
    reason = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "participation_flag"
        unique_together = (("contribution", "participant_id"),)


class Response(Model):
    """The town's response to one contribution (a group's answer is written to each member)."""

    id = fields.IntField(primary_key=True)
    contribution: fields.OneToOneRelation[Contribution] = fields.OneToOneField(
        "participation.Contribution", related_name="response", on_delete=fields.CASCADE
    )
    contribution_id: int
    vote = fields.CharField(max_length=20)
    text = fields.TextField()
    state = fields.CharField(max_length=10, default=DRAFTED, db_index=True)
    office = fields.CharField(max_length=200, default="")
    drafted_by = fields.CharField(max_length=120, default="")
    released_by = fields.CharField(max_length=120, default="")
    published_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "participation_response"

    @property
    def code(self) -> int:
        return XBETEILIGUNG_CODES[self.vote]


class TextModule(Model):
    """A reusable piece of response text."""

    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=200)
    text = fields.TextField()
    vote = fields.CharField(max_length=20, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "participation_textmodule"


class Follow(Model):
    """A participant following a consultation, by single mails or a daily digest."""

    id = fields.IntField(primary_key=True)
    consultation: fields.ForeignKeyRelation[Consultation] = fields.ForeignKeyField(
        "participation.Consultation", related_name="follows", on_delete=fields.CASCADE
    )
    consultation_id: int
    participant_id = fields.IntField(db_index=True)
    mode = fields.CharField(max_length=10, default=SINGLE)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "participation_follow"
        unique_together = (("consultation", "participant_id"),)


class AuditEntry(Model):
    """One moderation or weighing action: who did what to which contribution, and why."""

    id = fields.IntField(primary_key=True)
    consultation_id = fields.IntField(null=True, db_index=True)
    contribution_id = fields.IntField(null=True, db_index=True)
    actor = fields.CharField(max_length=254)
    action = fields.CharField(max_length=40)
    detail = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "participation_auditentry"


class Block(Model):
    """A participant who may not contribute, support or flag until a moderator lifts the block."""

    id = fields.IntField(primary_key=True)
    participant_id = fields.IntField(unique=True)
    reason = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "participation_block"


class Attachment(Model):
    """A file attached to a consultation (public), or the scan of a contribution received elsewhere (staff only)."""

    # The bytes live in the data directory under `stored_name`, never under the uploader's name.

    id = fields.IntField(primary_key=True)
    consultation: fields.ForeignKeyRelation[Consultation] = fields.ForeignKeyField(
        "participation.Consultation", related_name="attachments", on_delete=fields.CASCADE
    )
    consultation_id: int
    # Set for a scan of a contribution received elsewhere; such an attachment is never public.
    contribution_id = fields.IntField(null=True, db_index=True)
    filename = fields.CharField(max_length=200)
    kind = fields.CharField(max_length=10)
    size = fields.IntField()
    stored_name = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "participation_attachment"
