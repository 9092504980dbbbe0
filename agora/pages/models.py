"""Editable legal pages and reports of accessibility barriers."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class ContentPage(Model):
    """One legal page in one language, Markdown source, sanitised when rendered."""

    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=40)
    language = fields.CharField(max_length=5)
    title = fields.CharField(max_length=200)
    body = fields.TextField()
    updated_at = fields.DatetimeField(auto_now=True)
    updated_by = fields.CharField(max_length=254, default="")

    class Meta:
        table = "pages_contentpage"
        unique_together = (("slug", "language"),)


class BarrierReport(Model):
    """Feedback about an accessibility barrier, as BITV 2.0 requires a feedback mechanism."""

    id = fields.IntField(primary_key=True)
    page_url = fields.CharField(max_length=500, default="")
    description = fields.TextField()
    name = fields.CharField(max_length=120, default="")
    email = fields.CharField(max_length=254, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    handled_at = fields.DatetimeField(null=True)
    handled_by = fields.CharField(max_length=254, default="")
    staff_note = fields.TextField(default="")

    class Meta:
        table = "pages_barrierreport"
