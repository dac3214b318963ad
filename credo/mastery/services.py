"""Every write of the mastery domain: assessments, credits, reviews, awards, graduation rules."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from credo.accounts.access import require_manage_setup, roles_in, system_actor
from credo.accounts.models import PANEL_STAFF_ROLES, Role, Student
from credo.core.audit import audit_record, snapshot
from credo.core.errors import Conflict, NotAllowed, ValidationError, refuse
from credo.core.limits import TEXT_LIMIT, clean_text, demonstration_date_problem
from credo.frameworks.models import Competency
from credo.mastery import access, engine, rules, selectors
from credo.mastery.changes import consequential
from credo.mastery.models import (
    Assessment,
    AssessmentKind,
    CreditArea,
    CreditAward,
    CreditRequirementItem,
    CreditReview,
    Decision,
    GraduationRule,
    GraduationRuleCredit,
    Judgment,
    MasteryCredit,
    MasteryState,
    PanelSeat,
    ReviewDecision,
    ReviewEvidence,
    ReviewVote,
)
from credo.notify import events as notify_events


def lock_students(student_ids: Iterable[int]) -> None:
    """Lock the students' rows in primary-key order so concurrent writes to one student serialize.

    On SQLite every write transaction already holds the database's write lock from its BEGIN
    (IMMEDIATE mode, see core/dburl.py), so there is nothing finer to lock.
    """
    if connection.vendor == "sqlite":
        return
    list(
        Student.learners.select_for_update()  # educators' learner records too (credo/growth)
        .filter(pk__in=sorted(set(student_ids)))
        .order_by("pk")
        .values("pk")
    )


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
        action="assessment.corrected" if replaces else "assessment.recorded",
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
        return {"value": value, "withdraws": None}, "judgment.set", None

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
        return {"value": None, "withdraws": current}, "judgment.withdrawn", before

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
                action="assessment.retracted",
                target=retraction,
                before=snapshot(assessment, ["value", "demonstrated_on", "kind"]),
                note=reason,
            )
            engine.refresh_student(assessment.student, assessment.competency, actor=actor)
    except IntegrityError:
        _refuse_if_replaced(assessment)
        raise
    return retraction


# --- credits --------------------------------------------------------------------------------


def credit_validate(
    *,
    school,
    rule: str,
    rule_n,
    min_evidence: int,
    review_required: bool,
    items: Sequence[tuple[Competency, object, bool]],
) -> rules.CreditSpec:
    """Return the rule specification, or raise ValidationError naming every problem."""
    messages = []
    for competency, _, _ in items:
        if competency.school_id != school.pk:
            messages.append(f"Competency {competency.code} belongs to another school.")
    try:
        plain = tuple(
            rules.RequirementItem(competency_id=c.pk, points=_decimal(p, "items"), required=bool(r))
            for c, p, r in items
        )
    except ValidationError as exc:
        raise ValidationError({"items": exc.messages}) from None
    spec = rules.CreditSpec(
        rule=rule,
        items=plain,
        n=rule_n,
        min_evidence=min_evidence or 0,
        review_required=review_required,
    )
    codes = {c.pk: c.code for c, _, _ in items}
    messages += [
        re.sub(
            r"Competency (\d+)",
            lambda m: f"Competency {codes.get(int(m.group(1)), m.group(1))}",
            text,
        )
        for text in rules.validate_credit_spec(spec)
    ]
    if messages:
        raise ValidationError({"items": messages})
    return spec


def credit_save(
    *,
    actor,
    school,
    area: CreditArea,
    code: str,
    title: str,
    standard: str,
    level: str,
    rule: str,
    rule_n=None,
    min_evidence: int = 0,
    review_required: bool = False,
    items: Sequence[tuple[Competency, object, bool]],
    credit: MasteryCredit | None = None,
    order: int = 0,
    decision_policy: str = "majority",
    decision_min_staff: int = 1,
    from_cohort: int | None = None,
    until_cohort: int | None = None,
    confirm: str = "",
    reach_protected: bool = False,
) -> MasteryCredit:
    """Create or change a mastery credit with its requirement, then recompute progress on it.

    The credit applies to the classes `from_cohort`–`until_cohort` (open when blank). A change
    that alters any student's credits or graduation status is applied only when `confirm` is the
    fingerprint of its previewed effect (see `credo.mastery.changes`); otherwise nothing is
    written and NeedsConfirmation carries the effect.
    """
    require_manage_setup(actor, school, "define mastery credits")
    if area.school_id != school.pk:
        refuse("area", "That credit area belongs to another school.")
    if decision_policy not in rules.DECISION_POLICIES:
        refuse("decision_policy", "Choose a majority of the panel or every member.")
    if not isinstance(decision_min_staff, int) or not 1 <= decision_min_staff <= 9:
        refuse(
            "decision_min_staff",
            "At least one staff member must agree with a decision (1 to 9); outside experts "
            "never decide alone.",
        )
    _check_cohort_range(from_cohort, until_cohort)
    credit_validate(
        school=school,
        rule=rule,
        rule_n=rule_n,
        min_evidence=min_evidence,
        review_required=review_required,
        items=items,
    )
    # The stored row, not the caller's copy: a preview changes the copy it is given.
    credit = MasteryCredit.objects.get(pk=credit.pk) if credit else None
    before = snapshot(credit) if credit else None
    credit = credit or MasteryCredit(school=school)
    for field, value in dict(
        area=area,
        code=code,
        title=title,
        standard=standard,
        level=level,
        rule=rule,
        rule_n=rule_n,
        min_evidence=min_evidence or 0,
        review_required=review_required,
        order=order,
        decision_policy=decision_policy,
        decision_min_staff=decision_min_staff,
        from_cohort=from_cohort,
        until_cohort=until_cohort,
    ).items():
        setattr(credit, field, value)
    if credit.available_on is None and credit.pk is None:
        credit.available_on = school.today()  # no automatic award is dated before today
    credit.full_clean(validate_unique=True)
    item_list = [(c.pk, str(_decimal(p, "items")), bool(r)) for c, p, r in items]
    change = {
        **{k: v for k, v in snapshot(credit).items() if k not in ("id", "available_on")},
        "credit": credit.pk,
        "items": item_list,
    }
    with consequential(
        actor=actor,
        school=school,
        description=f"{'Change' if credit.pk else 'Add'} credit {code}",
        change=change,
        confirm=confirm,
        reach_protected=reach_protected,
    ):
        credit.save()
        CreditRequirementItem.objects.filter(credit=credit).delete()
        CreditRequirementItem.objects.bulk_create(
            [
                CreditRequirementItem(
                    school=school,
                    credit=credit,
                    competency=c,
                    points=_decimal(p, "items"),
                    required=bool(r),
                )
                for c, p, r in items
            ]
        )
        audit_record(
            actor=actor,
            school=school,
            action="credit.saved",
            target=credit,
            before=before,
            after={**snapshot(credit), "items": item_list},
        )
        from credo.mastery import bulk

        bulk.recompute(school_ids=[school.pk], actor=actor, only_credits=True)
    return credit


def _check_cohort_range(from_cohort: int | None, until_cohort: int | None) -> None:
    for name, year in (("from_cohort", from_cohort), ("until_cohort", until_cohort)):
        if year is not None and not (2000 <= year <= 2100):
            refuse(name, f"{year} is not a graduation year (2000–2100).")
    if from_cohort is not None and until_cohort is not None and from_cohort > until_cohort:
        refuse(
            "until_cohort",
            f"The last class ({until_cohort}) comes before the first ({from_cohort}).",
        )


def credit_retire(
    *,
    actor,
    credit: MasteryCredit,
    last_cohort: int,
    reason: str,
    confirm: str = "",
    reach_protected: bool = False,
) -> MasteryCredit:
    """Retire a credit after the class of `last_cohort`: later classes no longer earn it or need it.

    Registrars only, with a reason. Awards already made stay. Applied as a previewed change.
    """
    _check_retirement(
        actor,
        credit.school_id,
        reason,
        last_cohort,
        doing="retire a mastery credit",
        why="Say why the credit is being retired.",
        last="Give the last class (graduation year) that may earn the credit.",
    )
    _check_cohort_range(credit.from_cohort, last_cohort)
    credit = MasteryCredit.objects.select_related("school").get(pk=credit.pk)

    def apply():
        before = snapshot(credit, ["from_cohort", "until_cohort"])
        credit.until_cohort = last_cohort
        credit.save(update_fields=["until_cohort"])
        return before, snapshot(credit, ["from_cohort", "until_cohort"])

    _retire(
        actor,
        credit,
        f"Retire credit {credit.code} after the class of {last_cohort}",
        {"retire_credit": credit.pk, "last_cohort": last_cohort},
        "credit.retired",
        reason,
        apply,
        confirm=confirm,
        reach_protected=reach_protected,
    )
    return credit


def framework_retire(
    *,
    actor,
    framework,
    last_cohort: int,
    reason: str,
    confirm: str = "",
    reach_protected: bool = False,
):
    """Retire a framework after the class of `last_cohort`: every credit drawing on its
    competencies is retired for later classes too. Registrars only, with a reason; previewed."""
    _check_retirement(
        actor,
        framework.school_id,
        reason,
        last_cohort,
        doing="retire a framework",
        why="Say why the framework is being retired.",
        last="Give the last class (graduation year) whose credits draw on it.",
    )
    _check_cohort_range(None, last_cohort)
    framework = type(framework).objects.select_related("school").get(pk=framework.pk)
    credits = list(
        MasteryCredit.objects.filter(items__competency__framework=framework)
        .distinct()
        .order_by("pk")
    )
    for credit in credits:
        if credit.from_cohort is not None and credit.from_cohort > last_cohort:
            refuse(
                "last_cohort",
                f"Credit {credit.code} starts with the class of {credit.from_cohort}, after "
                f"{last_cohort}; change or retire it first.",
            )

    def apply():
        before = {"until_cohort": framework.until_cohort}
        framework.until_cohort = last_cohort
        framework.save(update_fields=["until_cohort"])
        retired = []
        for credit in credits:
            if credit.until_cohort is None or credit.until_cohort > last_cohort:
                retired.append((credit.code, credit.until_cohort))
                credit.until_cohort = last_cohort
                credit.save(update_fields=["until_cohort"])
        return (
            {**before, "credits": {code: until for code, until in retired}},
            {"until_cohort": last_cohort, "credits": [code for code, _ in retired]},
        )

    _retire(
        actor,
        framework,
        f"Retire framework {framework.name} after the class of {last_cohort}",
        {"retire_framework": framework.pk, "last_cohort": last_cohort},
        "framework.retired",
        reason,
        apply,
        confirm=confirm,
        reach_protected=reach_protected,
    )
    return framework


def _check_retirement(actor, school_id, reason, last_cohort, *, doing, why, last) -> None:
    """Refuse a retirement by anyone but a registrar, without a reason or without a last class."""
    access.require_revoke_and_retire(actor, school_id, doing)
    if not (reason or "").strip():
        refuse("reason", why)
    if not isinstance(last_cohort, int):
        refuse("last_cohort", last)


def _retire(actor, target, description, change, action, reason, apply, *, confirm, reach_protected):
    """Apply a retirement as a previewed change: `apply()` writes it and returns the audit's
    before and after; then the school's credits and graduation are recomputed."""
    school = target.school
    with consequential(
        actor=actor,
        school=school,
        description=description,
        change=change,
        confirm=confirm,
        reach_protected=reach_protected,
    ):
        before, after = apply()
        audit_record(
            actor=actor,
            school=school,
            action=action,
            target=target,
            before=before,
            after=after,
            note=reason.strip(),
        )
        from credo.mastery import bulk

        bulk.recompute(school_ids=[school.pk], actor=actor, only_credits=True)


