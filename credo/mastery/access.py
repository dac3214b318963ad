"""Fetch-and-authorize for the mastery domain: assessments, credits, credit reviews and panels.

Each `access_*` function fetches a tenant row and checks that `user` may see it, raising Http404
otherwise (so a page never tells whether another school's or another student's record exists);
`lock=True` takes the row with `select_for_update()`. The `can_*` predicates answer one question
each and are asked alike by the services (which raise NotAllowed), the views, the API and the
templates (through `review_permissions` and `credo.core.http.page`).

Who may do what (DESIGN.md §3a):

- assess a student on a competency: admins, registrars, and the student's teachers in a section
  whose experience is aligned to it (a habit of work: any section the student is in);
- see a credit review: the school's admins, registrars and panel formers; the student's teachers
  and advisor; the members of its panel;
- form a panel, invite outside experts, see their links: the roles the school names in
  `School.panel_formers` (default: admins, registrars, review coordinators), never a teacher or
  advisor on their own authority;
- vote on a review: the members seated on its panel, one vote each; the credit's decision policy
  (`rules.panel_outcome`) says when the votes decide it;
- revoke an award, retire a credit or a framework: registrars, with a reason;
- set or withdraw a professional judgment of a student's level on a target: the student's teachers
  in a section aligned to it, while the school allows judgments (`School.judgment_enabled`).
"""

from __future__ import annotations

from django.core import signing
from django.db import connection
from django.db.models import Q
from django.http import Http404

from credo.accounts.access import is_manager, is_student_self, roles_in
from credo.accounts.models import (
    PANEL_FORMER_CHOICES,
    PANEL_STAFF_ROLES,
    Role,
    Student,
)
from credo.core.errors import NotAllowed
from credo.mastery import invites
from credo.mastery.models import Assessment, CreditAward, CreditReview, MasteryCredit, PanelSeat

# --- assessments ---------------------------------------------------------------------------------

# Who assesses a learner who is not a student (an educator's own record, `Student.kind`) is the
# rule of the app that keeps such records: it registers `kind -> predicate(user, learner,
# competency)` from its AppConfig.ready() (credo/growth: their coaches, mentors, invited peers
# and the school's leaders), so mastery imports none of them. No rule: nobody assesses them.
LEARNER_ASSESSORS: dict = {}


def can_assess(user, student, competency=None) -> bool:
    """Return whether `user` may record assessments of `student` (on `competency`, when given).

    Admins and registrars assess anyone in their school. A teacher assesses a student enrolled in
    a section they teach whose experience is aligned to the competency; for a habit of work (or
    when no competency is named) any section they teach the student in will do.
    """
    if user is None or student is None:
        return False
    if competency is not None and competency.school_id != student.school_id:
        return False
    if getattr(student, "kind", "student") != "student":
        rule = LEARNER_ASSESSORS.get(student.kind)
        return bool(rule and rule(user, student, competency))
    roles = roles_in(user, student.school_id)
    if is_manager(user, student.school_id):
        return True
    if Role.TEACHER not in roles:
        return False
    # Plain SQL: this runs on every assessment, where compiling the ORM join cost more than the query.
    sql = (
        "SELECT 1 FROM schools_enrollment e JOIN schools_sectionteacher t ON t.section_id = e.section_id "
        "WHERE e.student_id = %s AND t.user_id = %s"
    )
    params: list = [student.pk, user.pk]
    if competency is not None and not _is_habit(competency):
        sql = (
            "SELECT 1 FROM schools_enrollment e "
            "JOIN schools_sectionteacher t ON t.section_id = e.section_id "
            "JOIN schools_section s ON s.id = e.section_id "
            "JOIN schools_experiencealignment a ON a.experience_id = s.experience_id "
            "WHERE e.student_id = %s AND t.user_id = %s AND a.competency_id = %s"
        )
        params.append(competency.pk)
    with connection.cursor() as cursor:
        cursor.execute(sql + " LIMIT 1", params)
        return cursor.fetchone() is not None


def can_judge(user, student, competency) -> bool:
    """Return whether `user` may set (or withdraw) a professional judgment of `student`'s level on
    `competency`: a teacher of the student in a section aligned to it, where the school allows it."""
    if user is None or student is None or competency is None:
        return False
    if not student.school.judgment_enabled:
        return False
    if Role.TEACHER not in roles_in(user, student.school_id):
        return False
    return can_assess(user, student, competency)


