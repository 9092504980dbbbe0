import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="BarrierReport",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("page_url", fields.CharField(default="", max_length=500)),
                ("description", fields.TextField(unique=False)),
                ("name", fields.CharField(default="", max_length=120)),
                ("email", fields.CharField(default="", max_length=254)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("handled_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("handled_by", fields.CharField(default="", max_length=254)),
                ("staff_note", fields.TextField(default="", unique=False)),
            ],
            options={
                "table": "pages_barrierreport",
                "app": "agora",
                "pk_attr": "id",
                "table_description": "Feedback about an accessibility barrier, as BITV 2.0 requires a feedback mechanism.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ContentPage",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("slug", fields.CharField(max_length=40)),
                ("language", fields.CharField(max_length=5)),
                ("title", fields.CharField(max_length=200)),
                ("body", fields.TextField(unique=False)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("updated_by", fields.CharField(default="", max_length=254)),
            ],
            options={
                "table": "pages_contentpage",
                "app": "agora",
                "unique_together": (("slug", "language"),),
                "pk_attr": "id",
                "table_description": "One legal page in one language, Markdown source, sanitised when rendered.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="LoginAttempt",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("email", fields.CharField(db_index=True, max_length=254)),
                ("ip_address", fields.CharField(db_index=True, max_length=64)),
                ("created_at", fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "accounts_loginattempt",
                "app": "agora",
                "pk_attr": "id",
                "table_description": "One failed login, kept briefly to throttle per account and per address across processes.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="User",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("email", fields.CharField(unique=True, max_length=254)),
                ("display_name", fields.CharField(max_length=120)),
                ("password_hash", fields.CharField(max_length=255)),
                (
                    "roles",
                    fields.JSONField(
                        default=list, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                ("is_active", fields.BooleanField(default=True)),
                ("totp_secret", fields.CharField(null=True, max_length=64)),
                ("totp_confirmed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("totp_last_step", fields.BigIntField(default=0)),
                ("password_changed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("last_login_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("language", fields.CharField(default="de", max_length=5)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "accounts_user",
                "app": "agora",
                "pk_attr": "id",
                "table_description": "A staff member. Roles are a small set, a user may hold several.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="WebSession",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("token_hash", fields.CharField(unique=True, max_length=64)),
                (
                    "user",
                    fields.ForeignKeyField(
                        "agora.User",
                        source_field="user_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="sessions",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("mfa_passed", fields.BooleanField(default=False)),
                ("csrf_token", fields.CharField(max_length=64)),
                (
                    "data",
                    fields.JSONField(
                        default=dict, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                ("ip_address", fields.CharField(default="", max_length=64)),
                ("user_agent", fields.CharField(default="", max_length=300)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("last_seen_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("expires_at", fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "accounts_websession",
                "app": "agora",
                "pk_attr": "id",
                "table_description": "A server-side session. The cookie holds a random token, only its SHA-256 is stored.",
            },
            bases=["Model"],
        ),
    ]