def graduation_rule_save(
    *,
    actor,
    school,
    kind: str,
    level: str = "",
    area: CreditArea | None = None,
    n: int | None = None,
    credits: Sequence[MasteryCredit] = (),
    from_cohort: int | None = None,
    until_cohort: int | None = None,
    description: str = "",
    rule: GraduationRule | None = None,
    confirm: str = "",
    reach_protected: bool = False,
) -> GraduationRule:
    """Create or change a graduation rule for a range of classes after checking it can be met;
    recompute statuses. Applied as a previewed change (see `credit_save`)."""
    require_manage_setup(actor, school, "define graduation rules")
    _check_cohort_range(from_cohort, until_cohort)
    if area is not None and area.school_id != school.pk:
        refuse("area", "That credit area belongs to another school.")
    if any(c.school_id != school.pk for c in credits):
        refuse("credits", "Some of those credits belong to another school.")
    spec = rules.GraduationRuleSpec(
        kind=kind,
        level=level or None,
        area_id=area.pk if area else None,
        n=n,
        credit_ids=tuple(sorted(c.pk for c in credits)),
    )
    messages = rules.validate_graduation_rule(spec)
    catalogue, area_ids = engine.catalogue_for(school.pk)
    if not messages and kind in ("min_credits", "min_credits_in_area", "min_credits_in_each_area"):
        possible = rules.graduation_rule_progress(spec, catalogue, catalogue, area_ids)
        if not possible.met:
            messages.append(
                f"No student can meet this: the school has only {possible.have} such credits "
                f"where {possible.need} are required."
            )
    if messages:
        raise ValidationError({"__all__": messages})
    rule = GraduationRule.objects.get(pk=rule.pk) if rule else None
    before = snapshot(rule) if rule else None
    rule = rule or GraduationRule(school=school)
    rule.kind, rule.level, rule.area, rule.n, rule.description = kind, level, area, n, description
    rule.from_cohort, rule.until_cohort = from_cohort, until_cohort
    rule.full_clean()
    change = {
        **{k: v for k, v in snapshot(rule).items() if k != "id"},
        "rule": rule.pk,
        "credits": sorted(c.pk for c in credits),
    }
    with consequential(
        actor=actor,
        school=school,
        description=f"{'Change' if rule.pk else 'Add'} graduation rule “{description or kind}”",
        change=change,
        confirm=confirm,
        reach_protected=reach_protected,
    ):
        rule.save()
        GraduationRuleCredit.objects.filter(rule=rule).delete()
        GraduationRuleCredit.objects.bulk_create(
            [GraduationRuleCredit(school=school, rule=rule, credit=c) for c in credits]
        )
        audit_record(
            actor=actor,
            school=school,
            action="graduation_rule.saved",
            target=rule,
            before=before,
            after={**snapshot(rule), "credits": [c.pk for c in credits]},
        )
        from credo.mastery import bulk

        bulk.recompute(school_ids=[school.pk], actor=actor, only_credits=True)
    return rule


