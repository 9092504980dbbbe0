from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

from agora.pagecache import track_tables


class Migration(migrations.Migration):
    """The public page lists a consultation's files and is cached: changes to them invalidate it."""

    dependencies = [("participation", "0003_survey")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Attachment",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "consultation",
                    fields.ForeignKeyField(
                        "participation.Consultation",
                        source_field="consultation_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="attachments",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("contribution_id", fields.IntField(null=True, db_index=True)),
                ("filename", fields.CharField(max_length=200)),
                ("kind", fields.CharField(max_length=10)),
                ("size", fields.IntField()),
                ("stored_name", fields.CharField(unique=True, max_length=64)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "participation_attachment",
                "app": "participation",
                "pk_attr": "id",
                "table_description": (
                    "A file attached to a consultation (public), or the scan of a contribution received elsewhere"
                    " (staff only)."
                ),
            },
            bases=["Model"],
        ),
        track_tables("participation_attachment"),
    ]
