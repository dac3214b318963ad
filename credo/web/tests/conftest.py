"""A small world for the web tests: two schools, every role, a review with a panel, some history."""

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
    for c, v in zip(hill.competencies[:4], (3, 2, 4, 3), strict=True):
        services.assessment_record(
            assessor=hill.teacher,
            student=me,
            competency=c,
            value=v,
            demonstrated_on=DAY,
            feedback=f"Feedback on {c.code}",
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
        panel_users=[reviewer],
        guests=[("Grace Expert", "grace@example.org", "engineer")],
    )
    seat = PanelSeat.objects.get(review=review, user__isnull=True)
    return World(hill, dale, guardian, reviewer, evidence, review, seat)



@pytest.fixture
def world(db):
    return build_world()