# --- reviews and awards ----------------------------------------------------------------------


def credit_requirement_missing(student: Student, credit: MasteryCredit) -> list[str]:
    """Return what `student` still lacks to meet `credit`'s requirement (empty when it is met)."""
    from credo.mastery.models import MasteryState

    items = list(CreditRequirementItem.objects.filter(credit=credit).select_related("competency"))
    spec = engine.credit_spec(credit, items)
    proficient = set(
        MasteryState.objects.filter(
            student=student,
            competency_id__in=[i.competency_id for i in items],
            status__in=["proficient", "exceeds"],
        ).values_list("competency_id", flat=True)
    )
    evidence = engine.approved_evidence_counts([student.pk], [credit.pk]).get(
        (student.pk, credit.pk), 0
    )
    names = {i.competency_id: i.competency.code for i in items}
    return rules.credit_missing(spec, proficient, evidence, names)


def credit_review_request(
    *,
    actor,
    student: Student,
    credit: MasteryCredit,
    statement: str = "",
    evidence_ids: Iterable[int] = (),
    format: str = "portfolio",
    override_reason: str = "",
) -> CreditReview:
    """Ask a panel to review a credit, with a bundle of the student's evidence.

    Refused, saying what is missing, while the student does not meet the credit's requirement —
    unless an admin or registrar overrides with a reason (kept on the review and audited).
    """
    from credo.evidence.models import Evidence

    if credit.school_id != student.school_id:
        refuse("credit", "That credit belongs to another school.")
    if not access.can_request_review(actor, student):
        raise NotAllowed(
            "Only the student, their advisor, one of their teachers, or whoever administers "
            "reviews may request a review."
        )
    if not credit.review_required:
        refuse("credit", f"{credit} is awarded when its requirement is met; it has no review.")
    if CreditAward.objects.filter(student=student, credit=credit, revoked_at__isnull=True).exists():
        refuse("credit", f"{credit} has already been awarded.")
    if CreditReview.objects.filter(student=student, credit=credit, closed_at__isnull=True).exists():
        refuse("credit", f"A review of {credit} is already open.")
    statement = clean_text(statement, field="statement", limit=TEXT_LIMIT)
    override_reason = (override_reason or "").strip()
    missing = credit_requirement_missing(student, credit)
    if missing:
        if not override_reason:
            refuse(
                "credit",
                f"{student} does not meet the requirement of {credit} yet. " + " ".join(missing),
            )
        if not access.can_override_requirement(actor, student.school_id):
            raise NotAllowed(
                f"{student} does not meet the requirement of {credit} yet; only a school admin "
                "or registrar may request its review anyway."
            )
    elif override_reason:
        override_reason = ""  # nothing to override
    evidence = list(Evidence.objects.filter(student=student, pk__in=list(evidence_ids)))
    if len(evidence) != len(set(evidence_ids)):
        refuse("evidence", "Some of the chosen evidence is not this student's.")
    try:
        return _open_review(
            actor, student, credit, statement, format, evidence, override_reason, missing
        )
    except IntegrityError:
        _refuse_if_review_open(student, credit)
        raise


