"""Every write of the mastery domain: assessments, credits, reviews, awards, graduation rules."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.utils import timezone

from credo.accounts.access import can_assess, roles_in
from credo.accounts.models import MANAGER_ROLES, Role, Student
from credo.core.audit import audit_record, snapshot
from credo.core.errors import NotAllowed, ValidationError, refuse
from credo.frameworks.models import Competency
from credo.mastery import engine, rules
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
    MasteryCredit,
    PanelSeat,
    ReviewDecision,
    ReviewEvidence,
)


def lock_students(student_ids: Iterable[int]) -> None:
    """Lock the students' rows in primary-key order so concurrent writes to one student serialize.

    On SQLite every write transaction already holds the database's write lock from its BEGIN
    (IMMEDIATE mode, see core/dburl.py), so there is nothing finer to lock.
    """
    if connection.vendor == "sqlite":
        return
    list(Student.objects.select_for_update().filter(pk__in=sorted(set(student_ids))).order_by("pk").values("pk"))


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
        refuse("competency", f"Competency {competency.code} belongs to another school than {student}.")
    if not can_assess(assessor, student):
        raise NotAllowed(f"{assessor} may not assess {student}: not their teacher, and not a school admin or registrar.")
    value = _decimal(value, "value")
    low, high = competency.effective_scale.bounds
    if not (low <= value <= high):
        refuse("value", f"{value} is outside the scale of {competency.code} ({low}–{high}).")
    if kind not in AssessmentKind.values:
        refuse("kind", f"“{kind}” is not formative or summative.")
    if not isinstance(demonstrated_on, dt.date):
        refuse("demonstrated_on", "Give the date the student demonstrated this.")
    if demonstrated_on > timezone.localdate() + dt.timedelta(days=1):
        refuse("demonstrated_on", f"{demonstrated_on} is in the future.")
    return value


def _write_assessment(*, assessor, student, competency, value, demonstrated_on, kind, feedback, evidence,
                      accommodated, modified_scale, task, replaces) -> Assessment:
    if evidence is not None and evidence.student_id != student.pk:
        refuse("evidence", "That evidence belongs to another student.")
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
        before=snapshot(replaces, ["value", "demonstrated_on", "kind"]) if replaces else None,
        after={"student": student.pk, "competency": competency.pk, "value": value,
               "demonstrated_on": demonstrated_on, "kind": kind},
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
) -> Assessment:
    """Record one assessment and bring the student's state, credits and graduation status up to date."""
    value = _check_assessment(
        assessor=assessor, student=student, competency=competency, value=value,
        demonstrated_on=demonstrated_on, kind=kind,
    )
    with transaction.atomic(durable=True):
        lock_students([student.pk])
        assessment = _write_assessment(
            assessor=assessor, student=student, competency=competency, value=value,
            demonstrated_on=demonstrated_on, kind=kind, feedback=feedback, evidence=evidence,
            accommodated=accommodated, modified_scale=modified_scale, task=task, replaces=None,
        )
        engine.refresh_student(student, competency, actor=assessor)
    return assessment


def assessments_record_for_class(
    *,
    assessor,
    competency: Competency,
    demonstrated_on: dt.date,
    entries: Sequence[tuple[Student, object, str]],
    kind: str = AssessmentKind.SUMMATIVE,
    task: str = "",
) -> list[Assessment]:
    """Record one task's assessments for many students at once: all or none.

    `entries` are (student, value, feedback); a blank value skips that student.
    Raise ValidationError listing every bad entry by student.
    """
    checked, errors = [], {}
    for student, value, feedback in entries:
        if value in (None, ""):
            continue
        try:
            checked.append((student, _check_assessment(
                assessor=assessor, student=student, competency=competency, value=value,
                demonstrated_on=demonstrated_on, kind=kind), feedback))
        except ValidationError as exc:
            errors[f"student-{student.pk}"] = [f"{student}: {m}" for m in exc.messages]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        lock_students([s.pk for s, _, _ in checked])
        result = []
        for student, value, feedback in checked:
            result.append(_write_assessment(
                assessor=assessor, student=student, competency=competency, value=value,
                demonstrated_on=demonstrated_on, kind=kind, feedback=feedback, evidence=None,
                accommodated=False, modified_scale=False, task=task, replaces=None,
            ))
            engine.refresh_student(student, competency, actor=assessor)
    return result


