"""Assessments: recording (one, or a class at once), correcting and retracting them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from credo.accounts.models import Student
from credo.core.audit import audit_record, snapshot
from credo.core.errors import Conflict, NotAllowed, ValidationError, refuse
from credo.core.limits import TEXT_LIMIT, clean_text, demonstration_date_problem
from credo.frameworks.models import Competency
from credo.mastery import access, engine
from credo.mastery.events import ASSESSMENT_CORRECTED, ASSESSMENT_RECORDED, ASSESSMENT_RETRACTED
from credo.mastery.models import Assessment, AssessmentKind
from credo.mastery.services.common import lock_students
from credo.notify import events as notify_events


def _decimal(value, field: str) -> Decimal:
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        refuse(field, f"“{value}” is not a number.")
    if not result.is_finite():
        refuse(field, f"“{value}” is not a number.")
    return result


def _check_assessment(*, assessor, student, competency, value, demonstrated_on, kind) -> Decimal:
    if competency.school_id != student.school_id:
        refuse(
            "competency", f"Competency {competency.code} belongs to another school than {student}."
        )
    access.require_assess(assessor, student, competency)
    value = _decimal(value, "value")
    low, high = competency.effective_scale.bounds
    if not (low <= value <= high):
        refuse("value", f"{value} is outside the scale of {competency.code} ({low}–{high}).")
    if kind not in AssessmentKind.values:
        refuse("kind", f"“{kind}” is not formative or summative.")
    if not isinstance(demonstrated_on, dt.date):
        refuse("demonstrated_on", "Give the date the student demonstrated this.")
    # A day's slack for time zones: the assessor's today may be the server's tomorrow.
    problem = demonstration_date_problem(
        demonstrated_on, student=student, today=timezone.localdate() + dt.timedelta(days=1)
    )
    if problem:
        refuse("demonstrated_on", problem)
    return value


def _write_assessment(
    *,
    assessor,
    student,
    competency,
    value,
    demonstrated_on,
    kind,
    feedback,
    evidence,
    accommodated,
    modified_scale,
    task,
    replaces,
) -> Assessment:
    if evidence is not None and evidence.student_id != student.pk:
        refuse("evidence", "That evidence belongs to another student.")
    feedback = clean_text(feedback, field="feedback", limit=TEXT_LIMIT, strip=False)
    task = clean_text(task, field="task", limit=200)
    assessment = Assessment(
        school_id=student.school_id,
        student=student,
        competency=competency,
        evidence=evidence,
        assessor=assessor,
        value=value,
        demonstrated_on=demonstrated_on,
        assessed_at=timezone.now(),
        kind=kind,
        feedback=feedback,
        accommodated=accommodated,
        modified_scale=modified_scale,
        task=task,
        replaces=replaces,
    )
    assessment.save()
    audit_record(
        actor=assessor,
        school=student.school_id,
        action=ASSESSMENT_CORRECTED if replaces else ASSESSMENT_RECORDED,
        target=assessment,
        before=snapshot(
            replaces, ["value", "demonstrated_on", "kind", "accommodated", "modified_scale"]
        )
        if replaces
        else None,
        after={
            "student": student.pk,
            "competency": competency.pk,
            "value": value,
            "demonstrated_on": demonstrated_on,
            "kind": kind,
            "accommodated": accommodated,
            "modified_scale": modified_scale,
        },
    )
    return assessment


def assessment_record(
    *,
    assessor,
    student: Student,
    competency: Competency,
    value,
    demonstrated_on: dt.date,
    kind: str = AssessmentKind.SUMMATIVE,
    feedback: str = "",
    evidence=None,
    accommodated: bool = False,
    modified_scale: bool = False,
    task: str = "",
    within_transaction: bool = False,
) -> Assessment:
    """Record one assessment and bring the student's state, credits and graduation status up to date.

    `within_transaction`: another service's transaction holds this write with its own (the ratings
    of an observation of an educator, credo/growth).
    """
    value = _check_assessment(
        assessor=assessor,
        student=student,
        competency=competency,
        value=value,
        demonstrated_on=demonstrated_on,
        kind=kind,
    )
    with transaction.atomic(durable=not within_transaction):
        lock_students([student.pk])
        assessment = _write_assessment(
            assessor=assessor,
            student=student,
            competency=competency,
            value=value,
            demonstrated_on=demonstrated_on,
            kind=kind,
            feedback=feedback,
            evidence=evidence,
            accommodated=accommodated,
            modified_scale=modified_scale,
            task=task,
            replaces=None,
        )
        engine.refresh_student(student, competency, actor=assessor)
        notify_events.feedback_given([assessment])
    return assessment


def assessments_record_for_class(
    *,
    assessor,
    competency: Competency,
    demonstrated_on: dt.date,
    entries: Sequence[tuple],
    kind: str = AssessmentKind.SUMMATIVE,
    task: str = "",
) -> list[Assessment]:
    """Record one task's assessments for many students at once: all or none.

    `entries` are (student, value, feedback) or (student, value, feedback, extra), where `extra`
    may give that student's `accommodated`, `modified_scale` and `evidence` (their own work);
    a blank value skips that student. Raise ValidationError listing every bad entry by student.
    """
    checked, errors = [], {}
    for entry in entries:
        student, value, feedback = entry[:3]
        extra = dict(entry[3]) if len(entry) > 3 and entry[3] else {}
        if value in (None, ""):
            continue
        try:
            evidence = extra.get("evidence")
            if evidence is not None and evidence.student_id != student.pk:
                refuse("evidence", "That evidence belongs to another student.")
            checked.append(
                (
                    student,
                    _check_assessment(
                        assessor=assessor,
                        student=student,
                        competency=competency,
                        value=value,
                        demonstrated_on=demonstrated_on,
                        kind=kind,
                    ),
                    feedback,
                    {
                        "evidence": evidence,
                        "accommodated": bool(extra.get("accommodated")),
                        "modified_scale": bool(extra.get("modified_scale")),
                    },
                )
            )
        except ValidationError as exc:
            errors[f"student-{student.pk}"] = [f"{student}: {m}" for m in exc.messages]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        lock_students([s.pk for s, _, _, _ in checked])
        result = []
        for student, value, feedback, extra in checked:
            result.append(
                _write_assessment(
                    assessor=assessor,
                    student=student,
                    competency=competency,
                    value=value,
                    demonstrated_on=demonstrated_on,
                    kind=kind,
                    feedback=feedback,
                    task=task,
                    replaces=None,
                    **extra,
                )
            )
            engine.refresh_student(student, competency, actor=assessor)
        notify_events.feedback_given(result)
    return result


def _refuse_if_replaced(assessment: Assessment) -> None:
    """Raise Conflict when another request corrected or retracted `assessment` meanwhile (checked
    under the student's lock; or after a unique violation on `replaces`, when the race was lost)."""
    later = Assessment.objects.filter(replaces=assessment).select_related("assessor").first()
    if later is not None:
        what = "retracted" if later.retraction else "corrected"
        raise Conflict(
            f"This assessment was {what} meanwhile by {later.assessor or 'someone else'}; "
            "nothing was saved. Reload the page and correct the newest one if needed."
        )


def assessment_correct(
    *,
    actor,
    assessment: Assessment,
    value=None,
    demonstrated_on=None,
    kind=None,
    feedback=None,
    accommodated: bool | None = None,
    modified_scale: bool | None = None,
) -> Assessment:
    """Replace an assessment with a corrected one; the original stays in the history.

    Anything not given (None) is kept from the original, the flags included."""
    if assessment.retraction or Assessment.objects.filter(replaces=assessment).exists():
        refuse(
            None, "That assessment has already been corrected or retracted; correct the newest one."
        )
    value = assessment.value if value is None else value
    demonstrated_on = demonstrated_on or assessment.demonstrated_on
    kind = kind or assessment.kind
    value = _check_assessment(
        assessor=actor,
        student=assessment.student,
        competency=assessment.competency,
        value=value,
        demonstrated_on=demonstrated_on,
        kind=kind,
    )
    try:
        with transaction.atomic(durable=True):
            lock_students([assessment.student_id])
            _refuse_if_replaced(assessment)
            new = _write_assessment(
                assessor=actor,
                student=assessment.student,
                competency=assessment.competency,
                value=value,
                demonstrated_on=demonstrated_on,
                kind=kind,
                feedback=assessment.feedback if feedback is None else feedback,
                evidence=assessment.evidence,
                accommodated=(
                    assessment.accommodated if accommodated is None else bool(accommodated)
                ),
                modified_scale=(
                    assessment.modified_scale if modified_scale is None else bool(modified_scale)
                ),
                task=assessment.task,
                replaces=assessment,
            )
            engine.refresh_student(assessment.student, assessment.competency, actor=actor)
    except IntegrityError:
        _refuse_if_replaced(assessment)
        raise
    return new


def assessment_retract(*, actor, assessment: Assessment, reason: str) -> Assessment:
    """Take an assessment out of the student's record (entered in error); keep it in the history."""
    reason = clean_text(reason, field="reason", limit=500)
    if not reason:
        refuse("reason", "Say why the assessment is being retracted.")
    if not access.can_assess(actor, assessment.student, assessment.competency):
        raise NotAllowed(f"{actor} may not change assessments of {assessment.student}.")
    if assessment.retraction or Assessment.objects.filter(replaces=assessment).exists():
        refuse(None, "That assessment has already been corrected or retracted.")
    try:
        with transaction.atomic(durable=True):
            lock_students([assessment.student_id])
            _refuse_if_replaced(assessment)
            retraction = Assessment.objects.create(
                school_id=assessment.school_id,
                student_id=assessment.student_id,
                competency_id=assessment.competency_id,
                assessor=actor,
                value=None,
                demonstrated_on=assessment.demonstrated_on,
                assessed_at=timezone.now(),
                kind=assessment.kind,
                feedback=reason,
                replaces=assessment,
                retraction=True,
            )
            audit_record(
                actor=actor,
                school=assessment.school_id,
                action=ASSESSMENT_RETRACTED,
                target=retraction,
                before=snapshot(assessment, ["value", "demonstrated_on", "kind"]),
                note=reason,
            )
            engine.refresh_student(assessment.student, assessment.competency, actor=actor)
    except IntegrityError:
        _refuse_if_replaced(assessment)
        raise
    return retraction
