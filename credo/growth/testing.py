"""Builders for tests of educators' growth (and for the web tests' world): an installed
framework, educators with coaches, an observation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from credo.accounts.models import Role
from credo.growth import selectors, services
from credo.testing import make_user


@dataclass
class Staffroom:
    school: object
    leader: object
    coach: object
    educator: object  # the Educator being coached (a teacher)
    other: object  # another Educator, not coached by `coach`
    competencies: list


def make_staffroom(small) -> Staffroom:
    """Install the starter framework in a small school; give its teacher a growth record and a
    coach, and a second teacher a record of their own."""
    school = small.school
    leader = small.admin
    services.educator_framework_install(actor=leader, school=school)
    coach = make_user(
        f"coach-{school.slug}", school=school, role=Role.TEACHER, display_name="Cody Coach"
    )
    other_user = make_user(
        f"peer-{school.slug}", school=school, role=Role.TEACHER, display_name="Pat Peer"
    )
    educator = services.educator_add(actor=leader, school=school, user=small.teacher, new_hire=True)
    other = services.educator_add(actor=leader, school=school, user=other_user)
    services.support_assign(actor=leader, educator=educator, supporter=coach, kind="coach")
    return Staffroom(school, leader, coach, educator, other, selectors.competencies(school))


def observe(room: Staffroom, *, value, code="EP2", by=None, day=None):
    comp = next(c for c in room.competencies if c.code == code)
    return services.observation_record(
        actor=by or room.coach,
        educator=room.educator,
        observed_on=day or dt.date(2025, 10, 1),
        notes="Learners revised their drafts after written comments.",
        ratings={comp.pk: value},
        feedback="Give learners time in class to act on the comments.",
    )