def _refuse_if_review_open(student: Student, credit: MasteryCredit) -> None:
    """Raise Conflict when a review of the credit was opened meanwhile (seen under the student's
    lock, or after the one-open-review constraint refused the race's loser)."""
    if CreditReview.objects.filter(student=student, credit=credit, closed_at__isnull=True).exists():
        raise Conflict(
            f"A review of {credit} was requested meanwhile, by someone else or in another "
            "window; nothing was saved. Reload the page to see it."
        )


def _open_review(
    actor, student, credit, statement, format, evidence, override_reason, missing
) -> CreditReview:
    with transaction.atomic(durable=True):
        lock_students([student.pk])
        _refuse_if_review_open(student, credit)
        review = CreditReview.objects.create(
            school_id=student.school_id,
            student=student,
            credit=credit,
            requested_by=actor,
            statement=statement,
            format=format,
            override_reason=override_reason,
        )
        ReviewEvidence.objects.bulk_create(
            [
                ReviewEvidence(school_id=student.school_id, review=review, evidence=e)
                for e in evidence
            ]
        )
        audit_record(
            actor=actor,
            school=student.school_id,
            action="credit_review.requested",
            target=review,
            after={
                "student": student.pk,
                "credit": credit.pk,
                "evidence": [e.pk for e in evidence],
                **({"override": missing} if override_reason else {}),
            },
            note=override_reason,
        )
        engine.refresh_credits(student, [credit.pk], actor=actor)
    return review


