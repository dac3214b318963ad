"""What the mastery services share: locking students' rows so writes to one student serialize."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from credo.accounts.models import Student


def lock_students(student_ids: Iterable[int]) -> None:
    """Lock the students' rows in primary-key order so concurrent writes to one student serialize.

    On SQLite every write transaction already holds the database's write lock from its BEGIN
    (IMMEDIATE mode, see core/dburl.py), so there is nothing finer to lock.
    """
    if connection.vendor == "sqlite":
        return
    list(
        Student.learners.select_for_update()  # educators' learner records too (credo/growth)
        .filter(pk__in=sorted(set(student_ids)))
        .order_by("pk")
        .values("pk")
    )
