"""Input of events, one model per use case: registering and the manage page (registration), the staff's
planning forms shared with the staff API (planning), and the contact directory (contacts)."""

from events.forms.contacts import ContactFilter, ContactInput, InviteInput, InviteQuery
from events.forms.planning import (
    SPEAKER_ROWS,
    AgendaItemInput,
    CancelInput,
    CheckinInput,
    CheckinSearch,
    GenerateInput,
    MoveInput,
    QuestionInput,
    SeriesInput,
    SessionChange,
    SessionCreate,
    SkipInput,
    TrackInput,
    shown,
)
from events.forms.registration import (
    CONSENT_TEXT,
    CONSENT_VERSION,
    DetailsInput,
    RegistrationInput,
    session_rules,
    with_questions,
)

__all__ = [
    "CONSENT_TEXT",
    "CONSENT_VERSION",
    "SPEAKER_ROWS",
    "AgendaItemInput",
    "CancelInput",
    "CheckinInput",
    "CheckinSearch",
    "ContactFilter",
    "ContactInput",
    "DetailsInput",
    "GenerateInput",
    "InviteInput",
    "InviteQuery",
    "MoveInput",
    "QuestionInput",
    "RegistrationInput",
    "SeriesInput",
    "SessionChange",
    "SessionCreate",
    "SkipInput",
    "TrackInput",
    "session_rules",
    "shown",
    "with_questions",
]
