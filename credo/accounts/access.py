"""Fetch-and-authorize in one step. Nothing else reads tenant data by id.

Each `access_*` function returns the object when `user` may see it and raises Http404 otherwise,
so a page never reveals whether another school's or another student's record exists.

Superusers (who operate the installation) and the system actor (`system_actor()`, which commands
and background work act as) hold the roles of an admin and a registrar in every school: `roles_in`
says so, and every predicate reads roles through it, so views, services and the API agree.
"""

from django.db.models import Q
from django.http import Http404

from credo.accounts.models import (
    MANAGER_ROLES,
    SYSTEM_USERNAME,
    GuardianLink,
    Membership,
    Role,
    Student,
    User,
)
from credo.core.errors import NotAllowed
from credo.schools.models import School


def system_actor() -> User:
    """Return the named account that commands and background work act as.

    A data migration creates it; it is inactive with no usable password, so nobody signs in as it.
    """
    user, _ = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={
            "display_name": "Credo (system)",
            "is_active": False,
            "is_superuser": True,
            "password": "!",
        },
    )
    return user


def is_system(user) -> bool:
    return user is not None and getattr(user, "username", None) == SYSTEM_USERNAME


def roles_in(user, school) -> frozenset[str]:
    """Return the roles `user` holds in `school` (cached on the user object for the request).

    A superuser or the system actor holds an admin's and a registrar's roles in every school.
    """
    if user is None or not user.is_authenticated:
        return frozenset()
    cache = user.__dict__.setdefault("_credo_roles", {})
    school_id = getattr(school, "pk", school)
    if school_id not in cache:
        roles = frozenset(
            Membership.objects.filter(user=user, school_id=school_id).values_list("role", flat=True)
        )
        if user.is_superuser:
            roles |= MANAGER_ROLES
        cache[school_id] = roles
    return cache[school_id]


def user_schools(user) -> list[School]:
    """Return the schools in which `user` holds any role."""
    if not user.is_authenticated:
        return []
    return list(
        School.objects.filter(
            pk__in=Membership.objects.filter(user=user).values("school_id")
        ).order_by("name")
    )


def is_manager(user, school) -> bool:
    """Return whether `user` is an admin or registrar of `school` (the school's managers)."""
    return bool(roles_in(user, school) & MANAGER_ROLES)


def can_manage_setup(user, school) -> bool:
    """Return whether `user` may change the school's setup, people and records: admins, registrars."""
    return is_manager(user, school)


def require_manage_setup(actor, school, what: str) -> None:
    """Raise NotAllowed unless `actor` may change `school`'s setup; `what` says what they tried."""
    if actor is None:
        raise NotAllowed(f"Nobody is acting: only a school admin or registrar may {what}.")
    if not can_manage_setup(actor, school):
        raise NotAllowed(f"Only a school admin or registrar may {what}.")


def is_student_self(user, student) -> bool:
    """Return whether `user` is signed in as `student` (a student's or an educator's own record)."""
    return bool(
        user is not None
        and user.is_authenticated
        and student.user_id is not None
        and student.user_id == user.pk
    )


def is_staff_of(user, school) -> bool:
    """Return whether `user` works at `school` (admin, registrar, teacher or advisor)."""
    from credo.accounts.models import STAFF_ROLES

    return bool(roles_in(user, school) & STAFF_ROLES)


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
        condition |= Q(
            pk__in=GuardianLink.objects.filter(guardian=user, school=school).values("student_id")
        )
    if Role.REVIEWER in roles:
        from credo.mastery.models import PanelSeat

        condition |= Q(
            pk__in=PanelSeat.objects.filter(user=user, school=school).values("review__student_id")
        )
    return qs.filter(condition).distinct()


def access_school(*, user, slug: str) -> School:
    """Return the school with `slug` if `user` holds a role in it."""
    try:
        school = School.objects.get(slug=slug)
    except School.DoesNotExist:
        raise Http404("No such school.") from None
    if not roles_in(user, school):
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
