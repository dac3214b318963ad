"""The demo's dates, its small inserts, the tables it loads and the purge of whole demo schools.

The big tables go in through `credo.core.bulkload` (keys chosen up front, `executemany`).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from credo.core.models import AuditEvent
from credo.demo.simulation import UTC
from credo.schools.models import School


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def _weekday(day: dt.date) -> dt.date:
    """Return the day, moved back to Friday when it falls on a weekend."""
    wd = day.weekday()
    return day - dt.timedelta(days=wd - 4) if wd > 4 else day


def _insert(model, objs: list, batch_size: int = 2000) -> list:
    if objs:
        model.objects.bulk_create(objs, batch_size=batch_size)
    return objs


def _loaded_tables() -> list[str]:
    """Return the tables the loader writes to (the apps of people, schools, frameworks and mastery)."""
    from django.apps import apps

    labels = {
        "core",
        "accounts",
        "schools",
        "frameworks",
        "evidence",
        "mastery",
        "journey",
        "transcripts",
        "interop",
    }
    return [m._meta.db_table for m in apps.get_models() if m._meta.app_label in labels]


def _purge_schools(school_ids: list[int]) -> None:
    """Delete every row the schools own, table by table (tenant rows all carry `school_id`).

    Foreign keys are checked at commit, so the order of the deletes does not matter. Rows that
    point at a school's rows without carrying `school_id` themselves follow their parent.
    """
    from django.apps import apps

    ids = ",".join(str(int(i)) for i in school_ids)
    qn = connection.ops.quote_name
    school_fk: dict = {}
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model is School:
                school_fk.setdefault(model, []).append(f)
    tenant_tables = {m: fs for m, fs in school_fk.items() if any(f.name == "school" for f in fs)}
    with connection.cursor() as cursor:
        # Rows outside the tenant tables that point at tenant rows (many-to-many tables too).
        for model in apps.get_models(include_auto_created=True):
            if model in tenant_tables:
                continue
            for f in model._meta.concrete_fields:
                target = f.related_model if f.is_relation else None
                if target is None or target not in tenant_tables or target is School:
                    continue
                sub = f"SELECT id FROM {qn(target._meta.db_table)} WHERE school_id IN ({ids})"  # noqa: S608
                if f.null and f.remote_field.on_delete.__name__ == "SET_NULL":
                    cursor.execute(
                        f"UPDATE {qn(model._meta.db_table)} SET {qn(f.column)} = NULL "  # noqa: S608
                        f"WHERE {qn(f.column)} IN ({sub})"
                    )
                else:
                    cursor.execute(
                        f"DELETE FROM {qn(model._meta.db_table)} "  # noqa: S608
                        f"WHERE {qn(f.column)} IN ({sub})"
                    )
        for model, fks in school_fk.items():
            for f in fks:
                table, column = qn(model._meta.db_table), qn(f.column)
                if model is AuditEvent:  # the demo's own history goes with it
                    cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({ids})")  # noqa: S608
                elif f.null and f.remote_field.on_delete.__name__ == "SET_NULL":
                    cursor.execute(f"UPDATE {table} SET {column} = NULL WHERE {column} IN ({ids})")  # noqa: S608
                else:
                    cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({ids})")  # noqa: S608
        cursor.execute(f"DELETE FROM {qn(School._meta.db_table)} WHERE id IN ({ids})")  # noqa: S608
