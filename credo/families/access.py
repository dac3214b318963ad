"""Who may read a student's family progress report, send reports to a class, and give the school's
texts in other languages. The one home of these rules; views, services and tasks ask here."""

from __future__ import annotations

from django.http import Http404

from credo.accounts.access import (
    is_manager,
    is_staff_of,
    is_student_self,
    is_system,
    roles_in,
    students_visible_to,
)
from credo.accounts.models import GuardianLink, Role, Student


def is_guardian_of(user, student) -> bool:
    """Return whether `user` holds a guardian link to `student` (in the student's school)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if Role.GUARDIAN not in roles_in(user, student.school):
        return False
    return GuardianLink.objects.filter(
        guardian=user, student=student, school_id=student.school_id
    ).exists()


def may_read_family_report(user, student) -> bool:
    """The student themself, their guardians, and the school's staff who may see the student.

    Outside reviewers see a student only for one credit's review: never the family report."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or is_system(user):
        return False
    if is_student_self(user, student):
        return True
    if is_guardian_of(user, student):
        return True
    return (
        is_staff_of(user, student.school)
        and students_visible_to(user, student.school).filter(pk=student.pk).exists()
    )


def access_family_report(*, user, student_id, school) -> Student:
    """Return the student of `school` whose family report `user` may read; else Http404."""
    try:
        student = Student.objects.select_related("school").get(pk=student_id, school=school)
    except (Student.DoesNotExist, ValueError, TypeError):
        raise Http404("No such student.") from None
    if not may_read_family_report(user, student):
        raise Http404("No such student.")
    return student


def may_receive_family_report(user, student) -> bool:
    """A guardian of the student whose account is active (the opt-in is theirs to give)."""
    return bool(user and user.is_active) and is_guardian_of(user, student)


def can_send_family_reports(user, school) -> bool:
    """Admins and registrars send a class's reports."""
    return is_manager(user, school)


def can_translate_school_texts(user, school) -> bool:
    """Admins and registrars, who keep the scales and credits, give them in other languages."""
    return is_manager(user, school)
