import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from credo.core.models import AuditEvent
from credo.mastery import bulk, services
from credo.mastery.models import (
    Assessment,
    CreditAward,
    CreditProgress,
    GraduationStatus,
    MasteryCredit,
    MasteryState,
    PanelSeat,
)
from credo.testing import apply_change, make_student, make_user

D = dt.date(2025, 10, 1)


def record(s, student, competency, value, day=D, **kw):
    return services.assessment_record(
        assessor=s.teacher,
        student=student,
        competency=competency,
        value=value,
        demonstrated_on=day,
        **kw,
    )


def test_assessment_updates_state_credit_and_graduation(hill):
    student = hill.students[0]
    c1, c2 = hill.competencies[:2]
    record(hill, student, c1, 3)
    state = MasteryState.objects.get(student=student, competency=c1)
    assert (state.score, state.status, state.counted_count) == (Decimal("3.00"), "proficient", 1)
    progress = CreditProgress.objects.get(student=student, credit=hill.credits["all"])
    assert progress.status == "in_progress" and progress.proficient_count == 1
    record(hill, student, c2, 4, day=D + dt.timedelta(days=3))
    progress.refresh_from_db()
    assert progress.status == "awarded"
    award = CreditAward.objects.get(student=student, credit=hill.credits["all"])
    assert award.awarded_on == D + dt.timedelta(days=3)
    assert GraduationStatus.objects.get(student=student).foundational_awarded == 1
    assert bulk.check() == []


def test_awards_are_sticky_when_later_evidence_is_lower(hill):
    student = hill.students[0]
    c1, c2 = hill.competencies[:2]
    record(hill, student, c1, 3)
    record(hill, student, c2, 3)
    record(hill, student, c1, 1, day=D + dt.timedelta(days=10))
    assert MasteryState.objects.get(student=student, competency=c1).status == "not_yet"
    assert (
        CreditProgress.objects.get(student=student, credit=hill.credits["all"]).status == "awarded"
    )
    assert bulk.check() == []


def test_demonstration_date_orders_history_not_grading_date(hill):
    student = hill.students[0]
    c = hill.competencies[0]
    record(hill, student, c, 4, day=D + dt.timedelta(days=20))
    record(hill, student, c, 2, day=D)  # late make-up work, graded later, shown earlier
    assert MasteryState.objects.get(student=student, competency=c).score == Decimal("4.00")


def test_formative_does_not_count_unless_framework_says_so(hill):
    student = hill.students[0]
    c = hill.competencies[0]
    record(hill, student, c, 4, kind="formative")
    state = MasteryState.objects.get(student=student, competency=c)
    assert (state.score, state.assessment_count, state.counted_count) == (None, 1, 0)
    hill.framework.counts_formative = True
    hill.framework.save()
    bulk.recompute([hill.school.pk])
    assert MasteryState.objects.get(student=student, competency=c).score == Decimal("4.00")


def test_correction_replaces_and_retraction_voids_without_deleting(hill):
    student = hill.students[0]
    c = hill.competencies[0]
    first = record(hill, student, c, 2)
    corrected = services.assessment_correct(actor=hill.teacher, assessment=first, value=3)
    assert MasteryState.objects.get(student=student, competency=c).score == Decimal("3.00")
    services.assessment_retract(actor=hill.teacher, assessment=corrected, reason="Wrong student")
    assert not MasteryState.objects.filter(student=student, competency=c).exists()
    assert Assessment.objects.filter(student=student).count() == 3
    with pytest.raises(ValidationError, match="already been corrected"):
        services.assessment_correct(actor=hill.teacher, assessment=first, value=4)
    assert bulk.check() == []


def test_every_write_is_audited(hill):
    before = AuditEvent.objects.count()
    record(hill, hill.students[0], hill.competencies[0], 3)
    assert AuditEvent.objects.filter(action="assessment.recorded").count() == 1
    assert AuditEvent.objects.count() > before


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (5, "outside the scale"),
        (0, "outside the scale"),
        ("abc", "not a number"),
        ("NaN", "not a number"),
    ],
)
def test_value_outside_scale_is_refused_and_nothing_written(hill, value, message):
    with pytest.raises(ValidationError, match=message):
        record(hill, hill.students[0], hill.competencies[0], value)
    assert not Assessment.objects.exists() and not MasteryState.objects.exists()