def require_judge(user, student, competency) -> None:
    if not can_judge(user, student, competency):
        raise NotAllowed(
            "Only the student's teachers of this target may judge their level, where the school "
            "allows it."
        )


def _is_habit(competency) -> bool:
    framework = getattr(competency, "framework", None)
    return getattr(framework, "kind", "") == "habits"


def require_assess(user, student, competency=None) -> None:
    """Raise NotAllowed unless `user` may assess `student` on `competency`."""
    if not can_assess(user, student, competency):
        on = f" on {competency.code}" if competency is not None else ""
        raise NotAllowed(
            f"{user} may not assess {student}{on}: not their teacher in a section aligned to it, "
            "and not a school admin or registrar."
        )


def access_assessment(*, user, school, assessment_id, lock: bool = False) -> Assessment:
    """Return the school's assessment if `user` may assess its student on its competency; else Http404."""
    qs = Assessment.objects.select_related(
        "student__school", "competency__framework__scale", "competency__scale"
    )
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        assessment = qs.get(pk=assessment_id, school=school)
    except (Assessment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such assessment.") from None
    if not can_assess(user, assessment.student, assessment.competency):
        raise Http404("No such assessment.")
    return assessment


# --- credits -------------------------------------------------------------------------------------


def access_credit(*, user, school, credit_id) -> MasteryCredit:
    """Return the school's credit for a member of the school (credit standards are public); else Http404."""
    if not roles_in(user, school):
        raise Http404("No such credit.")
    try:
        return MasteryCredit.objects.select_related("area").get(pk=credit_id, school=school)
    except (MasteryCredit.DoesNotExist, ValueError, TypeError):
        raise Http404("No such credit.") from None


def can_request_review(user, student) -> bool:
    """Return whether `user` may ask for a review of one of `student`'s credits.

    The student, their advisor, a teacher of theirs, and those who administer reviews
    (admins, registrars, panel formers).
    """
    if user is None or not user.is_authenticated:
        return False
    if is_student_self(user, student):
        return True
    if is_manager(user, student.school_id) or can_form_panel(user, student.school):
        return True
    roles = roles_in(user, student.school_id)
    if Role.ADVISOR in roles and student.advisor_id == user.pk:
        return True
    if Role.TEACHER in roles:
        return can_assess(user, student)
    return False


def can_override_requirement(user, school) -> bool:
    """Return whether `user` may let a review be requested before the requirement is met (with a reason)."""
    return is_manager(user, school)


# --- reviews and panels --------------------------------------------------------------------------


def _school_obj(school):
    if hasattr(school, "panel_formers"):
        return school
    from credo.schools.models import School

    return School.objects.get(pk=school)


def can_form_panel(user, school) -> bool:
    """Return whether `user` may schedule reviews, seat panels, invite outside experts and see
    their links: the roles the school names in `panel_formers`."""
    school = _school_obj(school)
    allowed = set(school.panel_formers or ()) & set(PANEL_FORMER_CHOICES)
    return bool(roles_in(user, school) & allowed)


def reviews_visible_to(user, school):
    """Return the queryset of `school`'s credit reviews that `user` may open."""
    qs = CreditReview.objects.filter(school=school)
    if user is None or not user.is_authenticated:
        return qs.none()
    if is_manager(user, school) or can_form_panel(user, school):
        return qs
    roles = roles_in(user, school)
    condition = Q(pk__in=PanelSeat.objects.filter(user=user, school=school).values("review_id"))
    if Role.ADVISOR in roles:
        condition |= Q(student__advisor=user)
    if Role.TEACHER in roles:
        condition |= Q(
            student_id__in=Student.objects.filter(
                school=school, enrollments__section__teacher_links__user=user
            ).values("pk")
        )
    return qs.filter(condition)


def can_see_reviews(user, school) -> bool:
    """Return whether the review queue is for `user` (staff, panel formers and reviewers)."""
    return bool(roles_in(user, school) & (PANEL_STAFF_ROLES | {Role.REVIEWER}))


def access_review(*, user, school, review_id, lock: bool = False) -> CreditReview:
    """Return the school's review if `user` may see it (see `reviews_visible_to`); else Http404."""
    qs = reviews_visible_to(user, school).select_related(
        "student__school", "credit__area", "requested_by", "school"
    )
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=review_id)
    except (CreditReview.DoesNotExist, ValueError, TypeError):
        raise Http404("No such review.") from None


