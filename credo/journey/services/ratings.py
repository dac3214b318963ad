"""Ratings and consensus: members' own ratings and the team's agreed rating."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from credo.core.audit import audit_record
from credo.core.errors import NotAllowed, ValidationError, refuse
from credo.journey.events import JOURNEY_CONSENSUS_RECORDED, JOURNEY_RATED
from credo.journey.models import (
    JourneyAssessment,
    JourneyCompetency,
    JourneyConsensus,
    JourneyRating,
    JourneyTeamMember,
    Status,
)

# --------------------------------------------------------------------------------------------
# Ratings and consensus


def _member_or_refuse(user, school) -> JourneyTeamMember:
    member = JourneyTeamMember.objects.filter(school=school, user=user).first()
    if member is None:
        raise NotAllowed(f"{user} is not on the leadership team of {school}.")
    return member


def _lead_or_refuse(user, school, what: str) -> JourneyTeamMember:
    member = _member_or_refuse(user, school)
    if not member.is_lead:
        raise NotAllowed(f"Only the team's lead may {what}.")
    return member


def _lock_assessment(assessment) -> JourneyAssessment:
    locked = JourneyAssessment.objects.select_for_update().get(pk=assessment.pk)
    if not locked.is_open:
        refuse(None, "This self-assessment is closed; the school has moved to another version.")
    return locked


def _check_status(status, field: str = "status") -> str:
    if status not in Status.values:
        refuse(field, f"“{status}” is not one of: not started, in progress, earned.")
    return status


def journey_ratings_record(
    *, rater, assessment: JourneyAssessment, entries: Mapping[str, tuple[str, str]]
) -> list[JourneyRating]:
    """Record a team member's own ratings, `entries` mapping competency code to (status, note).

    All or nothing. A rating equal to the member's current one (status and note) is skipped, so
    saving an unchanged form writes nothing. Return the new rows.
    """
    school = assessment.school
    _member_or_refuse(rater, school)
    competencies = {
        c.code: c for c in JourneyCompetency.objects.filter(framework_id=assessment.framework_id)
    }
    errors: dict[str, list[str]] = {}
    cleaned: list[tuple[JourneyCompetency, str, str]] = []
    for code, (status, note) in entries.items():
        competency = competencies.get(code)
        if competency is None:
            errors.setdefault(code, []).append(f"{code} is not a competency of this version.")
            continue
        if status not in Status.values:
            errors.setdefault(code, []).append(
                f"Choose not started, in progress or earned for {code}, not “{status}”."
            )
            continue
        cleaned.append((competency, status, (note or "").strip()))
    if errors:
        raise ValidationError(errors)
    written: list[JourneyRating] = []
    with transaction.atomic(durable=True):
        assessment = _lock_assessment(assessment)
        current = {
            r.competency_id: r
            for r in JourneyRating.objects.filter(
                assessment=assessment, rater=rater, replaced_by__isnull=True
            )
        }
        now = timezone.now()
        for competency, status, note in cleaned:
            previous = current.get(competency.pk)
            if previous is not None and previous.status == status and previous.note == note:
                continue
            if previous is None and status == Status.NOT_STARTED and not note:
                # Not started is what an unrated competency already means; a blank form row adds nothing.
                continue
            rating = JourneyRating(
                school_id=school.pk,
                assessment=assessment,
                competency=competency,
                rater=rater,
                status=status,
                note=note,
                rated_at=now,
                replaces=previous,
            )
            rating.save()
            written.append(rating)
            audit_record(
                actor=rater,
                school=school,
                action=JOURNEY_RATED,
                target=rating,
                before={"status": previous.status, "note": previous.note} if previous else None,
                after={"competency": competency.code, "status": status, "note": note},
            )
    return written


def journey_rating_record(
    *, rater, assessment, competency: JourneyCompetency, status: str, note: str = ""
):
    """Record one rating; return the new row, or None when nothing changed."""
    written = journey_ratings_record(
        rater=rater, assessment=assessment, entries={competency.code: (status, note)}
    )
    return written[0] if written else None


def _write_consensus(*, actor, assessment, competency, status, note, previous) -> JourneyConsensus:
    decision = JourneyConsensus(
        school_id=assessment.school_id,
        assessment=assessment,
        competency=competency,
        status=status,
        note=note,
        decided_by=actor,
        decided_at=timezone.now(),
        replaces=previous,
    )
    decision.save()
    audit_record(
        actor=actor,
        school=assessment.school_id,
        action=JOURNEY_CONSENSUS_RECORDED,
        target=decision,
        before={"status": previous.status, "note": previous.note} if previous else None,
        after={"competency": competency.code, "status": status, "note": note},
    )
    return decision


def journey_consensus_record(
    *,
    actor,
    assessment: JourneyAssessment,
    competency: JourneyCompetency,
    status: str,
    note: str = "",
) -> JourneyConsensus:
    """Record the rating the team agreed on for one competency (the team's lead does this).

    Return the current decision, which is the previous one when nothing changed.
    """
    school = assessment.school
    _lead_or_refuse(actor, school, "record the team's agreed rating")
    _check_status(status)
    if competency.framework_id != assessment.framework_id:
        refuse("competency", f"{competency.code} is not a competency of this version.")
    note = (note or "").strip()
    with transaction.atomic(durable=True):
        assessment = _lock_assessment(assessment)
        previous = JourneyConsensus.objects.filter(
            assessment=assessment, competency=competency, replaced_by__isnull=True
        ).first()
        if previous is not None and previous.status == status and previous.note == note:
            return previous
        return _write_consensus(
            actor=actor,
            assessment=assessment,
            competency=competency,
            status=status,
            note=note,
            previous=previous,
        )
