"""Starting a journey, and its leadership team."""

from __future__ import annotations

from django.db import transaction

from credo.accounts.access import roles_in
from credo.accounts.models import STAFF_ROLES
from credo.core.audit import audit_record, snapshot
from credo.core.errors import NotAllowed, refuse
from credo.journey.access import may_manage_team, may_start_journey
from credo.journey.events import (
    JOURNEY_STARTED,
    JOURNEY_TEAM_MEMBER_ADDED,
    JOURNEY_TEAM_MEMBER_CHANGED,
    JOURNEY_TEAM_MEMBER_REMOVED,
)
from credo.journey.models import JourneyAssessment, JourneyFramework, JourneyTeamMember, TeamRole
from credo.journey.services.common import _validated
from credo.journey.services.template import framework_default_for

# --------------------------------------------------------------------------------------------
# Starting, and the team


def journey_start(
    *, actor, school, framework: JourneyFramework | None = None, position: str = ""
) -> JourneyAssessment:
    """Open the school's self-assessment (a school admin does this) and seat the admin as lead."""
    if actor is not None and not may_start_journey(actor, school):
        raise NotAllowed("Only a school admin may start the school's journey self-assessment.")
    framework = framework or framework_default_for(school)
    if framework.published_at is None:
        refuse("framework", "That version is still a draft; publish it first.")
    if framework.network_id not in (None, school.network_id):
        refuse("framework", "That version belongs to another network.")
    with transaction.atomic(durable=True):
        if JourneyAssessment.objects.filter(school=school, closed_at__isnull=True).exists():
            refuse(None, f"{school} has already started its journey self-assessment.")
        assessment = JourneyAssessment.objects.create(
            school=school, framework=framework, started_by=actor
        )
        audit_record(
            actor=actor,
            school=school,
            action=JOURNEY_STARTED,
            target=assessment,
            after={"framework": framework.pk, "version": framework.version},
        )
        if (
            actor is not None
            and not JourneyTeamMember.objects.filter(school=school, user=actor).exists()
        ):
            _add_member(
                actor=actor, school=school, user=actor, role=TeamRole.LEAD, position=position
            )
    return assessment


def _add_member(*, actor, school, user, role, position) -> JourneyTeamMember:
    member = _validated(
        JourneyTeamMember(
            school=school, user=user, role=role, position=position.strip(), added_by=actor
        ),
        exclude=["added_by"],
    )
    member.save()
    audit_record(
        actor=actor,
        school=school,
        action=JOURNEY_TEAM_MEMBER_ADDED,
        target=member,
        after={"user": user.pk, "role": role, "position": member.position},
    )
    team = actor.__dict__.get("_credo_journey_team") if actor is not None else None
    if team is not None:
        team.pop(school.pk, None)
    return member


def team_member_add(
    *, actor, school, user, role: str = TeamRole.MEMBER, position: str = ""
) -> JourneyTeamMember:
    """Seat a staff member of the school on its leadership team."""
    if not may_manage_team(actor, school):
        raise NotAllowed("Only a school admin or the team's lead may change the team.")
    if role not in TeamRole.values:
        refuse("role", f"“{role}” is not a team role.")
    if not roles_in(user, school) & STAFF_ROLES:
        refuse("user", f"{user} is not on the staff of {school}.")
    with transaction.atomic(durable=True):
        if JourneyTeamMember.objects.filter(school=school, user=user).exists():
            refuse("user", f"{user} is already on the team.")
        return _add_member(actor=actor, school=school, user=user, role=role, position=position)


def _leads_other_than(member) -> int:
    return (
        JourneyTeamMember.objects.filter(school_id=member.school_id, role=TeamRole.LEAD)
        .exclude(pk=member.pk)
        .count()
    )


def team_member_update(
    *, actor, member: JourneyTeamMember, role: str, position: str = ""
) -> JourneyTeamMember:
    """Change a member's team role or position. The team always keeps at least one lead."""
    school = member.school
    if not may_manage_team(actor, school):
        raise NotAllowed("Only a school admin or the team's lead may change the team.")
    if role not in TeamRole.values:
        refuse("role", f"“{role}” is not a team role.")
    with transaction.atomic(durable=True):
        member = JourneyTeamMember.objects.select_for_update().get(pk=member.pk)
        if member.is_lead and role != TeamRole.LEAD and not _leads_other_than(member):
            refuse("role", "The team needs a lead; name another lead first.")
        before = snapshot(member, ["role", "position"])
        member.role, member.position = role, position.strip()
        _validated(member)
        member.save(update_fields=["role", "position"])
        audit_record(
            actor=actor,
            school=school,
            action=JOURNEY_TEAM_MEMBER_CHANGED,
            target=member,
            before=before,
            after=snapshot(member, ["role", "position"]),
        )
    return member


def team_member_remove(*, actor, member: JourneyTeamMember) -> JourneyTeamMember:
    """Take a member off the team and return the removed seat. Their past ratings stay."""
    school = member.school
    if not may_manage_team(actor, school):
        raise NotAllowed("Only a school admin or the team's lead may change the team.")
    with transaction.atomic(durable=True):
        member = JourneyTeamMember.objects.select_for_update().get(pk=member.pk)
        if member.is_lead and not _leads_other_than(member):
            refuse(None, "The team needs a lead; name another lead before removing this one.")
        before = snapshot(member, ["user", "role", "position"])
        target_id = member.pk
        member.delete()
        audit_record(
            actor=actor,
            school=school,
            action=JOURNEY_TEAM_MEMBER_REMOVED,
            target_type="journey.journeyteammember",
            target_id=target_id,
            before=before,
        )
    return member