def seat_of(user, review) -> PanelSeat | None:
    """Return `user`'s seat on the review's panel, or None."""
    if user is None or not user.is_authenticated:
        return None
    return PanelSeat.objects.filter(review=review, user=user).first()


def staff_seats(seats) -> dict[int, bool]:
    """Return {seat id: whether it counts as a staff member's under a decision policy} for the
    seats of one panel (with `user` selected): one query however large the panel."""
    from credo.accounts.models import Membership

    seats = list(seats)
    if not seats:
        return {}
    user_ids = {s.user_id for s in seats if s.user_id}
    staff = set(
        Membership.objects.filter(
            school_id=seats[0].school_id, user_id__in=user_ids, role__in=PANEL_STAFF_ROLES
        ).values_list("user_id", flat=True)
    )
    # a superuser counts as the school's admin everywhere (`roles_in`)
    staff |= {s.user_id for s in seats if s.user_id and s.user.is_superuser}
    return {s.pk: s.user_id in staff for s in seats}


def can_decide_review(user, review, *, seat: PanelSeat | None = None) -> bool:
    """Return whether `user` (or the outside expert holding `seat`) may vote on the review now:
    seated on its panel, the review open, and no vote cast from that seat yet."""
    if not review.is_open:
        return False
    if seat is None:
        seat = seat_of(user, review)
    elif seat.review_id != review.pk:
        return False
    return seat is not None and not seat.votes.exists()


def require_form_panel(user, school) -> None:
    if not can_form_panel(user, school):
        raise NotAllowed(
            "Only those the school names (by default admins, registrars and review coordinators) "
            "may form review panels and invite outside experts."
        )


def access_guest_seat(*, token: str) -> PanelSeat:
    """Return the outside expert's seat a signed invitation token names.

    Raise `invites.InvitationExpired` when the link has lapsed and Http404 when it is not valid.
    """
    try:
        seat_id, review_id = invites.seat_id_from_token(token)
    except signing.BadSignature:
        raise Http404("This invitation link is not valid.") from None
    seat = (
        PanelSeat.objects.filter(pk=seat_id, review_id=review_id, user__isnull=True)
        .select_related("review__student", "review__credit__area", "review__school")
        .first()
    )
    if seat is None:
        raise Http404("This invitation link is not valid.")
    return seat


def review_permissions(user, review) -> dict:
    """Return what `user` may do on an (already authorized) review, for its page's template."""
    seat = seat_of(user, review)
    former = can_form_panel(user, review.school)
    return {
        "form_panel": former and review.is_open,
        "invite": former and review.is_open,
        "see_links": former,
        "decide": can_decide_review(user, review, seat=seat) if seat else False,
        "seat": seat,
    }


# --- undoing: revoking awards, retiring credits and frameworks ---------------------------------


def can_revoke_and_retire(user, school) -> bool:
    """Return whether `user` may revoke an award or retire a credit or framework: registrars."""
    return Role.REGISTRAR in roles_in(user, school)


def require_revoke_and_retire(user, school, what: str) -> None:
    """Raise NotAllowed unless `user` may revoke and retire in `school`; `what` says what they tried."""
    if not can_revoke_and_retire(user, school):
        raise NotAllowed(f"Only a registrar may {what}.")


def access_award(*, user, student, credit_id) -> CreditAward:
    """Return the student's standing award of the credit if `user` may revoke it.

    Raises Http404 when the student holds no such award (ids past the database's integers too) and
    NotAllowed when `user` is not a registrar of the student's school. The caller has already
    fetched `student` through `accounts.access.access_student`.
    """
    if not isinstance(credit_id, int) or not 0 < credit_id < 2**63:
        raise Http404("This student holds no such award.")
    award = (
        CreditAward.objects.filter(
            school_id=student.school_id,
            student=student,
            credit_id=credit_id,
            revoked_at__isnull=True,
        )
        .select_related("credit", "review")
        .first()
    )
    if award is None:
        raise Http404("This student holds no such award.")
    require_revoke_and_retire(user, student.school_id, "revoke a mastery credit")
    return award
