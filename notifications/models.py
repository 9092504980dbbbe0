"""Tortoise models: the outbox, the suppression list and per-category mail preferences."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"
STATUSES = (QUEUED, SENDING, SENT, FAILED)


class OutboxMessage(Model):
    """One mail to one recipient, written in the business transaction and delivered after commit."""

    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(max_length=80)
    # Copied from the kind's registration, so a worker needs no registry to compose the mail.
    category = fields.CharField(max_length=40, null=True)
    template = fields.CharField(max_length=80, default="")
    recipient = fields.CharField(max_length=254, db_index=True)
    locale = fields.CharField(max_length=5, default="de")
    context: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    # Each attachment as {"filename", "content_type", "content" (base64)}.
    attachments: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(default=list)
    dedup_key = fields.CharField(max_length=200, unique=True, null=True)
    not_before = fields.DatetimeField(null=True)
    status = fields.CharField(max_length=10, default=QUEUED, db_index=True)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(null=True)
    claimed_at = fields.DatetimeField(null=True)
    claim_token = fields.CharField(max_length=32, null=True)
    last_error = fields.TextField(default="")
    message_id = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    # When the row was last handed to a dispatcher (the sweeper re-dispatches rows that never were).
    dispatched_at = fields.DatetimeField(null=True)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notifications_outbox"


class Suppression(Model):
    """An address the mail server refused permanently, so later mail is not even queued."""

    id = fields.IntField(primary_key=True)
    address = fields.CharField(max_length=254, unique=True)
    reason = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "notifications_suppression"


class Preference(Model):
    """Whether an address wants mail of one preference category (absent means yes)."""

    id = fields.IntField(primary_key=True)
    address = fields.CharField(max_length=254, db_index=True)
    category = fields.CharField(max_length=40)
    enabled = fields.BooleanField(default=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "notifications_preference"
        unique_together = (("address", "category"),)