def send_invitation(seat_id: int) -> None:
    """E-mail an outside expert the signed link to their review (the notification task does,
    after the seat is committed)."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse

    from credo.mastery import invites

    seat = PanelSeat.objects.select_related("review__credit", "review__school").get(pk=seat_id)
    path = reverse("web:guest_review", args=[invites.invitation_token(seat)])
    context = {
        "seat": seat,
        "review": seat.review,
        "school": seat.review.school,
        "url": settings.CREDO_BASE_URL.rstrip("/") + path,
        "expires_on": invites.expires_on(seat),
    }
    send_mail(
        subject=render_to_string("web/reviews/invitation_subject.txt", context).strip(),
        message=render_to_string("web/reviews/invitation_email.txt", context),
        from_email=None,
        recipient_list=[seat.guest_email],
    )


def credit_review_schedule(
    *,
    actor,
    review: CreditReview,
    scheduled_at=None,
    location: str = "",
    panel_users: Sequence = (),
    guests: Sequence[tuple[str, str, str]] = (),
) -> CreditReview:
    """Schedule a review and seat its panel: staff users and outside experts (name, email, expertise).

    Only the school's panel formers may (see `access.can_form_panel`). Each new outside expert is
    e-mailed their signed link once the seats are committed.
    """
    access.require_form_panel(actor, review.school_id)
    if not review.is_open:
        refuse(None, "That review is closed.")
    student_user = Student.objects.filter(pk=review.student_id).values_list("user_id", flat=True)
    for user in panel_users:
        if not roles_in(user, review.school_id) & (PANEL_STAFF_ROLES | {Role.REVIEWER}):
            refuse("panel_users", f"{user} is not staff or a reviewer of this school.")
        if user.pk in set(student_user):
            refuse("panel_users", "A student cannot sit on the panel of their own review.")
    errors = []
    for name, email, _ in guests:
        if not (name or "").strip():
            errors.append("Give each outside expert's name.")
        if not (email or "").strip():
            errors.append(
                f"Give {name or 'the outside expert'}'s e-mail address for the invitation."
            )
    if errors:
        raise ValidationError({"guest_email": errors})
    with transaction.atomic(durable=True):
        before = snapshot(review, ["scheduled_at", "location"])
        review.scheduled_at, review.location = scheduled_at, location
        review.save(update_fields=["scheduled_at", "location"])
        seated = set(
            PanelSeat.objects.filter(review=review, user__isnull=False).values_list(
                "user_id", flat=True
            )
        )
        seats = [
            PanelSeat(school_id=review.school_id, review=review, user=u, invited_by=actor)
            for u in panel_users
            if u.pk not in seated
        ]
        guest_seats = [
            PanelSeat(
                school_id=review.school_id,
                review=review,
                guest_name=n.strip(),
                guest_email=e.strip(),
                guest_expertise=x,
                invited_by=actor,
            )
            for n, e, x in guests
        ]
        for seat in seats + guest_seats:
            seat.save()
        audit_record(
            actor=actor,
            school=review.school_id,
            action="credit_review.scheduled",
            target=review,
            before=before,
            after={
                "scheduled_at": scheduled_at,
                "location": location,
                "panel": [str(s) for s in seats + guest_seats],
            },
        )
        # Seated staff hear of it in the app; outside experts are e-mailed their link (the task
        # queue, once this commits).
        notify_events.seats_invited(seats + guest_seats)
    return review


def panel_state(review: CreditReview) -> dict:
    """Return the panel's seats (seat id → counts as staff), its votes (seat id → vote) and
    whether the seated panel could reach a decision under the credit's policy."""
    seats = access.staff_seats(PanelSeat.objects.filter(review=review).select_related("user"))
    votes = dict(ReviewVote.objects.filter(review=review).values_list("seat_id", "vote"))
    credit = review.credit
    return {
        "seats": seats,
        "votes": votes,
        "policy": credit.get_decision_policy_display(),
        "min_staff": credit.decision_min_staff,
        "can_decide": rules.panel_can_decide(
            credit.decision_policy, credit.decision_min_staff, seats
        ),
    }


