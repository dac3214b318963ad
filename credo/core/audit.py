"""The one way to write an audit event. Every service that writes calls `audit_record`."""

import datetime as dt
import decimal
import uuid
from typing import Any

from django.db import models

from credo.core.models import AuditEvent

# The columns of an audit event, in the order the bulk writers (the demo, imports) give their rows.
EVENT_COLUMNS = (
    "school_id",
    "actor_id",
    "action",
    "target_type",
    "target_id",
    "before",
    "after",
    "note",
    "at",
)


def _plain(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if hasattr(value, "name") and hasattr(value, "url"):  # a stored file
        return getattr(value, "name", "") or ""
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict:
    """Return the concrete field values of `obj` as JSON-ready data (foreign keys as ids)."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return {name: _plain(getattr(obj, name)) for name in names}


def audit_record(
    *,
    actor,
    school,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: Any = "",
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
) -> AuditEvent:
    """Record that `actor` did `action` to `target` in `school`; return the event."""
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or target.pk
    return AuditEvent.objects.create(
        school_id=getattr(school, "pk", school),
        actor_id=getattr(actor, "pk", None) if actor is not None else None,
        action=action,
        target_type=target_type,
        target_id=str(target_id or ""),
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
        note=note,
    )


def audit_stamp(
    obj: models.Model, verb: str, *, actor, action: str, before: dict | None = None, **also
) -> None:
    """Mark `obj` as `verb` (approved, revoked, withdrawn…) now by `actor` and record `action`.

    Sets `<verb>_at` and `<verb>_by` (and any `also` fields), saves just those fields and
    writes the audit event with what was set. Call it inside the write's transaction.
    """
    from django.utils import timezone

    fields = {f"{verb}_at": timezone.now(), f"{verb}_by": actor, **also}
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.save(update_fields=list(fields))
    audit_record(
        actor=actor,
        school=obj.school_id,
        action=action,
        target=obj,
        before=before,
        after={name: value for name, value in fields.items() if name != f"{verb}_by"},
    )
