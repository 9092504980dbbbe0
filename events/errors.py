"""Refusals of the events services, each carrying field -> message for the form or the JSON API."""

from __future__ import annotations


class EventError(Exception):
    """Bad input or a rule that forbids the change; nothing was written."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class DuplicateRegistration(EventError):
    """The address is already registered for this session (the API answers 409)."""


class RegistrationClosed(EventError):
    """The session does not take registrations now (the API answers 409)."""


class NotFound(EventError):
    """The session, registration or code does not exist (or the token is not genuine)."""
