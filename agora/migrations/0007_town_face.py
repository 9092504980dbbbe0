from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from agora.pagecache import track_tables


class Migration(migrations.Migration):
    dependencies = [("agora", "0006_content_version")]

    initial = False

    operations = [
        ops.CreateModel(
            name="TownFace",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("town_name", fields.CharField(default="", max_length=100)),
                ("town_website", fields.CharField(default="", max_length=500)),
                ("agency_contact", fields.CharField(default="", max_length=300)),
                ("logo_file", fields.CharField(default="", max_length=80)),
                ("logo_type", fields.CharField(default="", max_length=40)),
                ("video_file", fields.CharField(default="", max_length=80)),
                ("video_type", fields.CharField(default="", max_length=40)),
                ("captions_file", fields.CharField(default="", max_length=80)),
                ("video_url", fields.CharField(default="", max_length=500)),
                ("updated_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("updated_by", fields.CharField(default="", max_length=254)),
            ],
            options={
                "table": "agora_townface",
                "app": "agora",
                "pk_attr": "id",
                "table_description": "What admins set of the public face of the town, the settings applying where a value is empty.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="TownFaceChange",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("changed_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("changed_by", fields.CharField(max_length=254)),
                ("changed", fields.JSONField(default=list)),
            ],
            options={
                "table": "agora_townfacechange",
                "app": "agora",
                "pk_attr": "id",
                "table_description": "Who changed which parts of the public face of the town, and when.",
            },
            bases=["Model"],
        ),
        # Cached public pages show the face in every header: a change must reach them at once.
        track_tables("agora_townface"),
    ]
