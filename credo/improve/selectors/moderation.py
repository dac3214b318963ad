"""Moderation sessions: progress, and how closely assessors agree."""

from __future__ import annotations

from dataclasses import dataclass

from credo.improve import stats


@dataclass
class Agreement:
    label: str
    n: int
    exact: float | None
    adjacent: float | None
    kappa: float | None


@dataclass
class Calibration:
    levels: list  # (value, label)
    assessors: list  # users
    items: list  # ModerationItem with .evidence
    scores: dict  # (item id, user id) → Decimal
    pairs: list  # Agreement per assessor pair
    versus: list  # Agreement per assessor against the consensus
    consensus: dict  # item id → level value
    shares: list  # (label, [share per level]) for each assessor, then the school
    school_n: int


def _agree(label, a, b, index) -> Agreement:
    ia = [index[v] for v in a]
    ib = [index[v] for v in b]
    if not ia:
        return Agreement(label, 0, None, None, None)
    exact, adjacent = stats.agreement(ia, ib, step=1)
    kappa = stats.weighted_kappa(ia, ib, list(range(len(index))))
    return Agreement(label, len(ia), exact, adjacent, kappa)


def session_progress(session) -> dict[int, int]:
    """Return how many pieces each assessor has scored (counts only: no values while open)."""
    from django.db.models import Count

    from credo.improve.models import ModerationScore

    return dict(
        ModerationScore.objects.filter(item__session=session)
        .values("assessor_id")
        .annotate(n=Count("id"))
        .values_list("assessor_id", "n")
    )


def calibration(session) -> Calibration:
    """Agreement of a closed session: per assessor pair and against the consensus (the median
    level of the assessors' scores, the lower one on a tie), exact, within one level, and
    quadratic-weighted kappa; each assessor's share of each level beside the school's own."""
    from django.db.models import Count, Q

    from credo.improve.models import ModerationItem, ModerationScore
    from credo.mastery.models import Assessment

    scale = session.competency.effective_scale
    levels = list(scale.levels.order_by("value").values_list("value", "label"))
    index = {v: k for k, (v, _) in enumerate(levels)}
    items = list(ModerationItem.objects.filter(session=session).select_related("evidence"))
    assessors = [a.user for a in session.assessors.select_related("user").order_by("user__id")]
    scores = {
        (i, u): v
        for i, u, v in ModerationScore.objects.filter(item__session=session).values_list(
            "item_id", "assessor_id", "value"
        )
        if v in index
    }
    consensus = {}
    for item in items:
        given = sorted(index[v] for (i, _u), v in scores.items() if i == item.pk)
        if given:
            consensus[item.pk] = levels[given[(len(given) - 1) // 2]][0]
    pairs, versus = [], []
    for k, a in enumerate(assessors):
        for b in assessors[k + 1 :]:
            common = [it.pk for it in items if (it.pk, a.pk) in scores and (it.pk, b.pk) in scores]
            pairs.append(
                _agree(
                    f"{a} and {b}",
                    [scores[(i, a.pk)] for i in common],
                    [scores[(i, b.pk)] for i in common],
                    index,
                )
            )
        mine = [it.pk for it in items if (it.pk, a.pk) in scores and it.pk in consensus]
        versus.append(
            _agree(str(a), [scores[(i, a.pk)] for i in mine], [consensus[i] for i in mine], index)
        )
    values = [v for v, _ in levels]
    shares = []
    for a in assessors:
        given = [float(v) for (_i, u), v in scores.items() if u == a.pk]
        shares.append((str(a), stats.level_shares(given, [float(v) for v in values])))
    school_counts = dict(
        Assessment.objects.filter(school=session.school, retraction=False, value__isnull=False)
        .filter(
            Q(competency__scale=scale)
            | Q(competency__scale__isnull=True, competency__framework__scale=scale)
        )
        .values("value")
        .annotate(n=Count("id"))
        .values_list("value", "n")
    )
    school_n = sum(school_counts.values())
    shares.append(
        (
            "The school's assessments on this scale",
            [school_counts.get(v, 0) / school_n if school_n else 0.0 for v in values],
        )
    )
    return Calibration(levels, assessors, items, scores, pairs, versus, consensus, shares, school_n)
