"""Tortoise models for participants, their sign-in links, double opt-in evidence."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Participant(Model):
    """A person who proved control of an email address. No password, the sign-in link is the proof."""

    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    display_name = fields.CharField(max_length=120, default="")
    organisation = fields.CharField(max_length=200, default="")
    language = fields.CharField(max_length=5, default="de")
    created_at = fields.DatetimeField()
    confirmed_at = fields.DatetimeField()
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "participants_participant"


class SigninToken(Model):
    """One emailed sign-in link. Only the SHA-256 of its random part is stored."""

    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    # The address, not a participant: the first link is requested before the participant exists.
    email = fields.CharField(max_length=254, db_index=True)
    language = fields.CharField(max_length=5, default="de")
    next_url = fields.CharField(max_length=500, default="")
    # The consent given on the request form, if any, confirmed later through the link.
    consent_version = fields.CharField(max_length=40, null=True)
    consent_text = fields.TextField(default="")
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(db_index=True)
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "participants_signintoken"


class ConsentRecord(Model):
    """Double opt-in evidence: which text was agreed to, when it was asked for and when the link confirmed it."""  # noqa: E501

    id = fields.IntField(primary_key=True)
    participant: fields.ForeignKeyRelation[Participant] = fields.ForeignKeyField(
        "agora.Participant", related_name="consents", on_delete=fields.CASCADE
    )
    participant_id: int
    purpose = fields.CharField(max_length=60)
    consent_version = fields.CharField(max_length=40)
    consent_text = fields.TextField()
    requested_at = fields.DatetimeField()
    confirmed_at = fields.DatetimeField()

    class Meta:
        table = "participants_consentrecord"
