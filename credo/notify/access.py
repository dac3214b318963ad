"""Who may be told what, and whose notifications a person may read or mark.

Every notification is someone's own: `access_notification` fetches one of the person's own and
answers 404 for anyone else's. The `*_recipients` functions are the one place that decides who
hears of an event; each asks the owning domain's authority (`mastery.access.can_assess`,
`accounts.access.students_visible_to`) so nobody is ever told of a student they may not see.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404

from credo.accounts.access import is_system, roles_in, students_visible_to, user_schools
from credo.accounts.models import PANEL_STAFF_ROLES, Role
from credo.notify.models import Kind, Notification

# Work from a section stays news for its teachers this long after the term ends (late work).
GRACE_DAYS = 60


def access_notification(*, user, notification_id, lock: bool = False) -> Notification:
    """Return `user`'s own notification with that id; Http404 for anyone else's or none."""
    if not getattr(user, "is_authenticated", False):
        raise Http404("No such notification.")
    try:
        pk = int(notification_id)
    except (TypeError, ValueError):
        raise Http404("No such notification.") from None
    qs = Notification.objects.filter(pk=pk, user=user)
    if lock:
        qs = qs.select_for_update()
    found = qs.first()
    if found is None:
        raise Http404("No such notification.")
    return found


def kinds_for(user) -> list[str]:
    """Return the kinds of notification `user` can receive, from their roles in every school."""
    if not getattr(user, "is_authenticated", False) or is_system(user):
        return []
    roles: set[str] = set()
    for school in user_schools(user):
        roles |= roles_in(user, school)
    kinds = []
    if Role.TEACHER in roles:
        kinds.append(Kind.NEW_WORK)
    if Role.STUDENT in roles:
        kinds += [Kind.FEEDBACK, Kind.DECISION]
    if roles & (PANEL_STAFF_ROLES | {Role.REVIEWER}):
        kinds.append(Kind.REVIEW_INVITATION)
    if Role.GUARDIAN in roles:
        kinds += [Kind.GUARDIAN_WEEKLY, Kind.FAMILY_REPORT]
    return [str(k) for k in kinds]


def may_hear_of(user, student) -> bool:
    """Return whether `user` may be told about `student` (they may see the student's record)."""
    if user is None or not user.is_active or is_system(user):
        return False
    return students_visible_to(user, student.school).filter(pk=student.pk).exists()


def new_work_recipients(evidence) -> list:
    """Return the teachers who should hear of new work: those who teach the student, in a section
    whose term runs (or ended less than `GRACE_DAYS` ago), aligned to a target the work is tagged
    to, and who may assess the student on it. Never the person who submitted it."""
    from credo.accounts.models import User
    from credo.mastery.access import can_assess

    student = evidence.student
    targets = list(evidence.competency_tags.select_related("competency"))
    since = student.school.today() - dt.timedelta(days=GRACE_DAYS)
    candidates = User.objects.filter(
        teaching__section__enrollments__student=student,
        teaching__section__term__ends_on__gte=since,
        teaching__section__experience__alignments__competency__in=[
            t.competency_id for t in targets
        ],
        is_active=True,
    ).distinct()
    found = []
    for user in candidates:
        if user.pk == evidence.submitted_by_id:
            continue
        if any(can_assess(user, student, t.competency) for t in targets):
            found.append(user)
    return found


def student_recipients(student) -> list:
    """Return the student's own account, when they have one that may sign in."""
    user = student.user
    return [user] if user is not None and may_hear_of(user, student) else []


def seat_recipients(seat) -> list:
    """Return the staff member or reviewer seated on a panel (an outside expert has no account;
    they are e-mailed their link instead)."""
    if seat.user is None:
        return []
    return [seat.user] if seat.user.is_active and roles_in(seat.user, seat.school_id) else []


def guardian_recipients(school) -> dict:
    """Return {guardian: [their students]} for every active guardian link of `school`."""
    from credo.accounts.models import GuardianLink

    found: dict = {}
    for link in GuardianLink.objects.filter(
        school=school, guardian__is_active=True, student__active=True
    ).select_related("guardian", "student__school"):
        found.setdefault(link.guardian, []).append(link.student)
    return found
