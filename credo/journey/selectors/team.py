"""The team's work: members, ratings, consensus, the team board, evidence and action items."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from credo.journey.models import (
    ActionStatus,
    JourneyActionItem,
    JourneyCompetency,
    JourneyConsensus,
    JourneyDomain,
    JourneyEvidence,
    JourneyRating,
    JourneyTeamMember,
    Level,
    Status,
)
from credo.journey.selectors.framework import STATUS_LABELS, competencies_of, framework_domains

# --------------------------------------------------------------------------------------------
# Team, ratings and consensus


def team_of(school) -> list[JourneyTeamMember]:
    """Return the school's leadership team, leads first."""
    return list(
        JourneyTeamMember.objects.filter(school=school)
        .select_related("user")
        .order_by("role", "user__last_name", "user__first_name", "user__username", "id")
    )


def consensus_current(assessment) -> dict[int, JourneyConsensus]:
    """Return the current agreed rating of each competency that has one, by competency id."""
    return {
        c.competency_id: c
        for c in JourneyConsensus.objects.filter(
            assessment=assessment, replaced_by__isnull=True
        ).select_related("decided_by")
    }


def consensus_statuses(assessment, competencies=None) -> dict[str, str]:
    """Return {competency code: agreed status} for every competency of the version."""
    competencies = (
        competencies if competencies is not None else competencies_of(assessment.framework_id)
    )
    current = {
        cid: status
        for cid, status in JourneyConsensus.objects.filter(
            assessment=assessment, replaced_by__isnull=True
        ).values_list("competency_id", "status")
    }
    return {c.code: current.get(c.pk, Status.NOT_STARTED) for c in competencies}


def count_statuses(competencies, statuses: dict[str, str]) -> dict[str, dict[str, int]]:
    """Return per level how many competencies are earned, in progress and not started."""
    counts = {level: {s: 0 for s in Status.values} | {"total": 0} for level in Level.values}
    for c in competencies:
        bucket = counts[c.level]
        bucket[statuses.get(c.code, Status.NOT_STARTED)] += 1
        bucket["total"] += 1
    return counts


def ratings_current(assessment) -> dict[tuple[int, int], JourneyRating]:
    """Return each member's current rating, keyed by (competency id, rater id)."""
    return {
        (r.competency_id, r.rater_id): r
        for r in JourneyRating.objects.filter(assessment=assessment, replaced_by__isnull=True)
    }


def my_ratings(assessment, user) -> dict[int, JourneyRating]:
    return {
        r.competency_id: r
        for r in JourneyRating.objects.filter(
            assessment=assessment, rater=user, replaced_by__isnull=True
        )
    }


@dataclass
class BoardRow:
    competency: JourneyCompetency
    consensus: JourneyConsensus | None
    ratings: list[JourneyRating | None]

    @property
    def status(self) -> str:
        return self.consensus.status if self.consensus else Status.NOT_STARTED

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def rated(self) -> list[JourneyRating]:
        return [r for r in self.ratings if r is not None]

    @property
    def spread(self) -> dict[str, int]:
        counts = Counter(r.status for r in self.rated)
        return {s: counts[s] for s in Status.values if counts[s]}

    @property
    def disagreement(self) -> bool:
        """True when team members who rated it chose different statuses."""
        return len(self.spread) > 1

    @property
    def unrated(self) -> int:
        return sum(1 for r in self.ratings if r is None)

    @property
    def suggestion(self) -> str | None:
        """The status every rater chose, when they agree; None otherwise."""
        spread = self.spread
        return next(iter(spread)) if len(spread) == 1 else None

    @property
    def suggestion_label(self) -> str:
        return STATUS_LABELS.get(self.suggestion, "") if self.suggestion else ""

    @property
    def consensus_differs(self) -> bool:
        """True when the team agrees among itself but the recorded consensus says otherwise."""
        return self.suggestion is not None and self.suggestion != self.status


@dataclass
class BoardDomain:
    domain: JourneyDomain
    rows: list[BoardRow] = field(default_factory=list)


def consensus_board(assessment, team: list[JourneyTeamMember]) -> list[BoardDomain]:
    """Return, domain by domain, every member's rating of each competency beside the agreed one."""
    domains = framework_domains(assessment.framework)
    consensus = consensus_current(assessment)
    ratings = ratings_current(assessment)
    board = []
    for domain in domains:
        bd = BoardDomain(domain)
        for c in domain.competencies.all():
            bd.rows.append(
                BoardRow(c, consensus.get(c.pk), [ratings.get((c.pk, m.user_id)) for m in team])
            )
        board.append(bd)
    return board


def board_summary(board: list[BoardDomain]) -> dict[str, int]:
    rows = [r for d in board for r in d.rows]
    return {
        "disagreements": sum(1 for r in rows if r.disagreement),
        "agreed": sum(1 for r in rows if r.consensus is not None),
        "total": len(rows),
    }


def competency_history(assessment, competency) -> dict:
    """Return one competency's ratings and agreed ratings over time, newest first."""
    return {
        "ratings": list(
            JourneyRating.objects.filter(assessment=assessment, competency=competency)
            .select_related("rater")
            .order_by("-rated_at", "-id")
        ),
        "consensus": list(
            JourneyConsensus.objects.filter(assessment=assessment, competency=competency)
            .select_related("decided_by")
            .order_by("-decided_at", "-id")
        ),
    }


def evidence_for(assessment, competency=None):
    qs = JourneyEvidence.objects.filter(
        assessment=assessment, withdrawn_at__isnull=True
    ).select_related("added_by", "competency")
    if competency is not None:
        qs = qs.filter(competency=competency)
    return list(qs.order_by("-added_at", "-id"))


def evidence_counts(assessment) -> dict[int, int]:
    counts: Counter = Counter(
        JourneyEvidence.objects.filter(
            assessment=assessment, withdrawn_at__isnull=True
        ).values_list("competency_id", flat=True)
    )
    return dict(counts)


def actions_of(assessment, *, competency=None, status: str | None = None, open_only: bool = False):
    """Return action items (optionally of one competency or status), soonest due first."""
    qs = JourneyActionItem.objects.filter(assessment=assessment).select_related(
        "owner", "competency", "school"
    )
    if competency is not None:
        qs = qs.filter(competency=competency)
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.exclude(status=ActionStatus.DONE)
    # Work still to do first, soonest due first; done items last.
    return sorted(
        qs,
        key=lambda a: (
            a.status == ActionStatus.DONE,
            a.due_on is None,
            a.due_on or dt.date.min,
            a.pk,
        ),
    )


def action_counts(assessment) -> dict[int, int]:
    return dict(
        Counter(
            JourneyActionItem.objects.filter(assessment=assessment)
            .exclude(status=ActionStatus.DONE)
            .values_list("competency_id", flat=True)
        )
    )


def consensus_log(assessment, *, limit: int = 50) -> list[JourneyConsensus]:
    """Return the most recent agreed-rating decisions, newest first, with what they replaced."""
    return list(
        JourneyConsensus.objects.filter(assessment=assessment)
        .select_related("decided_by", "competency", "replaces")
        .order_by("-decided_at", "-id")[:limit]
    )
