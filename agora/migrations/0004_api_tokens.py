import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("agora", "0003_recovery_codes")]

    initial = False

    operations = [
        ops.CreateModel(
            name="ApiRateHit",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("bucket", fields.CharField(db_index=True, max_length=120)),
                ("created_at", fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "accounts_apiratehit",
                "app": "agora",
                "pk_attr": "id",
                "table_description": "One counted request of a rate-limited API action, kept briefly, shared by every web process.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ApiToken",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("name", fields.CharField(max_length=120)),
                ("token_hash", fields.CharField(unique=True, max_length=64)),
                ("hint", fields.CharField(max_length=16)),
                (
                    "scopes",
                    fields.JSONField(
                        default=list, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                (
                    "created_by",
                    fields.ForeignKeyField(
                        "agora.User",
                        source_field="created_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="api_tokens",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("last_used_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("expires_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("revoked_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "accounts_apitoken",
                "app": "agora",
                "pk_attr": "id",
                "table_description": "A bearer token for the staff API. Only the SHA-256 of the token is stored.",
            },
            bases=["Model"],
        ),
    ]