def assessment_correct(*, actor, assessment: Assessment, value=None, demonstrated_on=None,
                       kind=None, feedback=None) -> Assessment:
    """Replace an assessment with a corrected one; the original stays in the history."""
    if assessment.retraction or Assessment.objects.filter(replaces=assessment).exists():
        refuse(None, "That assessment has already been corrected or retracted; correct the newest one.")
    value = assessment.value if value is None else value
    demonstrated_on = demonstrated_on or assessment.demonstrated_on
    kind = kind or assessment.kind
    value = _check_assessment(assessor=actor, student=assessment.student, competency=assessment.competency,
                              value=value, demonstrated_on=demonstrated_on, kind=kind)
    with transaction.atomic(durable=True):
        lock_students([assessment.student_id])
        new = _write_assessment(
            assessor=actor, student=assessment.student, competency=assessment.competency, value=value,
            demonstrated_on=demonstrated_on, kind=kind,
            feedback=assessment.feedback if feedback is None else feedback, evidence=assessment.evidence,
            accommodated=assessment.accommodated, modified_scale=assessment.modified_scale,
            task=assessment.task, replaces=assessment,
        )
        engine.refresh_student(assessment.student, assessment.competency, actor=actor)
    return new


def assessment_retract(*, actor, assessment: Assessment, reason: str) -> Assessment:
    """Take an assessment out of the student's record (entered in error); keep it in the history."""
    if not reason.strip():
        refuse("reason", "Say why the assessment is being retracted.")
    if not can_assess(actor, assessment.student):
        raise NotAllowed(f"{actor} may not change assessments of {assessment.student}.")
    if assessment.retraction or Assessment.objects.filter(replaces=assessment).exists():
        refuse(None, "That assessment has already been corrected or retracted.")
    with transaction.atomic(durable=True):
        lock_students([assessment.student_id])
        retraction = Assessment.objects.create(
            school_id=assessment.school_id, student_id=assessment.student_id,
            competency_id=assessment.competency_id, assessor=actor, value=None,
            demonstrated_on=assessment.demonstrated_on, assessed_at=timezone.now(),
            kind=assessment.kind, feedback=reason, replaces=assessment, retraction=True,
        )
        audit_record(actor=actor, school=assessment.school_id, action="assessment.retracted",
                     target=retraction, before=snapshot(assessment, ["value", "demonstrated_on", "kind"]),
                     note=reason)
        engine.refresh_student(assessment.student, assessment.competency, actor=actor)
    return retraction


# --- credits --------------------------------------------------------------------------------


def _require_manager(actor, school, what: str):
    if not (roles_in(actor, school) & MANAGER_ROLES):
        raise NotAllowed(f"Only a school admin or registrar may {what}.")


def credit_validate(*, school, rule: str, rule_n, min_evidence: int, review_required: bool,
                    items: Sequence[tuple[Competency, object, bool]]) -> rules.CreditSpec:
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
    spec = rules.CreditSpec(rule=rule, items=plain, n=rule_n, min_evidence=min_evidence or 0,
                            review_required=review_required)
    codes = {c.pk: c.code for c, _, _ in items}
    messages += [
        re.sub(r"Competency (\d+)", lambda m: f"Competency {codes.get(int(m.group(1)), m.group(1))}", text)
        for text in rules.validate_credit_spec(spec)
    ]
    if messages:
        raise ValidationError({"items": messages})
    return spec


