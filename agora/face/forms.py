"""Input of the admin page of the town's face (its files are read beside the model, see agora.face.staff)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from agora.face.models import TownFace
from agora.forms import Checkbox, InputModel, Line, Paragraph, WebAddress, column_length
from agora.pages.forms import BODY_MAX


class TownFaceInput(InputModel):
    town_name: Annotated[str, Line(column_length(TownFace, "town_name"))] = ""
    town_website: Annotated[str, WebAddress(column_length(TownFace, "town_website"))] = ""
    agency_contact: Annotated[str, Line(column_length(TownFace, "agency_contact"))] = ""
    video_url: Annotated[str, WebAddress(column_length(TownFace, "video_url"))] = Field(
        default="", description="A video published elsewhere, linked when no video file is uploaded."
    )
    # The text version under the video: the body of the German Sign Language page (Markdown).
    dgs_text: Annotated[str, Paragraph(BODY_MAX, min_length=1)]
    remove_logo: Checkbox = False
    remove_video: Checkbox = False
