"""Fetch-and-authorize for evidence.

Those who may see the student see the whole record; a classmate sees only work its author chose to
share, and nothing of how it was assessed. Everyone else gets Http404.
"""

from __future__ import annotations

from django.http import Http404

from credo.accounts.access import roles_in, students_visible_to
from credo.accounts.models import Role, Student
from credo.evidence.models import Evidence

FULL = "full"
PEER = "peer"


def access_evidence(*, user, evidence_id, school=None) -> tuple[Evidence, str]:
    """Return (evidence, FULL or PEER) when `user` may see it; else raise Http404."""
    try:
        evidence = Evidence.objects.select_related(
            "student__school", "section__experience", "responds_to"
        ).get(pk=evidence_id)
    except (Evidence.DoesNotExist, ValueError, TypeError):
        raise Http404("No such evidence.") from None
    if school is not None and evidence.school_id != school.pk:
        raise Http404("No such evidence.")
    student_school = evidence.student.school
    if students_visible_to(user, student_school).filter(pk=evidence.student_id).exists():
        return evidence, FULL
    if evidence.shared_with_peers and Role.STUDENT in roles_in(user, student_school):
        from credo.evidence.selectors import classmate_ids

        me = Student.objects.filter(school=student_school, user=user).first()
        if me is not None and evidence.student_id in classmate_ids(me):
            return evidence, PEER
    raise Http404("No such evidence.")
