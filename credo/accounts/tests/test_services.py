import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from credo.accounts import services
from credo.accounts.models import Membership, Student, User


def test_person_create_gives_roles_and_refuses_taken_usernames(hill):
    user = services.person_create(
        actor=hill.admin,
        school=hill.school,
        username="kim",
        display_name="Kim",
        roles=["teacher", "advisor"],
    )
    assert not user.has_usable_password()
    assert set(Membership.objects.filter(user=user).values_list("role", flat=True)) == {
        "teacher",
        "advisor",
    }
    with pytest.raises(ValidationError) as exc:
        services.person_create(
            actor=hill.admin, school=hill.school, username="KIM", display_name="", roles=[]
        )
    assert set(exc.value.message_dict) == {"username", "display_name", "roles"}
    with pytest.raises(PermissionDenied):
        services.person_create(
            actor=hill.teacher,
            school=hill.school,
            username="x",
            display_name="x",
            roles=["teacher"],
        )


def test_student_enrol_is_all_or_nothing(hill):
    with pytest.raises(ValidationError):
        services.student_enrol(
            actor=hill.admin,
            school=hill.school,
            given_name="A",
            family_name="B",
            student_number=hill.students[0].student_number,
            graduation_year=2028,
            username="newkid",
            password="long-enough",
        )
    assert not User.objects.filter(username="newkid").exists()
    student = services.student_enrol(
        actor=hill.admin,
        school=hill.school,
        given_name="A",
        family_name="B",
        student_number="X-1",
        graduation_year=2028,
        username="newkid",
    )
    assert student.user.username == "newkid" and student.graduation.rules_total == 1


def test_memberships_set_and_student_update(hill):
    user = hill.teacher
    services.memberships_set(
        actor=hill.admin, school=hill.school, user=user, roles=["teacher", "reviewer"]
    )
    assert set(Membership.objects.filter(user=user).values_list("role", flat=True)) == {
        "teacher",
        "reviewer",
    }
    student = hill.students[0]
    services.student_update(
        actor=hill.registrar,
        student=student,
        given_name="New",
        family_name="Name",
        graduation_year=2029,
        advisor=hill.advisor,
    )
    assert Student.objects.get(pk=student.pk).graduation_year == 2029
    with pytest.raises(ValidationError):
        services.student_update(
            actor=hill.registrar,
            student=student,
            given_name="New",
            family_name="Name",
            graduation_year=2029,
            advisor=hill.teacher,
        )
