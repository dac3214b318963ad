"""What is waiting for someone: the work a teacher has to assess, the stories and highlighted evidence
waiting for an educator's approval, and the credit reviews waiting for a panel.

Each list is read in a fixed number of queries whatever its length, and each has a `*_count` twin
for the home page that is one query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, Subquery

from credo.accounts.access import roles_in, students_visible_to
from credo.accounts.models import MANAGER_ROLES, STAFF_ROLES, Role, Student
from credo.evidence.models import Evidence, EvidenceCompetency, StudentStory
from credo.mastery.access import can_form_panel
from credo.mastery.models import Assessment, CreditReview, PanelSeat
from credo.schools.models import Enrollment, Section

# A section's work stays on its teacher's list this long after its term ends; older work is a
# backlog for the school to look at, not news.
GRACE_DAYS = 60
# The most pieces of evidence one page lists (the count on the home page is the whole number).
TO_ASSESS_LIMIT = 200


def _current_sections(user, school) -> Q:
    """Return a filter of the sections `user` teaches in `school` whose term is running or ended
    less than `GRACE_DAYS` ago (late work still arrives after the last day)."""
    since = school.today() - dt.timedelta(days=GRACE_DAYS)
    return Q(school=school, teacher_links__user=user, term__ends_on__gte=since)


def _pending_tags(user, school):
    """Return the (evidence, competency) tags waiting for this teacher's assessment: the evidence of
    a student enrolled in one of the teacher's current sections, tagged to a target that section is
    aligned to, demonstrated during the section's term, with no live assessment of that evidence
    on that target (by anyone). Each row is annotated with the section to assess it in."""
    sections = Section.objects.filter(_current_sections(user, school))
    matching = Enrollment.objects.filter(
        student_id=OuterRef("evidence__student_id"),
        section__in=sections,
        section__experience__alignments__competency_id=OuterRef("competency_id"),
        section__term__starts_on__lte=OuterRef("evidence__demonstrated_on"),
        section__term__ends_on__gte=OuterRef("evidence__demonstrated_on"),
    ).order_by("section_id")
    assessed = Assessment.objects.filter(
        evidence_id=OuterRef("evidence_id"),
        competency_id=OuterRef("competency_id"),
        retraction=False,
        replaced_by__isnull=True,
    )
    return (
        EvidenceCompetency.objects.filter(school=school)
        .filter(Exists(matching))
        .exclude(Exists(assessed))
        .annotate(section_id=Subquery(matching.values("section_id")[:1]))
    )


@dataclass
class ToAssess:
    """One piece of evidence waiting for assessment, with its targets and, for a revision, the
    feedback that prompted it."""

    evidence: Evidence
    section_id: int
    targets: list = field(default_factory=list)  # competencies, in code order

    @property
    def is_revision(self) -> bool:
        return self.evidence.revision_of_id is not None


def to_assess(user, school, *, limit: int = TO_ASSESS_LIMIT) -> list[ToAssess]:
    """Return the evidence waiting for `user`'s assessment, revisions first, then oldest first (the
    longest waiting). Two queries, whatever the number of items."""
    tags = (
        _pending_tags(user, school)
        .select_related(
            "competency__framework__scale",
            "competency__scale",
            "evidence__student",
            "evidence__revision_of",
            "evidence__responds_to__competency",
            "evidence__responds_to__assessor",
        )
        .order_by("evidence__submitted_at", "evidence_id", "competency__code")
    )
    items: dict[int, ToAssess] = {}
    for tag in tags:
        item = items.get(tag.evidence_id)
        if item is None:
            if len(items) >= limit:
                continue
            item = items[tag.evidence_id] = ToAssess(tag.evidence, tag.section_id)
        item.targets.append(tag.competency)
    return sorted(items.values(), key=lambda i: (not i.is_revision, i.evidence.submitted_at))


def to_assess_count(user, school) -> int:
    """Return how many pieces of evidence wait for `user`'s assessment. One query."""
    return _pending_tags(user, school).values("evidence_id").distinct().count()


def assess_places(user, evidence) -> dict[int, int]:
    """Return {competency id: section id} for the targets `evidence` is tagged to that `user` may
    assess it on in a section they teach the student in (one query; empty for anyone else)."""
    places: dict[int, int] = {}
    for competency_id, section_id in (
        EvidenceCompetency.objects.filter(
            evidence=evidence,
            competency__alignments__experience__sections__teacher_links__user=user,
            competency__alignments__experience__sections__enrollments__student_id=evidence.student_id,
        )
        .order_by("-competency__alignments__experience__sections__term__starts_on")
        .values_list("competency_id", "competency__alignments__experience__sections")
    ):
        places.setdefault(competency_id, section_id)
    return places


# --- approvals -----------------------------------------------------------------------------------


def _story_approvable(user, school):
    """Return the students whose story `user` may approve (as `story_approve` decides)."""
    roles = roles_in(user, school)
    if roles & MANAGER_ROLES:
        return Student.objects.filter(school=school)
    if Role.ADVISOR in roles:
        return Student.objects.filter(school=school, advisor=user)
    return Student.objects.none()


def _stories_waiting(user, school):
    return (
        StudentStory.objects.filter(
            school=school,
            submitted_at__isnull=False,
            approved_at__isnull=True,
            student__in=_story_approvable(user, school),
        )
        .exclude(body="")
        .order_by("submitted_at", "id")
    )


def _evidence_waiting(user, school):
    if not roles_in(user, school) & STAFF_ROLES:
        return Evidence.objects.none()
    return Evidence.objects.filter(
        school=school,
        highlighted=True,
        approved_at__isnull=True,
        student__in=students_visible_to(user, school).values("pk"),
    ).order_by("submitted_at", "id")


@dataclass
class Approvals:
    stories: list
    evidence: list

    @property
    def total(self) -> int:
        return len(self.stories) + len(self.evidence)


def approvals(user, school) -> Approvals:
    """Return the stories and highlighted evidence waiting for `user`'s approval. Two queries."""
    return Approvals(
        list(_stories_waiting(user, school).select_related("student")),
        list(_evidence_waiting(user, school).select_related("student")),
    )


def approvals_count(user, school) -> int:
    """Return how many approvals wait for `user`. Two queries."""
    return _stories_waiting(user, school).count() + _evidence_waiting(user, school).count()


# --- reviews waiting for a panel ------------------------------------------------------------------


def _awaiting_panel(school):
    return CreditReview.objects.filter(school=school, closed_at__isnull=True).exclude(
        Exists(PanelSeat.objects.filter(review_id=OuterRef("pk")))
    )


def reviews_awaiting_panel(user, school) -> list[CreditReview]:
    """Return the open reviews with no panel yet, longest waiting first (none for others). One query."""
    if not can_form_panel(user, school):
        return []
    return list(
        _awaiting_panel(school)
        .select_related("student", "credit__area")
        .order_by("requested_at", "id")
    )


def reviews_awaiting_panel_count(user, school) -> int:
    if not can_form_panel(user, school):
        return 0
    return _awaiting_panel(school).count()


@dataclass
class Counts:
    to_assess: int = 0
    approvals: int = 0
    panels: int = 0

    @property
    def any(self) -> bool:
        return bool(self.to_assess or self.approvals or self.panels)


def worklist_counts(user, school) -> Counts:
    """Return the length of each of `user`'s worklists in `school`, for the home page."""
    roles = roles_in(user, school)
    return Counts(
        to_assess=to_assess_count(user, school) if Role.TEACHER in roles else 0,
        approvals=approvals_count(user, school) if roles & STAFF_ROLES else 0,
        panels=reviews_awaiting_panel_count(user, school),
    )
