"""Writing and dropping the demo's rows: dates, bulk inserts with keys chosen up front, indexes
and sequences, and the purge of whole demo schools.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

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


def _next_ids(model, n: int, *, after: int = 0) -> range:
    """Return `n` fresh primary keys for `model`, skipping `after` keys already handed out."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
        (top,) = cursor.fetchone()
    first = (top or 0) + 1 + after
    return range(first, first + n)


def _write_rows(model, attnames: tuple[str, ...], rows: list[tuple], batch: int = 5000) -> None:
    """Insert plain rows into `model`'s table with executemany: the fast path for the big tables.

    Dates, times and JSON are adapted the way the backend stores them; primary keys, when given, come
    from `_next_ids`, and PostgreSQL's sequences are moved past them (`_reset_sequences`).
    """
    if not rows:
        return
    fields = {f.attname: f for f in model._meta.concrete_fields}
    ops = connection.ops
    adapt_datetime = (
        _sqlite_datetime if connection.vendor == "sqlite" else ops.adapt_datetimefield_value
    )
    adapters: list[tuple[int, Callable]] = []
    for i, name in enumerate(attnames):
        f = fields[name]
        internal = f.get_internal_type()
        if internal == "DateTimeField":
            adapters.append((i, adapt_datetime))
        elif internal == "DateField":
            cache: dict = {}

            def adapt_date(d, cache=cache):
                if d not in cache:
                    cache[d] = ops.adapt_datefield_value(d)
                return cache[d]

            adapters.append((i, adapt_date))
        elif internal == "JSONField":
            adapters.append((i, lambda v, f=f: f.get_db_prep_save(v, connection)))
    if adapters:
        adapted = []
        for row in rows:
            row = list(row)
            for i, adapt in adapters:
                if row[i] is not None:
                    row[i] = adapt(row[i])
            adapted.append(row)
        rows = adapted
    columns = ", ".join(ops.quote_name(fields[name].column) for name in attnames)
    sql = (
        f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({columns}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(attnames))})"
    )
    with connection.cursor() as cursor:
        for i in range(0, len(rows), batch):
            cursor.executemany(sql, rows[i : i + batch])


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


def _drop_indexes(*models) -> list[str]:
    """On SQLite, drop the secondary indexes of these tables and return the SQL that recreates them.

    Building an index once over the loaded rows is several times faster than updating it row by row.
    The drop and the rebuild happen inside the load's transaction, so nobody sees the tables without
    them. PostgreSQL keeps its indexes.
    """
    if connection.vendor != "sqlite":
        return []
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        placeholders = ", ".join(["%s"] * len(tables))
        sql = f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({placeholders}) ORDER BY name"  # noqa: S608
        cursor.execute(sql, tables)
        found = cursor.fetchall()
        for name, _sql in found:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return [sql for _name, sql in found]


def _create_indexes(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _sqlite_datetime(value: dt.datetime) -> str:
    """Return an aware datetime as SQLite stores it for Django: naive UTC text (as `adapt_datetimefield_value`)."""
    if value.tzinfo is UTC:
        return value.isoformat(" ")[:-6]  # drop "+00:00"
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


def _reset_sequences(*models) -> None:
    """Move PostgreSQL's id sequences past the keys the loader chose itself (SQLite needs nothing)."""
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


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