def credit_review_decide(
    *, review: CreditReview, decision: str, feedback: str, actor=None, seat: PanelSeat | None = None
) -> ReviewVote:
    """Record one panel member's vote ("award" or "not yet", with feedback) on a review.

    `actor` votes from their own seat; an outside expert votes through `seat` (their signed link).
    When the votes satisfy the credit's decision policy (`rules.panel_outcome`) the panel's
    decision is recorded, the review closes, and an award is made when it says so.
    """
    if decision not in Decision.values:
        refuse("decision", "Choose to award the credit or “not yet”.")
    if not feedback.strip():
        refuse("feedback", "Write feedback for the student.")
    if seat is not None:
        if seat.review_id != review.pk or seat.user_id is not None:
            raise NotAllowed("That invitation is for another review.")
    else:
        seat = access.seat_of(actor, review)
        if seat is None:
            raise NotAllowed("Only a member of this review's panel may vote on it.")
    with transaction.atomic(durable=True):
        lock_students([review.student_id])
        review = (
            CreditReview.objects.select_for_update()
            .select_related("credit", "student")
            .get(pk=review.pk)
        )
        if not review.is_open:
            refuse(None, "This review has already been decided.")
        if ReviewVote.objects.filter(review=review, seat=seat).exists():
            refuse(None, "You have already voted on this review.")
        vote = ReviewVote.objects.create(
            school_id=review.school_id, review=review, seat=seat, vote=decision, feedback=feedback
        )
        voter = actor if seat.user_id else system_actor()
        audit_record(
            actor=voter,
            school=review.school_id,
            action="credit_review.voted",
            target=vote,
            after={"vote": decision, "feedback": feedback, "seat": seat.pk},
            note="" if seat.user_id else f"Outside expert {seat.guest_name}, by invitation link",
        )
        state = panel_state(review)
        outcome = rules.panel_outcome(
            review.credit.decision_policy,
            review.credit.decision_min_staff,
            state["seats"],
            state["votes"],
        )
        if outcome is not None:
            notify_events.decision_made(_decide(review, outcome, state))
    return vote


