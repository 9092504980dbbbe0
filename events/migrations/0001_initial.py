import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="Series",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("title", fields.CharField(max_length=200)),
                ("description", fields.TextField(default="", unique=False)),
                ("office", fields.CharField(default="", max_length=200)),
                ("contact_email", fields.CharField(default="", max_length=254)),
                ("contact_phone", fields.CharField(default="", max_length=60)),
                ("venue_name", fields.CharField(default="", max_length=200)),
                ("venue_address", fields.CharField(default="", max_length=300)),
                ("venue_room", fields.CharField(default="", max_length=120)),
                ("venue_accessibility", fields.TextField(default="", unique=False)),
                ("default_duration_minutes", fields.IntField(default=120)),
                ("default_capacity", fields.IntField(default=30)),
                ("rrule", fields.TextField(default="", unique=False)),
                (
                    "skipped",
                    fields.JSONField(
                        default=list, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                ("reminder_offset_hours", fields.IntField(default=24)),
                ("followup_survey_url", fields.CharField(default="", max_length=500)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "events_series",
                "app": "events",
                "pk_attr": "id",
                "table_description": "A recurring series such as the quarterly breakfast. Its rule is an RFC 5545 RRULE in local time.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Session",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "series",
                    fields.ForeignKeyField(
                        "events.Series",
                        source_field="series_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="sessions",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("occurrence_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("kind", fields.CharField(default="dialogue", max_length=20)),
                ("title", fields.CharField(max_length=200)),
                ("description", fields.TextField(default="", unique=False)),
                ("starts_at", fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ("ends_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("venue_name", fields.CharField(default="", max_length=200)),
                ("venue_address", fields.CharField(default="", max_length=300)),
                ("venue_room", fields.CharField(default="", max_length=120)),
                ("venue_accessibility", fields.TextField(default="", unique=False)),
                ("online_url", fields.CharField(default="", max_length=500)),
                ("contact_email", fields.CharField(default="", max_length=254)),
                ("capacity", fields.IntField(default=30)),
                ("seats_taken", fields.IntField(default=0)),
                (
                    "registration_opens_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "registration_closes_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("requires_approval", fields.BooleanField(default=False)),
                ("max_colleagues", fields.IntField(default=0)),
                ("status", fields.CharField(default="draft", db_index=True, max_length=20)),
                ("ics_sequence", fields.IntField(default=0)),
                ("cancel_deadline", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "events_session",
                "app": "events",
                "unique_together": (("series", "occurrence_at"),),
                "pk_attr": "id",
                "table_description": "One dated event: a dialogue session, a workshop or an information event.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Question",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "series",
                    fields.ForeignKeyField(
                        "events.Series",
                        source_field="series_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="questions",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "session",
                    fields.ForeignKeyField(
                        "events.Session",
                        source_field="session_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="questions",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("kind", fields.CharField(default="text", max_length=20)),
                ("label", fields.CharField(max_length=300)),
                (
                    "options",
                    fields.JSONField(
                        default=list, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                ("required", fields.BooleanField(default=False)),
                ("position", fields.IntField(default=0)),
            ],
            options={
                "table": "events_question",
                "app": "events",
                "pk_attr": "id",
                "table_description": "A custom registration question, defined for a whole series or for one session.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Track",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "session",
                    fields.ForeignKeyField(
                        "events.Session",
                        source_field="session_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="tracks",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("title", fields.CharField(max_length=200)),
                ("capacity", fields.IntField(default=20)),
                ("seats_taken", fields.IntField(default=0)),
            ],
            options={
                "table": "events_track",
                "app": "events",
                "pk_attr": "id",
                "table_description": "A parallel workshop track chosen during registration, with its own capacity.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="AgendaItem",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "session",
                    fields.ForeignKeyField(
                        "events.Session",
                        source_field="session_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="agenda",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "track",
                    fields.ForeignKeyField(
                        "events.Track",
                        source_field="track_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="agenda",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("starts_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("ends_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("title", fields.CharField(max_length=200)),
                ("description", fields.TextField(default="", unique=False)),
                ("kind", fields.CharField(default="talk", max_length=20)),
                ("room", fields.CharField(default="", max_length=120)),
                ("position", fields.IntField(default=0)),
            ],
            options={"table": "events_agendaitem", "app": "events", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Registration",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "session",
                    fields.ForeignKeyField(
                        "events.Session",
                        source_field="session_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="registrations",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "track",
                    fields.ForeignKeyField(
                        "events.Track",
                        source_field="track_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="registrations",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("status", fields.CharField(db_index=True, max_length=24)),
                ("name", fields.CharField(max_length=200)),
                ("email", fields.CharField(max_length=254)),
                ("organisation", fields.CharField(default="", max_length=200)),
                ("role", fields.CharField(default="", max_length=200)),
                ("language", fields.CharField(default="de", max_length=5)),
                (
                    "answers",
                    fields.JSONField(
                        default=dict, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                (
                    "colleagues",
                    fields.JSONField(
                        default=list, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                ("seats", fields.IntField(default=1)),
                ("consent_version", fields.CharField(default="", max_length=40)),
                ("consent_text", fields.TextField(default="", unique=False)),
                ("manage_token_hash", fields.CharField(unique=True, max_length=64)),
                ("checkin_code", fields.CharField(unique=True, max_length=16)),
                ("ics_uid", fields.CharField(unique=True, max_length=120)),
                (
                    "hold_expires_at",
                    fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False),
                ),
                ("email_confirmed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("waitlisted_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("confirmed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("cancelled_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("checked_in_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("anonymised_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "events_registration",
                "app": "events",
                "unique_together": (("session", "email"),),
                "pk_attr": "id",
                "table_description": "One person's registration (with colleagues) for one session.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Speaker",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "agenda_item",
                    fields.ForeignKeyField(
                        "events.AgendaItem",
                        source_field="agenda_item_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="speakers",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("name", fields.CharField(max_length=200)),
                ("role", fields.CharField(default="", max_length=200)),
                ("organisation", fields.CharField(default="", max_length=200)),
            ],
            options={"table": "events_speaker", "app": "events", "pk_attr": "id"},
            bases=["Model"],
        ),
    ]