def test_competency_of_another_school_is_refused(hill, dale):
    with pytest.raises(ValidationError, match="belongs to another school"):
        record(hill, hill.students[0], dale.competencies[0], 3)
    assert not Assessment.objects.exists()


def test_student_of_another_school_is_refused(hill, dale):
    with pytest.raises((ValidationError, PermissionDenied)):
        record(hill, dale.students[0], hill.competencies[0], 3)
    assert not Assessment.objects.exists()


def test_assessor_without_rights_is_refused(hill):
    outsider = make_user("other-teacher", school=hill.school, role="teacher")
    with pytest.raises(PermissionDenied, match="may not assess"):
        services.assessment_record(
            assessor=outsider,
            student=hill.students[0],
            competency=hill.competencies[0],
            value=3,
            demonstrated_on=D,
        )
    not_enrolled = make_student(hill.school)
    with pytest.raises(PermissionDenied):
        record(hill, not_enrolled, hill.competencies[0], 3)
    assert not Assessment.objects.exists()


def test_future_date_is_refused(hill):
    with pytest.raises(ValidationError, match="future"):
        record(
            hill,
            hill.students[0],
            hill.competencies[0],
            3,
            day=dt.date.today() + dt.timedelta(days=30),
        )


def test_class_entry_is_all_or_nothing(hill):
    s1, s2, s3 = hill.students
    with pytest.raises(ValidationError) as err:
        services.assessments_record_for_class(
            assessor=hill.teacher,
            competency=hill.competencies[0],
            demonstrated_on=D,
            entries=[(s1, 3, ""), (s2, 9, ""), (s3, "", "")],
        )
    assert "outside the scale" in str(err.value)
    assert not Assessment.objects.exists()
    made = services.assessments_record_for_class(
        assessor=hill.teacher,
        competency=hill.competencies[0],
        demonstrated_on=D,
        entries=[(s1, 3, "good"), (s2, 2, ""), (s3, "", "")],
    )
    assert len(made) == 2 and bulk.check() == []


@pytest.mark.parametrize(
    ("rule", "n", "items", "message"),
    [
        ("all", None, [], "at least one competency"),
        ("count", 4, [0, 1, 2], r"N \(4\) is more than the 3 competencies"),
        ("points", 10, [0, 1], r"P \(10\) is more than the 2"),
        ("points", 0, [0, 1], "at least 1"),
    ],
)
def test_unsatisfiable_credit_rules_are_refused(hill, rule, n, items, message):
    comps = [(hill.competencies[i], 1, False) for i in items]
    with pytest.raises(ValidationError, match=message):
        services.credit_save(
            actor=hill.admin,
            school=hill.school,
            area=hill.areas[0],
            code="X1",
            title="X",
            standard="x",
            level="foundational",
            rule=rule,
            rule_n=n,
            items=comps,
        )
    assert not MasteryCredit.objects.filter(code="X1").exists()


def test_duplicate_and_foreign_competencies_are_refused(hill, dale):
    c = hill.competencies[0]
    with pytest.raises(ValidationError, match="C1 is listed more than once"):
        services.credit_save(
            actor=hill.admin,
            school=hill.school,
            area=hill.areas[0],
            code="X1",
            title="X",
            standard="x",
            level="foundational",
            rule="all",
            items=[(c, 1, False), (c, 1, False)],
        )
    with pytest.raises(ValidationError, match="another school"):
        services.credit_save(
            actor=hill.admin,
            school=hill.school,
            area=hill.areas[0],
            code="X1",
            title="X",
            standard="x",
            level="foundational",
            rule="all",
            items=[(dale.competencies[0], 1, False)],
        )


def test_credit_save_recomputes_progress(hill):
    student = hill.students[0]
    record(hill, student, hill.competencies[0], 3)
    credit = apply_change(
        services.credit_save,
        actor=hill.admin,
        school=hill.school,
        area=hill.areas[1],
        code="F9",
        title="Single",
        standard="One target.",
        level="foundational",
        rule="all",
        items=[(hill.competencies[0], 1, True)],
    )
    assert CreditProgress.objects.get(student=student, credit=credit).status == "awarded"
    assert bulk.check() == []


