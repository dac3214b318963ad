"""Errors that services raise. Views and commands turn them into messages beside the field."""

from django.core.exceptions import PermissionDenied, ValidationError

__all__ = ["NotAllowed", "ValidationError", "refuse"]


class NotAllowed(PermissionDenied):
    """The acting user may not do this. The message says what and why."""


def refuse(field: str | None, message: str):
    """Raise a ValidationError for `field` (None for the whole form) with `message`."""
    if field is None:
        raise ValidationError(message)
    raise ValidationError({field: [message]})
