"""What the importers share: audited bulk writes, and running an import for real or as a dry run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.db import models, transaction
from django.utils import timezone

from credo.core.audit import EVENT_COLUMNS, Event, event_row, snapshot
from credo.core.bulkload import write_rows
from credo.core.models import AuditEvent
from credo.interop.common import ImportRefused, Problems, Summary
from credo.interop.events import IMPORTED


class DryRun(Exception):
    """Raised at the end of a dry run so its transaction rolls back."""


def _plain(value):
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


class Writer:
    """Bulk writes that record one audit event per created, changed or deleted record.

    Large batches skip the ORM's per-object machinery: rows go in through `executemany` with the
    backend's own value adaptation, and their primary keys are read back by a natural key. The
    audit events of a run are written the same way, in one pass, by `flush`.
    """

    FAST = 200  # batches at least this large take the fast path

    def __init__(self, *, actor, school, summary: Summary, source: str):
        self.actor_id = getattr(actor, "pk", None)
        self.school = school
        self.summary = summary
        self.source = source
        self.events: list[tuple] = []

    def _event(self, action: Event, obj: models.Model, before=None, after=None) -> None:
        self.events.append((action, obj._meta.label_lower, str(obj.pk or ""), before, after))

    def create(
        self,
        kind: str,
        objs: list[models.Model],
        *,
        key: tuple[str, ...] = (),
        batch_size: int = 2000,
    ) -> list[models.Model]:
        """Insert `objs`, set their primary keys, and count them as created under `kind`.

        `key` names fields that identify a row of this school (or, for users, globally): with it,
        a large batch takes the fast path.
        """
        if not objs:
            return objs
        model = type(objs[0])
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        if key and len(objs) >= self.FAST:
            for obj in objs:
                for f in fields:
                    if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
                        setattr(obj, f.attname, timezone.now())
            write_rows(model, fields, [[getattr(o, f.attname) for f in fields] for o in objs])
            _read_back_pks(model, objs, key, self.school)
        else:
            model.objects.bulk_create(objs, batch_size=batch_size)
        names = [f.attname for f in fields if f.attname != "password"]
        for obj in objs:
            self._event(
                IMPORTED[kind]["created"], obj, after={n: _plain(getattr(obj, n)) for n in names}
            )
        self.summary[kind].created += len(objs)
        return objs

    def update(self, kind: str, changes: list[tuple[models.Model, dict]]) -> None:
        """Apply `changes` — (object, {field: new value}) — and count them as updated under `kind`."""
        if not changes:
            return
        fields: set[str] = set()
        for obj, values in changes:
            before = snapshot(obj, list(values))
            for name, value in values.items():
                setattr(obj, name, value)
            fields.update(values)
            self._event(
                IMPORTED[kind]["updated"], obj, before=before, after=snapshot(obj, list(values))
            )
        model = type(changes[0][0])
        model.objects.bulk_update([o for o, _ in changes], sorted(fields), batch_size=1000)
        self.summary[kind].updated += len(changes)

    def replace(self, kind: str, changes: list[tuple[models.Model, dict]]) -> None:
        """Apply `changes` by deleting each row and inserting it again; count them as updated.

        For rows under a unique constraint that the changes shuffle among themselves (two rows
        that swap values cannot be updated in place one after the other). Use only for rows that
        nothing else points at: the rows come back with new primary keys.
        """
        if not changes:
            return
        model = type(changes[0][0])
        pks = [obj.pk for obj, _ in changes]
        for i in range(0, len(pks), 500):
            model.objects.filter(pk__in=pks[i : i + 500]).delete()
        fresh = []
        for obj, values in changes:
            before = snapshot(obj, list(values))
            for name, value in values.items():
                setattr(obj, name, value)
            obj.pk, obj._state.adding = None, True
            fresh.append((obj, before, snapshot(obj, list(values))))
        model.objects.bulk_create([obj for obj, _, _ in fresh], batch_size=1000)
        for obj, before, after in fresh:
            self._event(IMPORTED[kind]["updated"], obj, before=before, after=after)
        self.summary[kind].updated += len(changes)

    def delete(self, kind: str, objs: Iterable[models.Model]) -> None:
        objs = list(objs)
        if not objs:
            return
        for obj in objs:
            self._event(IMPORTED[kind]["deleted"], obj, before=snapshot(obj))
        model = type(objs[0])
        pks = [o.pk for o in objs]
        for i in range(0, len(pks), 500):
            model.objects.filter(pk__in=pks[i : i + 500]).delete()
        self.summary[kind].deleted += len(objs)

    def flush(self) -> None:
        """Write the audit events collected so far."""
        if not self.events:
            return
        school_id = getattr(self.school, "pk", self.school)
        now = timezone.now()
        fields = [AuditEvent._meta.get_field(n) for n in EVENT_COLUMNS]
        rows = [
            event_row(
                action,
                school_id=school_id,
                actor_id=self.actor_id,
                target_type=target_type,
                target_id=target_id,
                before=before,
                after=after,
                note=self.source,
                at=now,
            )
            for action, target_type, target_id, before, after in self.events
        ]
        write_rows(AuditEvent, fields, rows)
        self.events.clear()


def _read_back_pks(model, objs, key: tuple[str, ...], school) -> None:
    qs = model.objects.all()
    if any(f.name == "school" for f in model._meta.concrete_fields):
        qs = qs.filter(school_id=getattr(school, "pk", school))
        pks = {
            tuple(row[:-1]): row[-1] for row in qs.values_list(*key, "pk").iterator(chunk_size=5000)
        }
    else:
        pks = {}
        values = [getattr(o, key[0]) for o in objs]
        for i in range(0, len(values), 900):
            chunk = qs.filter(**{f"{key[0]}__in": values[i : i + 900]}).values_list(*key, "pk")
            pks.update({tuple(row[:-1]): row[-1] for row in chunk})
    for obj in objs:
        obj.pk = pks[tuple(getattr(obj, k) for k in key)]
        obj._state.adding = False


def changed_fields(obj: models.Model, values: dict) -> dict:
    """Return the entries of `values` that differ from what `obj` holds."""
    return {k: v for k, v in values.items() if getattr(obj, k) != v}


def run_atomically(apply: Callable[[], Summary], *, dry_run: bool) -> Summary:
    """Run `apply` in one transaction; roll it back when `dry_run` (the summary says what would change)."""
    result: Summary | None = None
    try:
        with transaction.atomic(durable=True):
            result = apply()
            if dry_run:
                raise DryRun
    except DryRun:
        pass
    assert result is not None
    result.notes["dry_run"] = dry_run
    return result


def refuse_if(problems: Problems) -> None:
    if problems:
        raise ImportRefused(problems.sorted())