def credit_save(*, actor, school, area: CreditArea, code: str, title: str, standard: str, level: str,
                rule: str, rule_n=None, min_evidence: int = 0, review_required: bool = False,
                items: Sequence[tuple[Competency, object, bool]], credit: MasteryCredit | None = None,
                order: int = 0) -> MasteryCredit:
    """Create or change a mastery credit with its requirement, then recompute progress on it."""
    _require_manager(actor, school, "define mastery credits")
    if area.school_id != school.pk:
        refuse("area", "That credit area belongs to another school.")
    credit_validate(school=school, rule=rule, rule_n=rule_n, min_evidence=min_evidence,
                    review_required=review_required, items=items)
    before = snapshot(credit) if credit else None
    credit = credit or MasteryCredit(school=school)
    for field, value in dict(area=area, code=code, title=title, standard=standard, level=level, rule=rule,
                             rule_n=rule_n, min_evidence=min_evidence or 0, review_required=review_required,
                             order=order).items():
        setattr(credit, field, value)
    credit.full_clean(validate_unique=True)
    with transaction.atomic(durable=True):
        credit.save()
        CreditRequirementItem.objects.filter(credit=credit).delete()
        CreditRequirementItem.objects.bulk_create([
            CreditRequirementItem(school=school, credit=credit, competency=c, points=_decimal(p, "items"),
                                  required=bool(r))
            for c, p, r in items
        ])
        audit_record(actor=actor, school=school, action="credit.saved", target=credit, before=before,
                     after={**snapshot(credit), "items": [(c.pk, str(p), bool(r)) for c, p, r in items]})
        from credo.mastery import bulk

        bulk.recompute(school_ids=[school.pk], actor=actor, only_credits=True)
    return credit


def graduation_rule_save(*, actor, school, kind: str, level: str = "", area: CreditArea | None = None,
                         n: int | None = None, credits: Sequence[MasteryCredit] = (), cohort: int | None = None,
                         description: str = "", rule: GraduationRule | None = None) -> GraduationRule:
    """Create or change a graduation rule after checking it can be met; recompute statuses."""
    _require_manager(actor, school, "define graduation rules")
    if area is not None and area.school_id != school.pk:
        refuse("area", "That credit area belongs to another school.")
    if any(c.school_id != school.pk for c in credits):
        refuse("credits", "Some of those credits belong to another school.")
    spec = rules.GraduationRuleSpec(kind=kind, level=level or None, area_id=area.pk if area else None, n=n,
                                    credit_ids=tuple(sorted(c.pk for c in credits)))
    messages = rules.validate_graduation_rule(spec)
    catalogue, area_ids = engine.catalogue_for(school.pk)
    if not messages and kind in ("min_credits", "min_credits_in_area", "min_credits_in_each_area"):
        possible = rules.graduation_rule_progress(spec, catalogue, catalogue, area_ids)
        if not possible.met:
            messages.append(f"No student can meet this: the school has only {possible.have} such credits "
                            f"where {possible.need} are required.")
    if messages:
        raise ValidationError({"__all__": messages})
    before = snapshot(rule) if rule else None
    rule = rule or GraduationRule(school=school)
    rule.kind, rule.level, rule.area, rule.n, rule.cohort, rule.description = (
        kind, level, area, n, cohort, description)
    rule.full_clean()
    with transaction.atomic(durable=True):
        rule.save()
        GraduationRuleCredit.objects.filter(rule=rule).delete()
        GraduationRuleCredit.objects.bulk_create(
            [GraduationRuleCredit(school=school, rule=rule, credit=c) for c in credits])
        audit_record(actor=actor, school=school, action="graduation_rule.saved", target=rule, before=before,
                     after={**snapshot(rule), "credits": [c.pk for c in credits]})
        from credo.mastery import bulk

        bulk.recompute(school_ids=[school.pk], actor=actor, only_credits=True)
    return rule


# --- reviews and awards ----------------------------------------------------------------------


