"""Input of the mail pages: the staff's test message and the reader's mail preferences."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field
from starlette.datastructures import FormData

from agora.forms import InputModel, Line, Paragraph, form_data

CATEGORY_MAX = 40


class TestMailInput(InputModel):
    note: Annotated[str, Paragraph(500)] = ""


class PreferencesInput(InputModel):
    """The categories ticked (inputs cat-<category>); the outbox keeps only those it knows."""

    chosen: list[Annotated[str, Line(CATEGORY_MAX)]] = Field(default_factory=list, max_length=50)

    @classmethod
    def from_form(cls, form: FormData) -> dict[str, Any]:
        return {**form_data(form, cls), "chosen": [key.removeprefix("cat-") for key in form if key.startswith("cat-")]}
