"""The SQLite side of the database guard on published versions (see migration 0002).

SQLite has no session variables, so the DELETE trigger asks a function that Credo registers on
each of its connections. It answers 1 only while Django flushes the whole database (the test
runner between tests, `manage.py flush`): wiping everything is not changing a transcript, and
nor is dropping whole schools that were invented (`credo demo --reset`, through
`erasing_whole_schools`). Both say so explicitly: the connection's `execute_sql_flush` is wrapped
to mark the flush, and the demo's reset enters `erasing_whole_schools`; nothing inspects the call
stack. (PostgreSQL flushes with TRUNCATE, which row triggers do not see.)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db.backends.signals import connection_created

_schools_going: ContextVar[bool] = ContextVar("credo_schools_going", default=False)
_flushing: ContextVar[bool] = ContextVar("credo_flushing", default=False)


@contextmanager
def erasing_whole_schools(connection) -> Iterator[None]:
    """Let the versions of schools being dropped whole be deleted, inside the caller's transaction.

    Only for the demo loader's reset, whose schools and people are invented. On PostgreSQL the
    trigger lets a DELETE through while the transaction-local setting `credo.erasing_whole_schools`
    is on (migration 0003); no other session ever sees it.
    """
    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('credo.erasing_whole_schools', 'on', true)")
    token = _schools_going.set(True)
    try:
        yield
    finally:
        _schools_going.reset(token)
    # After an error the rollback ends the setting with the transaction; after success, end it now.
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('credo.erasing_whole_schools', 'off', true)")


def version_erasable() -> int:
    """Return 1 when the current DELETE is part of a whole-database flush or of dropping whole
    schools (`erasing_whole_schools`), else 0."""
    return 1 if _schools_going.get() or _flushing.get() else 0


def _mark_flushes(ops) -> None:
    """Wrap this connection's `execute_sql_flush` (what `flush` and the test runner call to empty
    every table) so that the deletes it runs happen with `_flushing` set."""
    if getattr(ops, "credo_marks_flushes", False):
        return
    plain = ops.execute_sql_flush

    def execute_sql_flush(sql_list):
        token = _flushing.set(True)
        try:
            return plain(sql_list)
        finally:
            _flushing.reset(token)

    ops.execute_sql_flush = execute_sql_flush
    ops.credo_marks_flushes = True


def _register(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("credo_version_erasable", 0, version_erasable)
        _mark_flushes(connection.ops)


def install() -> None:
    """Register the function on every new SQLite connection (called from the app's ready())."""
    connection_created.connect(_register, dispatch_uid="credo.transcripts.guard")
