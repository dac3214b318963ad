"""Background work for notifications (django-tasks; `credo worker` runs it)."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver(kind: str, ids: list[int]) -> int:
    """Tell the people who should hear of the records `ids` (of `kind`); return how many were told."""
    from credo.notify.services import notify_event

    return notify_event(kind=kind, source_ids=ids)
