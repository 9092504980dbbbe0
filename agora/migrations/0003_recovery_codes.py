from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("agora", "0002_participants")]

    initial = False

    operations = [
        ops.CreateModel(
            name="RecoveryCode",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "user",
                    fields.ForeignKeyField(
                        "agora.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="recovery_codes",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("code_hash", fields.CharField(unique=True, max_length=64)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "accounts_recoverycode",
                "app": "agora",
                "pk_attr": "id",
                "table_description": "A single-use code that stands in for the authenticator app. Only its SHA-256 is stored.",
            },
            bases=["Model"],
        ),
    ]