def test_teacher_cannot_define_credits(hill):
    with pytest.raises(PermissionDenied):
        services.credit_save(
            actor=hill.teacher,
            school=hill.school,
            area=hill.areas[0],
            code="X1",
            title="X",
            standard="x",
            level="foundational",
            rule="all",
            items=[(hill.competencies[0], 1, False)],
        )


def test_review_cycle_not_yet_then_award(hill):
    student = hill.students[0]
    credit = hill.credits["advanced"]
    for c in hill.competencies[4:6]:
        record(hill, student, c, 4)
    assert CreditProgress.objects.get(student=student, credit=credit).status == "ready_for_review"
    review = services.credit_review_request(
        actor=student.user, student=student, credit=credit, statement="My case"
    )
    assert CreditProgress.objects.get(student=student, credit=credit).status == "under_review"
    reviewer = make_user("panelist", school=hill.school, role="reviewer")
    services.credit_review_schedule(
        actor=hill.registrar,
        review=review,
        panel_users=[reviewer, hill.teacher],
        guests=[("Dr. Outside", "out@example.org", "Ecology")],
    )
    guest = PanelSeat.objects.get(review=review, user__isnull=True)
    # three seats: a majority is two, and one of them must be staff (the teacher)
    services.credit_review_decide(
        actor=reviewer, review=review, decision="not_yet", feedback="Add field data."
    )
    services.credit_review_decide(
        review=review, seat=guest, decision="not_yet", feedback="More data."
    )
    review.refresh_from_db()
    assert review.is_open, "a reviewer and a guest, without staff, do not decide"
    services.credit_review_decide(
        actor=hill.teacher, review=review, decision="not_yet", feedback="Field data, please."
    )
    review.refresh_from_db()
    assert not review.is_open
    assert CreditProgress.objects.get(student=student, credit=credit).status == "returned"
    with pytest.raises(ValidationError, match="already been decided"):
        services.credit_review_decide(
            actor=hill.teacher, review=review, decision="award", feedback="ok"
        )
    again = services.credit_review_request(actor=student.user, student=student, credit=credit)
    services.credit_review_schedule(
        actor=hill.registrar, review=again, panel_users=[hill.teacher, hill.registrar]
    )
    services.credit_review_decide(
        actor=hill.registrar, review=again, decision="award", feedback="Convincing."
    )
    assert CreditProgress.objects.get(student=student, credit=credit).status == "under_review"
    services.credit_review_decide(
        actor=hill.teacher, review=again, decision="award", feedback="Agreed."
    )
    assert CreditProgress.objects.get(student=student, credit=credit).status == "awarded"
    award = CreditAward.objects.get(student=student, credit=credit)
    assert award.awarded_by == hill.registrar
    assert GraduationStatus.objects.get(student=student).advanced_awarded == 1
    assert bulk.check() == []


def test_only_registrar_revokes_and_revoked_is_not_reawarded(hill):
    student = hill.students[0]
    for c in hill.competencies[:2]:
        record(hill, student, c, 4)
    award = CreditAward.objects.get(student=student, credit=hill.credits["all"])
    with pytest.raises(PermissionDenied):
        services.credit_award_revoke(actor=hill.teacher, award=award, reason="x")
    with pytest.raises(ValidationError, match="why"):
        services.credit_award_revoke(actor=hill.registrar, award=award, reason=" ")
    services.credit_award_revoke(
        actor=hill.registrar, award=award, reason="Work was not the student's own."
    )
    assert CreditProgress.objects.get(student=student, credit=hill.credits["all"]).status == "met"
    assert not CreditAward.objects.filter(student=student, revoked_at__isnull=True).exists()
    assert bulk.check() == []


def test_graduation_rule_that_cannot_be_met_is_refused(hill):
    with pytest.raises(ValidationError, match="only"):
        services.graduation_rule_save(
            actor=hill.admin, school=hill.school, kind="min_credits", level="foundational", n=40
        )


def test_check_reports_a_tampered_row(hill):
    record(hill, hill.students[0], hill.competencies[0], 3)
    MasteryState.objects.filter(student=hill.students[0]).update(score=Decimal("1.00"))
    diffs = bulk.check()
    assert len(diffs) == 1 and diffs[0].table == "mastery_state"
