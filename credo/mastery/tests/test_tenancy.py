"""Nothing of one school is reachable from another."""

import datetime as dt

import pytest
from django.http import Http404

from credo.accounts.access import access_school, access_student, students_visible_to
from credo.mastery import services
from credo.mastery.access import can_assess
from credo.testing import make_user


def test_users_see_only_their_school(hill, dale):
    assert set(students_visible_to(hill.admin, dale.school)) == set()
    with pytest.raises(Http404):
        access_school(user=hill.admin, slug="dale")
    with pytest.raises(Http404):
        access_student(user=hill.admin, student_id=dale.students[0].pk)
    assert not can_assess(hill.admin, dale.students[0])


def test_roles_limit_which_students_are_visible(hill):
    s1, s2, _ = hill.students
    assert access_student(user=s1.user, student_id=s1.pk) == s1
    with pytest.raises(Http404):
        access_student(user=s1.user, student_id=s2.pk)
    guardian = make_user("parent", school=hill.school, role="guardian")
    from credo.accounts.models import GuardianLink

    GuardianLink.objects.create(school=hill.school, guardian=guardian, student=s2)
    assert list(students_visible_to(guardian, hill.school)) == [s2]
    assert set(students_visible_to(hill.teacher, hill.school)) == set(hill.students)
    assert set(students_visible_to(hill.advisor, hill.school)) == set(hill.students)


def test_selectors_are_school_scoped(hill, dale):
    services.assessment_record(
        assessor=hill.teacher,
        student=hill.students[0],
        competency=hill.competencies[0],
        value=3,
        demonstrated_on=dt.date(2025, 10, 1),
    )
    from credo.mastery.selectors import school_overview

    assert school_overview(hill.school).assessments_30d == 1
    assert school_overview(dale.school).assessments_30d == 0
