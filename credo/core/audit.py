"""The one way to write an audit event. Every service that writes calls `audit_record`.

What may be recorded is registered: each domain app declares its events in its own `events.py`
(`CREDIT_AWARDED = register("credit.awarded", "A credit was awarded…", "mastery.creditaward")`)
and passes those constants. `audit_record` refuses anything else, so no free string is written.
Core imports no domain app: `CoreConfig.ready` imports every installed app's `events` module.
"""

import datetime as dt
import decimal
import uuid
from typing import Any

from django.db import models

from credo.core.models import AuditEvent


class UnregisteredEvent(LookupError):
    """An action that no app registered: a programming error, never the user's."""


class Event(str):
    """A registered audit event. It is its stored action (a `str`), so it can be compared with
    and filtered on like the `action` column it fills."""

    description: str
    target: str

    def __new__(cls, action: str, description: str, target: str = "") -> "Event":
        event = super().__new__(cls, action)
        event.description = description
        event.target = target
        return event

    @property
    def action(self) -> str:
        """The plain string stored in `AuditEvent.action`."""
        return str.__str__(self)


_REGISTRY: dict[str, Event] = {}


def register(action: str, description: str, target: str = "") -> Event:
    """Declare the audit event `action`: what it means on the audit log page and the model
    (`app_label.model`, "" when it is about no one row) it is recorded against."""
    if action in _REGISTRY:
        raise ValueError(f"The audit event {action!r} is registered twice.")
    if not description:
        raise ValueError(f"The audit event {action!r} needs a description.")
    event = _REGISTRY[action] = Event(action, description, target)
    return event


def registered(action: Any) -> Event:
    """Return the registered event `action` is; raise `UnregisteredEvent` for anything else
    (a plain string, even one naming a registered action, is refused)."""
    if not isinstance(action, Event) or _REGISTRY.get(action.action) is not action:
        raise UnregisteredEvent(
            f"{action!r} is not a registered audit event (see credo.core.audit)."
        )
    return action


def registered_events() -> list[Event]:
    """Every registered event, by action."""
    return sorted(_REGISTRY.values(), key=lambda e: e.action)


def describe(action: str) -> str:
    """The description of a stored action ("" when no app registers it any more)."""
    event = _REGISTRY.get(action)
    return event.description if event is not None else ""


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
    action: Event,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: Any = "",
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
) -> AuditEvent:
    """Record that `actor` did `action` (a registered `Event`) to `target` in `school`; return
    the event. An unregistered action raises `UnregisteredEvent`."""
    stored = registered(action).action
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or target.pk
    return AuditEvent.objects.create(
        school_id=getattr(school, "pk", school),
        actor_id=getattr(actor, "pk", None) if actor is not None else None,
        action=stored,
        target_type=target_type,
        target_id=str(target_id or ""),
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
        note=note,
    )


def audit_stamp(
    obj: models.Model, verb: str, *, actor, action: Event, before: dict | None = None, **also
) -> None:
    """Mark `obj` as `verb` (approved, revoked, withdrawn…) now by `actor` and record `action`.

    Sets `<verb>_at` and `<verb>_by` (and any `also` fields), saves just those fields and
    writes the audit event with what was set. Call it inside the write's transaction.
    """
    from django.utils import timezone

    registered(action)
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


def event_row(
    event: Event,
    *,
    school_id,
    actor_id,
    target_type: str = "",
    target_id: Any = "",
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
    at,
) -> tuple:
    """One row in `EVENT_COLUMNS` order for the bulk writers (the demo, the importers), which
    must record registered events too: an unregistered one raises `UnregisteredEvent`."""
    return (
        school_id,
        actor_id,
        registered(event).action,
        target_type,
        str(target_id or ""),
        before,
        after,
        note,
        at,
    )


def school_events(school, action: str = ""):
    """The audit events of `school`, newest first, with their actors; only `action`'s when it
    names a registered event (anything else is ignored: the page shows every event)."""
    events = AuditEvent.objects.filter(school=school).select_related("actor").order_by("-at", "-id")
    if action in _REGISTRY:
        events = events.filter(action=action)
    return events
