"""Input of the legal pages (editing) and of the barrier feedback form."""

from __future__ import annotations

from typing import Annotated

from pydantic import field_validator

from agora.forms import InputModel, Line, OptionalEmail, Paragraph, column_length
from agora.i18n import gettext as _
from agora.pages.models import BarrierReport, ContentPage

BODY_MAX = 100_000
DESCRIPTION_MIN = 5
DESCRIPTION_MAX = 5_000


class PageInput(InputModel):
    title: Annotated[str, Line(column_length(ContentPage, "title"), min_length=1)]
    body: Annotated[str, Paragraph(BODY_MAX, min_length=1)]


class BarrierReportInput(InputModel):
    page_url: Annotated[str, Line(column_length(BarrierReport, "page_url"))] = ""
    description: Annotated[str, Paragraph(DESCRIPTION_MAX)] = ""
    name: Annotated[str, Line(column_length(BarrierReport, "name"))] = ""
    email: OptionalEmail = ""

    @field_validator("description")
    @classmethod
    def _described(cls, description: str) -> str:
        if len(description) < DESCRIPTION_MIN:
            raise ValueError(_("Please describe the barrier in a few words."))
        return description


class AnswerInput(InputModel):
    answer: Annotated[str, Paragraph(DESCRIPTION_MAX, min_length=1)]
