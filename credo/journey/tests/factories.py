"""Builders for journey tests, going through the real services."""

from __future__ import annotations

from dataclasses import dataclass

from credo.accounts.models import Role
from credo.journey import services
from credo.journey.models import JourneyAssessment, JourneyTeamMember
from credo.testing import SmallSchool, make_user


@dataclass
class Team:
    assessment: JourneyAssessment
    lead: object
    member: object
    other: object
    seats: list[JourneyTeamMember]


def make_team(s: SmallSchool) -> Team:
    """Open the school's self-assessment with its admin as lead, the teacher and registrar as members."""
    assessment = services.journey_start(actor=s.admin, school=s.school, position="Principal")
    services.team_member_add(
        actor=s.admin, school=s.school, user=s.teacher, position="Science lead"
    )
    services.team_member_add(actor=s.admin, school=s.school, user=s.registrar, position="Registrar")
    seats = list(JourneyTeamMember.objects.filter(school=s.school).order_by("id"))
    return Team(assessment, s.admin, s.teacher, s.registrar, seats)


def add_staff(s: SmallSchool, n: int, *, join: bool = True) -> list:
    """Add `n` teachers to the school (and to its team when `join`)."""
    users = []
    for i in range(n):
        user = make_user(f"extra{i}-{s.school.slug}", school=s.school, role=Role.TEACHER)
        if join:
            services.team_member_add(actor=s.admin, school=s.school, user=user)
        users.append(user)
    return users