def credit_review_request(*, actor, student: Student, credit: MasteryCredit, statement: str = "",
                          evidence_ids: Iterable[int] = (), format: str = "portfolio") -> CreditReview:
    """Ask a panel to review a credit, with a bundle of the student's evidence."""
    from credo.evidence.models import Evidence

    if credit.school_id != student.school_id:
        refuse("credit", "That credit belongs to another school.")
    roles = roles_in(actor, student.school_id)
    is_self = Role.STUDENT in roles and student.user_id == actor.pk
    if not (is_self or roles & (MANAGER_ROLES | {Role.ADVISOR, Role.TEACHER})):
        raise NotAllowed("Only the student, their advisor, a teacher or a registrar may request a review.")
    if not credit.review_required:
        refuse("credit", f"{credit} is awarded when its requirement is met; it has no review.")
    if CreditAward.objects.filter(student=student, credit=credit, revoked_at__isnull=True).exists():
        refuse("credit", f"{credit} has already been awarded.")
    if CreditReview.objects.filter(student=student, credit=credit, closed_at__isnull=True).exists():
        refuse("credit", f"A review of {credit} is already open.")
    evidence = list(Evidence.objects.filter(student=student, pk__in=list(evidence_ids)))
    if len(evidence) != len(set(evidence_ids)):
        refuse("evidence", "Some of the chosen evidence is not this student's.")
    with transaction.atomic(durable=True):
        lock_students([student.pk])
        review = CreditReview.objects.create(school_id=student.school_id, student=student, credit=credit,
                                             requested_by=actor, statement=statement, format=format)
        ReviewEvidence.objects.bulk_create(
            [ReviewEvidence(school_id=student.school_id, review=review, evidence=e) for e in evidence])
        audit_record(actor=actor, school=student.school_id, action="credit_review.requested", target=review,
                     after={"student": student.pk, "credit": credit.pk, "evidence": [e.pk for e in evidence]})
        engine.refresh_credits(student, [credit.pk], actor=actor)
    return review


def credit_review_schedule(*, actor, review: CreditReview, scheduled_at=None, location: str = "",
                           panel_users: Sequence = (), guests: Sequence[tuple[str, str, str]] = ()) -> CreditReview:
    """Schedule a review and seat its panel: staff users and outside experts (name, email, expertise)."""
    _require_manager_or_teacher(actor, review.school_id)
    if not review.is_open:
        refuse(None, "That review is closed.")
    for user in panel_users:
        if not roles_in(user, review.school_id):
            refuse("panel_users", f"{user} holds no role in this school.")
    with transaction.atomic(durable=True):
        before = snapshot(review, ["scheduled_at", "location"])
        review.scheduled_at, review.location = scheduled_at, location
        review.save(update_fields=["scheduled_at", "location"])
        seated = set(PanelSeat.objects.filter(review=review, user__isnull=False).values_list("user_id", flat=True))
        seats = [PanelSeat(school_id=review.school_id, review=review, user=u) for u in panel_users
                 if u.pk not in seated]
        seats += [PanelSeat(school_id=review.school_id, review=review, guest_name=n, guest_email=e,
                            guest_expertise=x) for n, e, x in guests]
        PanelSeat.objects.bulk_create(seats)
        audit_record(actor=actor, school=review.school_id, action="credit_review.scheduled", target=review,
                     before=before, after={"scheduled_at": scheduled_at, "location": location,
                                           "panel": [str(s) for s in seats]})
    return review


def _require_manager_or_teacher(actor, school_id):
    if not (roles_in(actor, school_id) & (MANAGER_ROLES | {Role.TEACHER, Role.ADVISOR})):
        raise NotAllowed("Only staff may schedule reviews and seat panels.")


def credit_review_decide(*, review: CreditReview, decision: str, feedback: str, actor=None,
                         seat: PanelSeat | None = None) -> ReviewDecision:
    """Record a panel's decision: award the credit, or "not yet" with feedback. Close the review."""
    if decision not in Decision.values:
        refuse("decision", "Choose to award the credit or “not yet”.")
    if not feedback.strip():
        refuse("feedback", "Write feedback for the student.")
    if seat is not None:
        if seat.review_id != review.pk:
            raise NotAllowed("That invitation is for another review.")
    elif not (PanelSeat.objects.filter(review=review, user=actor).exists()
              or roles_in(actor, review.school_id) & MANAGER_ROLES):
        raise NotAllowed("Only a member of this review's panel or a registrar may decide it.")
    with transaction.atomic(durable=True):
        lock_students([review.student_id])
        review = CreditReview.objects.select_for_update().get(pk=review.pk)
        if not review.is_open:
            refuse(None, "This review has already been decided.")
        result = ReviewDecision.objects.create(school_id=review.school_id, review=review, decision=decision,
                                               feedback=feedback, decided_by=actor, decided_by_guest=seat)
        review.closed_at = timezone.now()
        review.save(update_fields=["closed_at"])
        if decision == Decision.AWARD and not CreditAward.objects.filter(
                student_id=review.student_id, credit_id=review.credit_id, revoked_at__isnull=True).exists():
            award = CreditAward.objects.create(school_id=review.school_id, student_id=review.student_id,
                                               credit_id=review.credit_id, awarded_on=timezone.localdate(),
                                               review=review, awarded_by=actor)
            audit_record(actor=actor, school=review.school_id, action="credit.awarded", target=award,
                         after={"student": review.student_id, "credit": review.credit_id, "review": review.pk})
        audit_record(actor=actor, school=review.school_id, action="credit_review.decided", target=result,
                     after={"decision": decision, "feedback": feedback,
                            "guest": seat.guest_name if seat else None})
        engine.refresh_credits(review.student, [review.credit_id], actor=actor)
        engine.refresh_graduation(review.student)
    return result


