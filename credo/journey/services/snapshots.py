"""Snapshots: where the school stood at the end of a term."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from credo.core.audit import audit_record
from credo.journey.events import JOURNEY_SNAPSHOT_TAKEN
from credo.journey.models import JourneyAssessment, JourneyCompetency, JourneySnapshot
from credo.journey.services.common import _validated
from credo.journey.services.ratings import _lead_or_refuse, _lock_assessment

# --------------------------------------------------------------------------------------------
# Snapshots


def term_label(term) -> str:
    """Return a term's name with its school year, unless the name already says the year."""
    name, year = term.name.strip(), term.school_year.strip()
    if not year or year.replace("–", "-") in name.replace("–", "-"):
        return name
    return f"{name} {year}"


def default_snapshot_label(school, today: dt.date | None = None) -> str:
    """Return the current term's name (“Fall 2025-26”), or the date when no term is running."""
    from credo.schools.models import Term

    today = today or school.today()
    term = Term.objects.filter(school=school, starts_on__lte=today, ends_on__gte=today).first()
    if term is not None:
        return term_label(term)
    return f"{today:%B} {today.year}"


def journey_snapshot_take(
    *, actor, assessment: JourneyAssessment, label: str = "", note: str = ""
) -> JourneySnapshot:
    """Freeze the team's agreed ratings as they stand now (the lead does this, e.g. each term)."""
    from credo.journey.selectors import consensus_statuses, count_statuses

    school = assessment.school
    _lead_or_refuse(actor, school, "take a snapshot")
    label = (label or "").strip() or default_snapshot_label(school)
    with transaction.atomic(durable=True):
        assessment = _lock_assessment(assessment)
        competencies = list(JourneyCompetency.objects.filter(framework_id=assessment.framework_id))
        statuses = consensus_statuses(assessment, competencies)
        shot = _validated(
            JourneySnapshot(
                school_id=school.pk,
                assessment=assessment,
                label=label,
                note=(note or "").strip(),
                statuses=statuses,
                counts=count_statuses(competencies, statuses),
                taken_at=timezone.now(),
                taken_by=actor,
            )
        )
        shot.save()
        audit_record(
            actor=actor,
            school=school,
            action=JOURNEY_SNAPSHOT_TAKEN,
            target=shot,
            after={"label": label, "counts": shot.counts},
        )
    return shot
