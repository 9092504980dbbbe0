import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Contact",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("company", fields.CharField(max_length=200)),
                ("contact_person", fields.CharField(default="", max_length=200)),
                ("email", fields.CharField(unique=True, max_length=254)),
                ("sector", fields.CharField(default="", db_index=True, max_length=120)),
                ("size", fields.CharField(default="", max_length=10)),
                (
                    "tags",
                    fields.JSONField(
                        default=list, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                ("consent_source", fields.CharField(default="", max_length=200)),
                ("consent_at", fields.DateField(null=True)),
                ("unsubscribed", fields.BooleanField(default=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "events_contact",
                "app": "events",
                "pk_attr": "id",
                "table_description": "A business in the invitation directory, with the source and date of its consent to be invited.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Invitation",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "session",
                    fields.ForeignKeyField(
                        "events.Session",
                        source_field="session_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="invitations",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "contact",
                    fields.ForeignKeyField(
                        "events.Contact",
                        source_field="contact_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="invitations",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("email", fields.CharField(max_length=254)),
                ("token_hash", fields.CharField(unique=True, max_length=64)),
                ("status", fields.CharField(default="invited", db_index=True, max_length=12)),
                ("registration_id", fields.IntField(null=True)),
                ("invited_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("registered_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("declined_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "events_invitation",
                "app": "events",
                "unique_together": (("session", "email"),),
                "pk_attr": "id",
                "table_description": "One contact invited to one session. The personal link's token is stored only as its hash.",
            },
            bases=["Model"],
        ),
    ]
