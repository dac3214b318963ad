"""Bulk loading: what the loaders that go straight to the tables share.

The demo loader (`credo.demo`), the benchmark's synthetic district (`credo.analytics.synthetic`),
the mastery engine's bulk path (`credo.mastery.bulk`) and the importers (`credo.interop.importers`)
write many rows at once, below the ORM. They used to carry their own copies of these helpers:

- `insert_rows`: values already as the database takes them, into a table by name — COPY on
  PostgreSQL, `executemany` in batches on SQLite;
- `write_rows`: values as the model holds them (aware datetimes, dates, decimals, JSON), adapted
  the way the backend stores them, then `executemany` in batches;
- `next_ids` and `reset_sequences`: primary keys chosen up front, and PostgreSQL's sequences moved
  past them afterwards;
- `drop_indexes` and `create_indexes`: on SQLite, an index built once over the loaded rows is several
  times faster than one kept up to date row by row (inside the load's transaction, so nobody sees
  the tables without them).

None of them audits or validates: the callers are bulk writers that record their own events.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models

UTC = dt.UTC


def _table(model_or_table: type[models.Model] | str) -> str:
    return model_or_table if isinstance(model_or_table, str) else model_or_table._meta.db_table


def insert_rows(
    cursor, table: str, columns: Sequence[str], rows: Iterable[tuple], batch: int = 50_000
) -> None:
    """Insert every row: COPY on PostgreSQL, batched `executemany` (never all rows at once) on SQLite."""
    names = ", ".join(columns)
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # psycopg 3
            for row in rows:
                copy.write_row(row)
        return
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
    rows = iter(rows)
    while chunk := list(itertools.islice(rows, batch)):
        cursor.executemany(sql, chunk)


def sqlite_datetime(value: dt.datetime) -> str:
    """Return an aware datetime as SQLite stores it for Django: naive UTC text (as `adapt_datetimefield_value`)."""
    if value.tzinfo is UTC:
        return value.isoformat(" ")[:-6]  # drop "+00:00"
    if value.tzinfo is None:
        return value.isoformat(" ")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


def write_rows(
    model: type[models.Model],
    fields: Sequence[str | models.Field],
    rows: Sequence[Sequence[Any]],
    batch: int = 5000,
) -> None:
    """Insert plain rows into `model`'s table with `executemany`: the fast path for big tables.

    `fields` are attribute names (`school_id`) or the model's fields themselves, in the order of
    each row's values. Dates, times, decimals and JSON are adapted the way the backend stores them.
    Primary keys, when given, should come from `next_ids`, followed by `reset_sequences`.
    """
    if not rows:
        return
    by_name = {f.attname: f for f in model._meta.concrete_fields}
    fields = [by_name[f] if isinstance(f, str) else f for f in fields]
    ops = connection.ops
    adapt_datetime = (
        sqlite_datetime if connection.vendor == "sqlite" else ops.adapt_datetimefield_value
    )
    adapters: list[tuple[int, Callable]] = []
    for i, f in enumerate(fields):
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
        elif internal == "DecimalField":
            adapters.append(
                (i, lambda v, f=f: ops.adapt_decimalfield_value(v, f.max_digits, f.decimal_places))
            )
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
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    sql = (
        f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({columns}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    with connection.cursor() as cursor:
        for i in range(0, len(rows), batch):
            cursor.executemany(sql, rows[i : i + batch])


def next_ids(model_or_table: type[models.Model] | str, n: int, *, after: int = 0) -> range:
    """Return `n` fresh primary keys for a table, skipping `after` keys already handed out."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(_table(model_or_table))}")  # noqa: S608
        (top,) = cursor.fetchone()
    first = (top or 0) + 1 + after
    return range(first, first + n)


def reset_sequences(*models_: type[models.Model]) -> None:
    """Move PostgreSQL's id sequences past the keys a loader chose itself (SQLite needs nothing)."""
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def drop_indexes(*tables: type[models.Model] | str) -> list[str]:
    """On SQLite, drop the secondary indexes of these tables and return the SQL that recreates them.

    PostgreSQL keeps its indexes (its loaders use COPY), and gets an empty list.
    """
    if connection.vendor != "sqlite":
        return []
    names = [_table(t) for t in tables]
    with connection.cursor() as cursor:
        placeholders = ", ".join(["%s"] * len(names))
        sql = f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({placeholders}) ORDER BY name"  # noqa: S608
        cursor.execute(sql, names)
        found = cursor.fetchall()
        for name, _sql in found:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return [sql for _name, sql in found]


def create_indexes(statements: Sequence[str]) -> None:
    """Run the statements `drop_indexes` returned."""
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
