"""Input of the participants' pages: asking for a sign-in link, confirming it, the profile."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, ValidationInfo, field_validator
from starlette.datastructures import FormData

from agora.accounts.participants.models import Participant
from agora.forms import Checkbox, Email, InputModel, Line, column_length, form_data
from agora.i18n import gettext as _

NEXT_MAX = 500
LANGUAGE_MAX = 5
CATEGORY_MAX = 40


class SigninInput(InputModel):
    email: Email
    consent: Checkbox = False
    next: Annotated[str, Line(NEXT_MAX)] = ""


class ConsentInput(InputModel):
    consent: Checkbox = False


class ProfileInput(InputModel):
    """The profile; `preferences` maps the mail categories sent (inputs pref_<category>) to whether they are ticked."""

    display_name: Annotated[str, Line(column_length(Participant, "display_name"), min_length=1)]
    organisation: Annotated[str, Line(column_length(Participant, "organisation"))] = ""
    language: Annotated[str, Line(LANGUAGE_MAX)] = ""
    preferences: dict[Annotated[str, Line(CATEGORY_MAX)], Checkbox] = Field(default_factory=dict, max_length=50)
    next: Annotated[str, Line(NEXT_MAX)] = ""

    @field_validator("language")
    @classmethod
    def _offered(cls, language: str, info: ValidationInfo) -> str:
        if language not in (info.context or {}).get("languages", ()):
            raise ValueError(_("Please choose one of the offered languages."))
        return language

    @classmethod
    def from_form(cls, form: FormData) -> dict[str, Any]:
        sent = {key.removeprefix("pref_"): value for key, value in form.multi_items() if key.startswith("pref_")}
        return {**form_data(form, cls), "preferences": sent}

    @classmethod
    def form_field(cls, path: str) -> str:
        parts = path.split(".")
        return f"pref_{parts[1]}" if parts[0] == "preferences" and len(parts) > 1 else super().form_field(path)
