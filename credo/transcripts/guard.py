"""The SQLite side of the database guard on published versions (see migration 0002).

SQLite has no session variables, so the DELETE trigger asks a function that Credo registers on
each of its connections. It answers 1 only while Django flushes the whole database (the test
runner between tests, `manage.py flush`): wiping everything is not changing a transcript.
"""

from __future__ import annotations

import sys

from django.db.backends.signals import connection_created

_FLUSH = "execute_sql_flush"


def version_erasable() -> int:
    """Return 1 when the current DELETE is part of a whole-database flush, else 0."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == _FLUSH:
            return 1
        frame = frame.f_back
    return 0


def _register(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("credo_version_erasable", 0, version_erasable)


def install() -> None:
    """Register the function on every new SQLite connection (called from the app's ready())."""
    connection_created.connect(_register, dispatch_uid="credo.transcripts.guard")
