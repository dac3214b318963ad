"""A small world for the web tests: two schools, every role, a review with a panel, some history.

The review's panel has three seats: a reviewer (no staff role), a review coordinator (staff) and
an outside expert. Under the default policy two must agree, one of them staff.
"""

import datetime as dt
from dataclasses import dataclass

import pytest

from credo.accounts.models import Role
from credo.accounts.services import guardian_link
from credo.evidence.services import evidence_submit
from credo.mastery import services
from credo.mastery.models import PanelSeat
from credo.testing import SmallSchool, make_small_school, make_user

DAY = dt.date(2025, 10, 1)


@dataclass
class World:
    hill: SmallSchool
    dale: SmallSchool
    guardian: object
    reviewer: object
    evidence: object
    review: object
    guest_seat: object
    coordinator: object

    @property
    def me(self):
        return self.hill.students[0]

    @property
    def classmate(self):
        return self.hill.students[1]


def build_world() -> World:
    hill = make_small_school("hill")
    dale = make_small_school("dale")
    me = hill.students[0]
    guardian = make_user(
        "guardian-hill", school=hill.school, role=Role.GUARDIAN, display_name="Guardian of One"
    )
    guardian_link(actor=hill.admin, student=me, guardian=guardian, relationship="parent")
    reviewer = make_user(
        "reviewer-hill", school=hill.school, role=Role.REVIEWER, display_name="Rae Viewer"
    )
    coordinator = make_user(
        "coordinator-hill",
        school=hill.school,
        role=Role.REVIEW_COORDINATOR,
        display_name="Cora Ordinator",
    )
    for c, v in zip(hill.competencies[:4], (3, 2, 4, 3), strict=True):
        services.assessment_record(
            assessor=hill.teacher,
            student=me,
            competency=c,
            value=v,
            demonstrated_on=DAY,
            feedback=f"Feedback on {c.code}",
        )
    # enough for the advanced credit (C4 and C5 proficient: 1 + 2 points of the 3 it needs)
    services.assessment_record(
        assessor=hill.teacher,
        student=me,
        competency=hill.competencies[4],
        value=3,
        demonstrated_on=DAY,
        feedback="Feedback on C5",
    )
    evidence = evidence_submit(
        actor=me.user,
        student=me,
        kind="text",
        title="My inquiry notes",
        body="What I found.",
        demonstrated_on=DAY,
        competencies=hill.competencies[3:6],
        credits=[hill.credits["advanced"]],
    )
    review = services.credit_review_request(
        actor=me.user,
        student=me,
        credit=hill.credits["advanced"],
        statement="I lead inquiries.",
        evidence_ids=[evidence.pk],
    )
    services.credit_review_schedule(
        actor=hill.admin,
        review=review,
        panel_users=[reviewer, coordinator],
        guests=[("Grace Expert", "grace@example.org", "engineer")],
    )
    seat = PanelSeat.objects.get(review=review, user__isnull=True)
    return World(hill, dale, guardian, reviewer, evidence, review, seat, coordinator)


def add_review_credit(hill: SmallSchool):
    """An advanced credit with a review (Expression II) on one target, C5; return it."""
    from credo.mastery.models import MasteryCredit

    credit = MasteryCredit.objects.create(
        school=hill.school,
        area=hill.areas[1],
        code="A2",
        title="Expression II",
        standard="Publishes for a real audience.",
        level="advanced",
        rule="all",
        review_required=True,
    )
    credit.items.create(school=hill.school, competency=hill.competencies[4])
    return credit


def add_highlighted_evidence(world: World):
    """Give `me` a highlighted piece of evidence, approved by the teacher, on an earned credit
    (Expression I): a transcript published after this lists it with a page of its own."""
    from credo.evidence.services import evidence_approve

    h, me = world.hill, world.me
    work = evidence_submit(
        actor=me.user,
        student=me,
        kind="text",
        title="Essay on the river survey",
        body="What the survey showed.",
        demonstrated_on=DAY,
        competencies=h.competencies[2:4],
        credits=[h.credits["count"]],
        highlighted=True,
    )
    return evidence_approve(actor=h.teacher, evidence=work)


@pytest.fixture
def world(db):
    return build_world()
