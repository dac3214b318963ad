"""Snapshots and history: what changed between snapshots, and progress over time."""

from __future__ import annotations

from credo.journey.models import JourneyCompetency, JourneySnapshot, Status
from credo.journey.selectors.framework import STATUS_LABELS

# --------------------------------------------------------------------------------------------
# Snapshots and history


def snapshots_of(school) -> list[JourneySnapshot]:
    """Return every snapshot of the school across its self-assessments, oldest first."""
    return list(
        JourneySnapshot.objects.filter(school=school)
        .select_related("taken_by", "assessment__framework")
        .order_by("taken_at", "id")
    )


def snapshot_changes(
    before: dict[str, str] | None, after: dict[str, str], competencies
) -> list[dict]:
    """Return the competencies whose agreed status differs between two snapshots (or from nothing)."""
    changes = []
    titles = {c.code: c.title for c in competencies}
    for code, status in after.items():
        old = (before or {}).get(code, Status.NOT_STARTED)
        if old != status:
            changes.append(
                {
                    "code": code,
                    "title": titles.get(code, code),
                    "before": old,
                    "after": status,
                    "before_label": STATUS_LABELS.get(old, old),
                    "after_label": STATUS_LABELS.get(status, status),
                }
            )
    return changes


def history_rows(school) -> list[dict]:
    """Return each snapshot with what changed since the one before it (newest first)."""
    shots = snapshots_of(school)
    frameworks = {s.assessment.framework_id for s in shots}
    comps = list(JourneyCompetency.objects.filter(framework_id__in=frameworks))
    rows, previous = [], None
    for s in shots:
        rows.append(
            {
                "snapshot": s,
                "changes": snapshot_changes(
                    previous.statuses if previous else None, s.statuses, comps
                ),
            }
        )
        previous = s
    rows.reverse()
    return rows


def progress_points(shots: list[JourneySnapshot], current: dict | None = None) -> list[dict]:
    """Return the chart's points: one per snapshot (and `current` counts as “now” when given)."""
    points = [
        {"label": s.label, "date": s.taken_at.date().isoformat(), "counts": s.counts} for s in shots
    ]
    if current is not None:
        points.append({"label": "Now", "date": "", "counts": current})
    return points
