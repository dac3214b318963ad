"""The journey card of the school's home page."""

from __future__ import annotations

from credo.journey.models import ActionStatus, JourneyActionItem
from credo.journey.selectors.framework import competencies_of
from credo.journey.selectors.team import consensus_statuses, count_statuses

# --------------------------------------------------------------------------------------------
# The school home page


def home_summary(school, user) -> dict | None:
    """Return where the school's journey stands for a member of its leadership team: agreed
    counts per level and how many open action items `user` owns ({"started": False} before the
    self-assessment opens); None for anyone not on the team."""
    from credo.journey.access import open_assessment, team_member_of

    if team_member_of(user, school) is None:
        return None
    assessment = open_assessment(school)
    if assessment is None:
        return {"started": False}
    competencies = competencies_of(assessment.framework_id)
    counts = count_statuses(competencies, consensus_statuses(assessment, competencies))
    mine = (
        JourneyActionItem.objects.filter(assessment=assessment, owner=user)
        .exclude(status=ActionStatus.DONE)
        .count()
    )
    return {"started": True, "counts": counts, "my_open_actions": mine}
