"""Refusals of the participation services, each carrying field -> message for the form or the JSON API."""

from __future__ import annotations

from agora.web import NotFound as PageNotFound


class ParticipationError(Exception):
    """Bad input or a rule that forbids the change; nothing was written."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class NotFound(ParticipationError, PageNotFound):
    """The consultation or contribution does not exist (or is not public): answered 404."""

    def __init__(self, errors: dict[str, str]) -> None:
        ParticipationError.__init__(self, errors)
        PageNotFound.__init__(self, next(iter(errors.values()), None))
