"""Fetch-and-authorize for imports and for the restricted demographics table.

Only admins and registrars import data or read demographics; other members of the school are
refused (403), and another school's records answer 404.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from credo.accounts.access import access_student, can_manage_setup
from credo.interop.models import Demographics, ImportRun


def may_import(user, school) -> bool:
    """Return whether `user` may import into or export from `school`: its admins and registrars."""
    return can_manage_setup(user, school)


def require_importer(user, school) -> None:
    """Raise PermissionDenied unless `user` is an admin or registrar of `school`."""
    if not may_import(user, school):
        raise PermissionDenied("Only a school admin or registrar may import or export data.")


def access_import_run(*, user, school, run_id) -> ImportRun:
    """Return the school's import run if `user` may import; else 403 (wrong role) or 404."""
    require_importer(user, school)
    try:
        return ImportRun.objects.select_related("school", "created_by", "applied_by").get(
            pk=run_id, school=school
        )
    except (ImportRun.DoesNotExist, ValueError, TypeError):
        raise Http404("No such import.") from None


def access_demographics(*, user, student_id, school=None) -> Demographics:
    """Return a student's demographic record for an admin or registrar of their school; else 404.

    Demographics are restricted data: a teacher, advisor, guardian or the student is told the
    record does not exist rather than that it is hidden.
    """
    student = access_student(user=user, student_id=student_id, school=school)
    if not may_import(user, student.school):
        raise Http404("No such record.")
    try:
        return Demographics.objects.get(student=student)
    except Demographics.DoesNotExist:
        raise Http404("No demographic record for this student.") from None
