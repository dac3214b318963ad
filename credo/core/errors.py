"""Errors that services raise. Views and commands turn them into messages beside the field."""

from typing import NoReturn

from django.core.exceptions import PermissionDenied, ValidationError

__all__ = ["Conflict", "NotAllowed", "ValidationError", "refuse"]


class NotAllowed(PermissionDenied):
    """The acting user may not do this. The message says what and why."""


class Conflict(Exception):
    """Someone else changed the same record meanwhile; nothing was written. Pages and the API
    answer 409 with the message, which says what changed and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def refuse(field: str | None, message: str) -> NoReturn:
    """Raise a ValidationError for `field` (None for the whole form) with `message`."""
    if field is None:
        raise ValidationError(message)
    raise ValidationError({field: [message]})
