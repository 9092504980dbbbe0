import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="OutboxMessage",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("kind", fields.CharField(max_length=80)),
                ("category", fields.CharField(null=True, max_length=40)),
                ("template", fields.CharField(default="", max_length=80)),
                ("recipient", fields.CharField(db_index=True, max_length=254)),
                ("locale", fields.CharField(default="de", max_length=5)),
                (
                    "context",
                    fields.JSONField(
                        default=dict, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                (
                    "attachments",
                    fields.JSONField(
                        default=list, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                ("dedup_key", fields.CharField(null=True, unique=True, max_length=200)),
                ("not_before", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("status", fields.CharField(default="queued", db_index=True, max_length=10)),
                ("attempts", fields.IntField(default=0)),
                ("next_attempt_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("claimed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("claim_token", fields.CharField(null=True, max_length=32)),
                ("last_error", fields.TextField(default="", unique=False)),
                ("message_id", fields.CharField(default="", max_length=200)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("dispatched_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("sent_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "notifications_outbox",
                "app": "notifications",
                "pk_attr": "id",
                "table_description": "One mail to one recipient, written in the business transaction and delivered after commit.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Preference",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("address", fields.CharField(db_index=True, max_length=254)),
                ("category", fields.CharField(max_length=40)),
                ("enabled", fields.BooleanField(default=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "notifications_preference",
                "app": "notifications",
                "unique_together": (("address", "category"),),
                "pk_attr": "id",
                "table_description": "Whether an address wants mail of one preference category (absent means yes).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Suppression",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("address", fields.CharField(unique=True, max_length=254)),
                ("reason", fields.TextField(default="", unique=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "notifications_suppression",
                "app": "notifications",
                "pk_attr": "id",
                "table_description": "An address the mail server refused permanently, so later mail is not even queued.",
            },
            bases=["Model"],
        ),
    ]
