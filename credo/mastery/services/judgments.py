"""Professional judgment: a teacher sets (or withdraws) the level of a student on a target."""

from __future__ import annotations

from django.db import transaction

from credo.accounts.models import Student
from credo.core.audit import audit_record
from credo.core.errors import refuse
from credo.core.limits import TEXT_LIMIT, clean_text
from credo.frameworks.models import Competency
from credo.mastery import access, engine, selectors
from credo.mastery.events import JUDGMENT_SET, JUDGMENT_WITHDRAWN
from credo.mastery.models import Judgment, MasteryState
from credo.mastery.services.assessments import _decimal
from credo.mastery.services.common import lock_students


def judgment_set(
    *, actor, student: Student, competency: Competency, value, reason: str
) -> Judgment:
    """Set a teacher's professional judgment of the student's current level on a target against
    the calculated one, with the reason; the state, credits and graduation follow at once.

    Append-only: a new judgment stands in place of any earlier one; `judgment_withdraw` ends it."""
    access.require_judge(actor, student, competency)
    value = _decimal(value, "value")
    scale = competency.effective_scale
    if value not in {lv.value for lv in scale.levels.all()}:
        refuse("value", f"Choose one of the levels of {competency.code}'s scale.")
    reason = clean_text(reason, field="reason", limit=TEXT_LIMIT)
    if not reason:
        refuse("reason", "Say why your judgment differs from the calculated level.")

    def check():
        if not MasteryState.objects.filter(student=student, competency=competency).exists():
            refuse(None, f"{student} has no assessment of {competency.code} yet to judge from.")
        return {"value": value, "withdraws": None}, JUDGMENT_SET, None

    return _judgment_append(actor, student, competency, reason, check)


def judgment_withdraw(*, actor, student: Student, competency: Competency, reason: str) -> Judgment:
    """Withdraw the judgment in force: a new row that points at it; the calculated level returns."""
    access.require_judge(actor, student, competency)
    reason = clean_text(reason, field="reason", limit=TEXT_LIMIT)
    if not reason:
        refuse("reason", "Say why the judgment is withdrawn.")

    def check():
        current = selectors.judgment_in_force(student, competency)
        if current is None:
            refuse(None, "There is no judgment in force to withdraw.")
        before = {"judgment": current.pk, "value": current.value}
        return {"value": None, "withdraws": current}, JUDGMENT_WITHDRAWN, before

    return _judgment_append(actor, student, competency, reason, check)


def _judgment_append(actor, student, competency, reason, check) -> Judgment:
    """Append one judgment row under the student's lock, audit it and recompute the student.

    `check()` runs under the lock and returns the row's own fields, the audit action and the
    audit's `before` (None for a new judgment)."""
    with transaction.atomic(durable=True):
        lock_students([student.pk])
        fields, action, before = check()
        judgment = Judgment.objects.create(
            school_id=student.school_id,
            student=student,
            competency=competency,
            reason=reason,
            judged_by=actor,
            **fields,
        )
        if before is None:
            after = {"student": student.pk, "competency": competency.pk, "value": fields["value"]}
        else:
            after = {}
        audit_record(
            actor=actor,
            school=student.school_id,
            action=action,
            target=judgment,
            before=before,
            after={**after, "reason": reason},
        )
        engine.refresh_student(student, competency, actor=actor)
    return judgment