def credit_award_revoke(*, actor, award: CreditAward, reason: str) -> CreditAward:
    """Revoke an award (registrar only, with a reason). The award row keeps its history."""
    if Role.REGISTRAR not in roles_in(actor, award.school_id):
        raise NotAllowed("Only a registrar may revoke a mastery credit.")
    if not reason.strip():
        refuse("reason", "Say why the credit is being revoked.")
    if award.revoked_at is not None:
        refuse(None, "That award has already been revoked.")
    with transaction.atomic(durable=True):
        lock_students([award.student_id])
        award.revoked_at, award.revoked_by, award.revoke_reason = timezone.now(), actor, reason
        award.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        audit_record(actor=actor, school=award.school_id, action="credit.revoked", target=award,
                     after={"revoked_at": award.revoked_at}, note=reason)
        engine.refresh_credits(award.student, [award.credit_id], actor=actor)
        engine.refresh_graduation(award.student)
    return award


# --- habits of work and credit areas (added for the web pages) ----------------------------------


def habits_record(*, assessor, demonstrated_on: dt.date, entries: Sequence[tuple[Student, Competency, object]],
                  task: str = "") -> list[Assessment]:
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
            checked.append((student, competency, _check_assessment(
                assessor=assessor, student=student, competency=competency, value=value,
                demonstrated_on=demonstrated_on, kind=AssessmentKind.SUMMATIVE)))
        except ValidationError as exc:
            errors[key] = [f"{student}, {competency.code}: {m}" for m in exc.messages]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        lock_students([s.pk for s, _, _ in checked])
        result = []
        for student, competency, value in checked:
            result.append(_write_assessment(
                assessor=assessor, student=student, competency=competency, value=value,
                demonstrated_on=demonstrated_on, kind=AssessmentKind.SUMMATIVE, feedback="", evidence=None,
                accommodated=False, modified_scale=False, task=task, replaces=None,
            ))
            engine.refresh_student(student, competency, actor=assessor)
    return result


def credit_area_save(*, actor, school, code: str, name: str, colour: str = "#336699", order: int = 0,
                     description: str = "", area: CreditArea | None = None) -> CreditArea:
    """Create or change a credit area of the transcript's credit profile."""
    import re

    _require_manager(actor, school, "define credit areas")
    errors: dict[str, list[str]] = {}
    code, name = (code or "").strip(), (name or "").strip()
    if not code:
        errors["code"] = ["Give the area a short code."]
    elif CreditArea.objects.filter(school=school, code=code).exclude(pk=area.pk if area else None).exists():
        errors["code"] = [f"The school already has an area {code}."]
    if not name:
        errors["name"] = ["Name the area."]
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", colour or ""):
        errors["colour"] = ["Give a colour like #1f77b4."]
    if errors:
        raise ValidationError(errors)
    before = snapshot(area) if area else None
    area = area or CreditArea(school=school)
    area.code, area.name, area.colour, area.order, area.description = code, name, colour, order or 0, description
    area.full_clean(validate_unique=False)
    with transaction.atomic(durable=True):
        area.save()
        audit_record(actor=actor, school=school, action="credit_area.saved", target=area, before=before,
                     after=snapshot(area))
    return area