def _decide(review: CreditReview, outcome: str, state: dict) -> ReviewDecision:
    """Record the panel's decision, close the review and award the credit when it says so.

    The decision is attributed to the first staff member who voted for it (the policy ensures
    there is one), and its feedback joins the feedback of those who agreed.
    """
    agreeing = list(
        ReviewVote.objects.filter(review=review, vote=outcome)
        .select_related("seat__user")
        .order_by("voted_at", "id")
    )
    decider = next(v.seat.user for v in agreeing if state["seats"].get(v.seat_id))
    feedback = "\n\n".join(v.feedback for v in agreeing)
    result = ReviewDecision.objects.create(
        school_id=review.school_id,
        review=review,
        decision=outcome,
        feedback=feedback,
        decided_by=decider,
    )
    review.closed_at = timezone.now()
    review.save(update_fields=["closed_at"])
    if (
        outcome == Decision.AWARD
        and not CreditAward.objects.filter(
            student_id=review.student_id, credit_id=review.credit_id, revoked_at__isnull=True
        ).exists()
    ):
        award = CreditAward.objects.create(
            school_id=review.school_id,
            student_id=review.student_id,
            credit_id=review.credit_id,
            awarded_on=timezone.localdate(),
            review=review,
            awarded_by=decider,
        )
        audit_record(
            actor=decider,
            school=review.school_id,
            action="credit.awarded",
            target=award,
            after={"student": review.student_id, "credit": review.credit_id, "review": review.pk},
        )
    audit_record(
        actor=decider,
        school=review.school_id,
        action="credit_review.decided",
        target=result,
        after={
            "decision": outcome,
            "feedback": feedback,
            "votes": {str(k): v for k, v in state["votes"].items()},
            "policy": review.credit.decision_policy,
        },
    )
    engine.refresh_credits(review.student, [review.credit_id], actor=decider)
    engine.refresh_graduation(review.student)
    return result


