"""What the transcript services share: is the actor the student, and the student's row lock."""

from __future__ import annotations

from credo.accounts.models import Student


def _is_self(actor, student: Student) -> bool:
    return actor is not None and student.user_id is not None and student.user_id == actor.pk


def _lock_student(student_id: int) -> None:
    from credo.mastery.services import lock_students

    lock_students([student_id])
