from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("agora", "0001_initial")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Participant",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("email", fields.CharField(unique=True, max_length=254)),
                ("display_name", fields.CharField(default="", max_length=120)),
                ("organisation", fields.CharField(default="", max_length=200)),
                ("language", fields.CharField(default="de", max_length=5)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("confirmed_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "participants_participant",
                "app": "agora",
                "pk_attr": "id",
                "table_description": "A person who proved control of an email address. No password, the sign-in link is the proof.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ConsentRecord",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "participant",
                    fields.ForeignKeyField(
                        "agora.Participant",
                        source_field="participant_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="consents",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("purpose", fields.CharField(max_length=60)),
                ("consent_version", fields.CharField(max_length=40)),
                ("consent_text", fields.TextField(unique=False)),
                ("requested_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("confirmed_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "participants_consentrecord",
                "app": "agora",
                "pk_attr": "id",
                "table_description": "Double opt-in evidence: which text was agreed to, when it was asked for and when the link confirmed it.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="SigninThrottle",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("key", fields.CharField(db_index=True, max_length=64)),
                ("created_at", fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "participants_signinthrottle",
                "app": "agora",
                "pk_attr": "id",
                "table_description": "One sign-in link request, kept briefly to limit requests per address and per IP address.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="SigninToken",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("token_hash", fields.CharField(unique=True, max_length=64)),
                ("email", fields.CharField(db_index=True, max_length=254)),
                ("language", fields.CharField(default="de", max_length=5)),
                ("next_url", fields.CharField(default="", max_length=500)),
                ("consent_version", fields.CharField(null=True, max_length=40)),
                ("consent_text", fields.TextField(default="", unique=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("expires_at", fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ("used_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "participants_signintoken",
                "app": "agora",
                "pk_attr": "id",
                "table_description": "One emailed sign-in link. Only the SHA-256 of its random part is stored.",
            },
            bases=["Model"],
        ),
    ]