def credit_award_revoke(*, actor, award: CreditAward, reason: str) -> CreditAward:
    """Revoke an award (registrar only, with a reason). The award row keeps its history."""
    access.require_revoke_and_retire(actor, award.school_id, "revoke a mastery credit")
    if not (reason or "").strip():
        refuse("reason", "Say why the credit is being revoked.")
    if award.revoked_at is not None:
        refuse(None, "That award has already been revoked.")
    reason = reason.strip()
    if len(reason) > 2000:
        refuse("reason", "Keep the reason under 2000 characters.")
    with transaction.atomic(durable=True):
        lock_students([award.student_id])
        award = CreditAward.objects.select_for_update().get(pk=award.pk)
        if award.revoked_at is not None:
            refuse(None, "That award has already been revoked.")
        award.revoked_at, award.revoked_by, award.revoke_reason = timezone.now(), actor, reason
        award.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        audit_record(
            actor=actor,
            school=award.school_id,
            action="credit.revoked",
            target=award,
            before={"student": award.student_id, "credit": award.credit_id, "revoked_at": None},
            after={
                "student": award.student_id,
                "credit": award.credit_id,
                "revoked_at": award.revoked_at,
            },
            note=reason,
        )
        engine.refresh_credits(award.student, [award.credit_id], actor=actor)
        engine.refresh_graduation(award.student)
    return award


# --- habits of work and credit areas (added for the web pages) ----------------------------------


def habits_record(
    *,
    assessor,
    demonstrated_on: dt.date,
    entries: Sequence[tuple[Student, Competency, object]],
    task: str = "",
) -> list[Assessment]:
    """Record habits-of-work ratings (student, habit, value) in one go: all or none.

    Every competency must belong to a habits framework, so these ratings never mix with academic
    levels. A blank value skips that entry. Raise ValidationError listing every bad entry.
    """
    checked, errors = [], {}
    for student, competency, value in entries:
        if value in (None, ""):
            continue
        key = f"habit-{student.pk}-{competency.pk}"
        if competency.framework.kind != "habits":
            errors[key] = [f"{competency.code} is not a habit of work."]
            continue
        try:
            checked.append(
                (
                    student,
                    competency,
                    _check_assessment(
                        assessor=assessor,
                        student=student,
                        competency=competency,
                        value=value,
                        demonstrated_on=demonstrated_on,
                        kind=AssessmentKind.SUMMATIVE,
                    ),
                )
            )
        except ValidationError as exc:
            errors[key] = [f"{student}, {competency.code}: {m}" for m in exc.messages]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        lock_students([s.pk for s, _, _ in checked])
        result = []
        for student, competency, value in checked:
            result.append(
                _write_assessment(
                    assessor=assessor,
                    student=student,
                    competency=competency,
                    value=value,
                    demonstrated_on=demonstrated_on,
                    kind=AssessmentKind.SUMMATIVE,
                    feedback="",
                    evidence=None,
                    accommodated=False,
                    modified_scale=False,
                    task=task,
                    replaces=None,
                )
            )
            engine.refresh_student(student, competency, actor=assessor)
    return result


def credit_area_save(
    *,
    actor,
    school,
    code: str,
    name: str,
    colour: str = "#336699",
    order: int = 0,
    description: str = "",
    area: CreditArea | None = None,
) -> CreditArea:
    """Create or change a credit area of the transcript's credit profile."""
    import re

    require_manage_setup(actor, school, "define credit areas")
    errors: dict[str, list[str]] = {}
    code, name = (code or "").strip(), (name or "").strip()
    if not code:
        errors["code"] = ["Give the area a short code."]
    elif (
        CreditArea.objects.filter(school=school, code=code)
        .exclude(pk=area.pk if area else None)
        .exists()
    ):
        errors["code"] = [f"The school already has an area {code}."]
    if not name:
        errors["name"] = ["Name the area."]
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", colour or ""):
        errors["colour"] = ["Give a colour like #1f77b4."]
    if errors:
        raise ValidationError(errors)
    before = snapshot(area) if area else None
    area = area or CreditArea(school=school)
    area.code, area.name, area.colour, area.order, area.description = (
        code,
        name,
        colour,
        order or 0,
        description,
    )
    area.full_clean(validate_unique=False)
    with transaction.atomic(durable=True):
        area.save()
        audit_record(
            actor=actor,
            school=school,
            action="credit_area.saved",
            target=area,
            before=before,
            after=snapshot(area),
        )
    return area
