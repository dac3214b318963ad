"""Limits on what anyone may send: the one upload cap, text lengths and characters, sane dates.

One home for every limit, so the web pages, the API and the services refuse the same input with
the same message, naming the field:

- **Uploads**: `CREDO_MAX_UPLOAD_MB` (default 25) caps every request body, web and API alike
  (`InputGuardMiddleware` answers 413 before reading it) and every uploaded file (`check_upload`).
- **Text**: no NUL or other control character except tab, newline and carriage return, anywhere
  (request fields, API bodies, model text columns); a length limit per kind of field: a
  `CharField`'s own `max_length`, `TEXT_LIMIT` for notes and feedback, `LONG_TEXT_LIMIT` for
  free-text bodies (`text_problem`, `clean_text`, and every save of a Credo model).
- **Dates**: a demonstration date is neither in the future nor before the student was born
  (or, when the birth date is unknown, more than `OLDEST_YEARS` years ago).
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.deconstruct import deconstructible

TEXT_LIMIT = 10_000  # feedback, notes, reasons, statements
LONG_TEXT_LIMIT = 20_000  # the body of evidence, descriptions, standards: about eight pages
OLDEST_YEARS = 100

# Text columns whose limit is not the default for their kind: `TextField`s default to
# LONG_TEXT_LIMIT, `CharField`s to their own `max_length`. None: no length limit, for what the
# system writes itself (control characters are still refused).
TEXT_LIMITS: dict[str, int | None] = {
    "mastery.Assessment.feedback": TEXT_LIMIT,
    "mastery.CreditReview.statement": TEXT_LIMIT,
    "mastery.CreditAward.revoke_reason": TEXT_LIMIT,
    "credentials.IssuedCredential.revoke_reason": TEXT_LIMIT,
    "core.AuditEvent.note": None,
    "interop.ImportRun.error": None,
}

# C0 controls but tab, newline and carriage return; DEL; the C1 controls. PostgreSQL refuses NUL
# in text outright; the others have no business in names, titles or prose and hide content.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def max_upload_bytes() -> int:
    """Return the cap on one request body and on one uploaded file, in bytes."""
    return settings.CREDO_MAX_UPLOAD_MB * 1024 * 1024


def upload_cap_message(size: int | None = None) -> str:
    mb = settings.CREDO_MAX_UPLOAD_MB
    if size is None:
        return f"Uploads are limited to {mb} MB."
    return f"The upload is {size / (1024 * 1024):.1f} MB; uploads are limited to {mb} MB."


def check_upload(file, *, field: str = "file") -> None:
    """Raise ValidationError naming `field` when `file` is larger than the upload cap."""
    size = getattr(file, "size", None)
    if size is not None and size > max_upload_bytes():
        raise ValidationError({field: [upload_cap_message(size)]})


def control_character(value: str) -> str | None:
    """Return the first forbidden control character of `value` as "U+0000", or None."""
    found = _CONTROL.search(value)
    return f"U+{ord(found.group()):04X}" if found else None


def text_problem(value: str, *, limit: int | None = None) -> str | None:
    """Return what is wrong with a piece of text (a control character, too long), or None."""
    bad = control_character(value)
    if bad:
        return (
            f"Contains a control character ({bad}) that text may not hold; "
            "remove it (tabs and line breaks are fine)."
        )
    if limit is not None and len(value) > limit:
        return f"Keep it to {limit:,} characters (it has {len(value):,})."
    return None


def clean_text(value, *, field: str, limit: int = TEXT_LIMIT, strip: bool = True) -> str:
    """Return `value` as checked text; raise ValidationError naming `field` when it is not."""
    text = "" if value is None else str(value)
    if strip:
        text = text.strip()
    problem = text_problem(text, limit=limit)
    if problem:
        raise ValidationError({field: [problem]})
    return text


@deconstructible
class NoControlCharacters:
    """A field validator: refuse NUL and other control characters (tab and line breaks pass)."""

    code = "control_character"

    def __call__(self, value):
        if isinstance(value, str):
            problem = text_problem(value)
            if problem:
                raise ValidationError(problem, code=self.code)

    def __eq__(self, other):
        return isinstance(other, NoControlCharacters)


# --- every text column of every Credo model -----------------------------------------------------

_TEXT_FIELDS: dict[type, list[tuple[str, str, int | None]]] = {}


def _text_fields(model: type) -> list[tuple[str, str, int | None]]:
    """Return (name, attname, limit) of each text column of `model`, computed once per model."""
    fields = _TEXT_FIELDS.get(model)
    if fields is None:
        fields = []
        for f in model._meta.concrete_fields:
            if isinstance(f, models.CharField):
                default = f.max_length
            elif isinstance(f, models.TextField):
                default = LONG_TEXT_LIMIT
            else:
                continue
            limit = TEXT_LIMITS.get(f"{model._meta.label}.{f.name}", default)
            fields.append((f.name, f.attname, limit))
        _TEXT_FIELDS[model] = fields
    return fields


def model_text_errors(instance, update_fields=None) -> dict[str, list[str]]:
    """Return {field: [message]} for each text column of `instance` that breaks the limits."""
    errors: dict[str, list[str]] = {}
    for name, attname, limit in _text_fields(type(instance)):
        if update_fields is not None and name not in update_fields:
            continue
        value = getattr(instance, attname, None)
        if isinstance(value, str):
            problem = text_problem(value, limit=limit)
            if problem:
                errors[name] = [problem]
    return errors


def guard_text_on_save(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """pre_save: refuse to store a Credo row whose text breaks the limits, naming the field.

    This is the service layer's net: forms and the API refuse such input first with the same
    messages, and a service's transaction rolls back whole when this raises.
    """
    if raw or not sender.__module__.startswith("credo."):
        return
    errors = model_text_errors(instance, update_fields)
    if errors:
        raise ValidationError(errors)


# --- dates -------------------------------------------------------------------------------------


def demonstration_date_problem(day: dt.date, *, student=None, today: dt.date) -> str | None:
    """Return why `day` cannot be the date a student demonstrated something, or None.

    `today` is the latest date accepted (callers allow a day's slack for time zones).
    """
    if day > today:
        return f"{day:%Y-%m-%d} is in the future."
    born = getattr(student, "birth_date", None)
    if born is not None and day < born:
        return f"{day:%Y-%m-%d} is before the student was born ({born:%Y-%m-%d})."
    oldest = today.replace(year=today.year - OLDEST_YEARS, day=min(today.day, 28))
    if day < oldest:
        return f"{day:%Y-%m-%d} is more than {OLDEST_YEARS} years ago; check the year."
    return None
