"""Fetch-and-authorize in one step. Nothing else reads tenant data by id.

Each `access_*` function returns the object when `user` may see it and raises Http404 otherwise,
so a page never reveals whether another school's or another student's record exists.
"""

from django.db import connection
from django.db.models import Q
from django.http import Http404

from credo.accounts.models import MANAGER_ROLES, GuardianLink, Membership, Role, Student
from credo.schools.models import School


def roles_in(user, school) -> frozenset[str]:
    """Return the roles `user` holds in `school` (cached on the user object for the request)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cache = user.__dict__.setdefault("_credo_roles", {})
    school_id = getattr(school, "pk", school)
    if school_id not in cache:
        cache[school_id] = frozenset(
            Membership.objects.filter(user=user, school_id=school_id).values_list("role", flat=True)
        )
    return cache[school_id]


def user_schools(user) -> list[School]:
    """Return the schools in which `user` holds any role."""
    if not user.is_authenticated:
        return []
    return list(School.objects.filter(pk__in=Membership.objects.filter(user=user).values("school_id")).order_by("name"))


def is_manager(user, school) -> bool:
    return bool(roles_in(user, school) & MANAGER_ROLES)


def students_visible_to(user, school):
    """Return the queryset of `school`'s students that `user` may see."""
    roles = roles_in(user, school)
    qs = Student.objects.filter(school=school)
    if roles & MANAGER_ROLES:
        return qs
    condition = Q(pk__in=[])
    if Role.TEACHER in roles:
        condition |= Q(enrollments__section__teacher_links__user=user)
    if Role.ADVISOR in roles:
        condition |= Q(advisor=user)
    if Role.STUDENT in roles:
        condition |= Q(user=user)
    if Role.GUARDIAN in roles:
        condition |= Q(pk__in=GuardianLink.objects.filter(guardian=user, school=school).values("student_id"))
    if Role.REVIEWER in roles:
        from credo.mastery.models import PanelSeat

        condition |= Q(pk__in=PanelSeat.objects.filter(user=user, school=school).values("review__student_id"))
    return qs.filter(condition).distinct()


def access_school(*, user, slug: str) -> School:
    """Return the school with `slug` if `user` holds a role in it."""
    try:
        school = School.objects.get(slug=slug)
    except School.DoesNotExist:
        raise Http404("No such school.") from None
    if not roles_in(user, school) and not user.is_superuser:
        raise Http404("No such school.")
    return school


def access_student(*, user, student_id, school=None) -> Student:
    """Return the student if `user` may see them (optionally requiring `school`); else Http404."""
    try:
        student = Student.objects.select_related("school").get(pk=student_id)
    except (Student.DoesNotExist, ValueError, TypeError):
        raise Http404("No such student.") from None
    if school is not None and student.school_id != school.pk:
        raise Http404("No such student.")
    if not students_visible_to(user, student.school).filter(pk=student.pk).exists():
        raise Http404("No such student.")
    return student


def can_assess(user, student) -> bool:
    """Return whether `user` may record assessments for `student`.

    Admins and registrars may assess anyone in their school; teachers, the students enrolled
    in a section they teach.
    """
    roles = roles_in(user, student.school_id)
    if roles & MANAGER_ROLES:
        return True
    if Role.TEACHER in roles:
        # Plain SQL: this runs on every assessment, where compiling the ORM join cost more than the query.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM schools_enrollment e JOIN schools_sectionteacher t ON t.section_id = e.section_id "
                "WHERE e.student_id = %s AND t.user_id = %s LIMIT 1",
                [student.pk, user.pk],
            )
            return cursor.fetchone() is not None
    return False
