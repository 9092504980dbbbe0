"""Refusals of the events services, each carrying field -> message for the form or the JSON API."""

from __future__ import annotations

from agora.web import NotFound as PageNotFound


class EventError(Exception):
    """Bad input or a rule that forbids the change; nothing was written."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class DuplicateRegistration(EventError):
    """The address is already registered for this session (the API answers 409)."""


class RegistrationClosed(EventError):
    """The session does not take registrations now (the API answers 409)."""


class NotFound(EventError, PageNotFound):
    """The session, registration or code does not exist (or the token is not genuine).

    It is the kernel's NotFound as well: a route that does not catch it answers 404 (page or JSON)."""

    def __init__(self, errors: dict[str, str]) -> None:
        EventError.__init__(self, errors)
        PageNotFound.__init__(self, next(iter(errors.values()), None))
