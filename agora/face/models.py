"""One row (id 1) with what admins set, and a row per change saying who changed what and when."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

FACE_ID = 1


class TownFace(Model):
    """What admins set of the public face of the town, the settings applying where a value is empty."""

    # Files live under settings.data_dir / "face" with generated names; only the name and media type are stored.

    id = fields.IntField(primary_key=True)
    town_name = fields.CharField(max_length=100, default="")
    town_website = fields.CharField(max_length=500, default="")
    agency_contact = fields.CharField(max_length=300, default="")
    logo_file = fields.CharField(max_length=80, default="")
    logo_type = fields.CharField(max_length=40, default="")
    video_file = fields.CharField(max_length=80, default="")
    video_type = fields.CharField(max_length=40, default="")
    captions_file = fields.CharField(max_length=80, default="")
    # A video published elsewhere (the town's media library), linked when no file is uploaded.
    video_url = fields.CharField(max_length=500, default="")
    updated_at = fields.DatetimeField(null=True)
    updated_by = fields.CharField(max_length=254, default="")

    class Meta:
        table = "agora_townface"


class TownFaceChange(Model):
    """Who changed which parts of the public face of the town, and when."""

    id = fields.IntField(primary_key=True)
    changed_at = fields.DatetimeField(auto_now_add=True)
    changed_by = fields.CharField(max_length=254)
    changed: fields.JSONField[list[str]] = fields.JSONField(default=list)

    class Meta:
        table = "agora_townfacechange"
