"""Fetch-and-authorize for the journey. Only a school's leadership team sees its ratings;
a network lead sees the agreed profiles of their own network's schools and nothing else.

Each function returns what it fetched when `user` may see it and raises Http404 otherwise, so a
page never reveals whether another school's or another network's records exist.
"""

from __future__ import annotations

from django.http import Http404

from credo.accounts.access import roles_in
from credo.accounts.models import STAFF_ROLES, Role
from credo.journey.models import (
    JourneyActionItem,
    JourneyAssessment,
    JourneyCompetency,
    JourneyEvidence,
    JourneyFramework,
    JourneySnapshot,
    JourneyTeamMember,
)
from credo.schools.models import Network, NetworkLead, School


def team_member_of(user, school) -> JourneyTeamMember | None:
    """Return `user`'s seat on `school`'s leadership team, or None (cached on the user object)."""
    if user is None or not user.is_authenticated:
        return None
    cache = user.__dict__.setdefault("_credo_journey_team", {})
    school_id = getattr(school, "pk", school)
    if school_id not in cache:
        cache[school_id] = JourneyTeamMember.objects.filter(school_id=school_id, user=user).first()
    return cache[school_id]


def may_manage_team(user, school) -> bool:
    """Return whether `user` may add or remove team members: a school admin or the team's lead."""
    member = team_member_of(user, school)
    return Role.ADMIN in roles_in(user, school) or bool(member and member.is_lead)


def may_start_journey(user, school) -> bool:
    return Role.ADMIN in roles_in(user, school)


def is_staff_of(user, school) -> bool:
    return bool(roles_in(user, school) & STAFF_ROLES)


def access_team_member(*, user, school) -> JourneyTeamMember:
    """Return `user`'s team seat in `school`; Http404 when they are not on the team."""
    member = team_member_of(user, school)
    if member is None:
        raise Http404("Only the school's leadership team sees its journey.")
    return member


def open_assessment(school) -> JourneyAssessment | None:
    """Return the school's open self-assessment with its framework version, or None."""
    return (
        JourneyAssessment.objects.filter(school=school, closed_at__isnull=True)
        .select_related("framework", "school")
        .first()
    )


def access_competency(*, assessment: JourneyAssessment, code: str) -> JourneyCompetency:
    """Return the competency with `code` in the assessment's framework version; else Http404."""
    try:
        return JourneyCompetency.objects.select_related("domain").get(
            framework_id=assessment.framework_id, code=code
        )
    except JourneyCompetency.DoesNotExist:
        raise Http404("No such competency.") from None


def access_evidence(*, user, school, evidence_id) -> JourneyEvidence:
    """Return a piece of journey evidence of `school` if `user` is on its team; else Http404."""
    access_team_member(user=user, school=school)
    try:
        return JourneyEvidence.objects.select_related("competency").get(
            pk=evidence_id, school=school
        )
    except (JourneyEvidence.DoesNotExist, ValueError, TypeError):
        raise Http404("No such evidence.") from None


def access_action(*, user, school, action_id) -> JourneyActionItem:
    access_team_member(user=user, school=school)
    try:
        return JourneyActionItem.objects.select_related("competency", "assessment").get(
            pk=action_id, school=school
        )
    except (JourneyActionItem.DoesNotExist, ValueError, TypeError):
        raise Http404("No such action item.") from None


def access_snapshot(*, user, school, snapshot_id) -> JourneySnapshot:
    access_team_member(user=user, school=school)
    try:
        return JourneySnapshot.objects.select_related("assessment__framework", "taken_by").get(
            pk=snapshot_id, school=school
        )
    except (JourneySnapshot.DoesNotExist, ValueError, TypeError):
        raise Http404("No such snapshot.") from None


def team_member_by_id(*, school, member_id) -> JourneyTeamMember:
    try:
        return JourneyTeamMember.objects.select_related("user").get(pk=member_id, school=school)
    except (JourneyTeamMember.DoesNotExist, ValueError, TypeError):
        raise Http404("No such team member.") from None


# --------------------------------------------------------------------------------------------
# Networks


def is_network_lead(user, network) -> bool:
    if user is None or not user.is_authenticated:
        return False
    cache = user.__dict__.setdefault("_credo_network_leads", {})
    network_id = getattr(network, "pk", network)
    if network_id not in cache:
        cache[network_id] = NetworkLead.objects.filter(network_id=network_id, user=user).exists()
    return cache[network_id]


def networks_led_by(user) -> list[Network]:
    if not user.is_authenticated:
        return []
    return list(Network.objects.filter(leads__user=user).order_by("name"))


def access_network(*, user, slug: str) -> Network:
    """Return the network with `slug` if `user` leads it; else Http404."""
    try:
        network = Network.objects.get(slug=slug)
    except Network.DoesNotExist:
        raise Http404("No such network.") from None
    if not (user.is_superuser or is_network_lead(user, network)):
        raise Http404("No such network.")
    return network


def access_network_school(*, network: Network, slug: str) -> School:
    """Return the member school `slug` of `network` (already authorized); else Http404."""
    try:
        return School.objects.get(slug=slug, network=network)
    except School.DoesNotExist:
        raise Http404("No such school in this network.") from None


def access_network_framework(*, network: Network, framework_id) -> JourneyFramework:
    """Return a framework version the network may read: built-in, or its own adaptation."""
    try:
        framework = JourneyFramework.objects.get(pk=framework_id)
    except (JourneyFramework.DoesNotExist, ValueError, TypeError):
        raise Http404("No such version.") from None
    if framework.network_id not in (None, network.pk):
        raise Http404("No such version.")
    return framework
