"""Consequential setup changes: previewed by class, applied only as previewed, refused otherwise
with nothing written; revoking and retiring; awards never dated before their credit existed."""

import datetime as dt
import os
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credo.core.errors import ValidationError
from credo.core.models import AuditEvent
from credo.frameworks import services as frameworks
from credo.mastery import bulk, changes, services
from credo.mastery.changes import NeedsConfirmation, preview_of
from credo.mastery.models import (
    Assessment,
    CreditAward,
    CreditProgress,
    CreditRequirementItem,
    GraduationRule,
    GraduationStatus,
    MasteryCredit,
    MasteryState,
)
from credo.testing import apply_change, make_student

DAY = dt.date(2025, 10, 1)
TODAY = dt.date(2025, 11, 15)  # the school's today: the class of 2026 is in its final year


def everything():
    """Every row a setup change could write, so a refusal can be shown to have written nothing."""
    return (
        sorted(
            MasteryCredit.objects.values_list("id", "code", "rule", "from_cohort", "until_cohort")
        ),
        sorted(CreditRequirementItem.objects.values_list("credit_id", "competency_id", "points")),
        sorted(
            GraduationRule.objects.values_list("id", "kind", "n", "from_cohort", "until_cohort")
        ),
        sorted(CreditProgress.objects.values_list("student_id", "credit_id", "status")),
        sorted(
            CreditAward.objects.values_list("student_id", "credit_id", "awarded_on", "revoked_at")
        ),
        sorted(GraduationStatus.objects.values_list("student_id", "rules_met", "rules_total")),
        sorted(MasteryState.objects.values_list("student_id", "competency_id", "score", "status")),
        AuditEvent.objects.count(),
    )


def record(h, student, competency, value, day=DAY):
    return services.assessment_record(
        assessor=h.admin, student=student, competency=competency, value=value, demonstrated_on=day
    )


@pytest.fixture
def school(hill):
    """Hill with a student per class: 2026 (final year), 2027, 2028, each proficient on C1, C2."""
    hill.school.as_of = TODAY
    hill.school.save(update_fields=["as_of"])
    hill.by_year = {}
    for year in (2026, 2027, 2028):
        student = make_student(hill.school, graduation_year=year)
        hill.by_year[year] = student
        for c in hill.competencies[:3]:
            record(hill, student, c, 3, dt.date(2023, 5, 2))
    return hill


def new_credit(h, **extra):
    return dict(
        actor=h.admin,
        school=h.school,
        area=h.areas[1],
        code="F9",
        title="Single",
        standard="One target.",
        level="foundational",
        rule="all",
        items=[(h.competencies[2], 1, True)],
        **extra,
    )


# --- the preview ---------------------------------------------------------------------------------


def test_preview_shows_the_effect_by_class_and_writes_nothing(school):
    before = everything()
    effect = preview_of(services.credit_save, **new_credit(school))
    assert everything() == before
    years = {c.cohort: c for c in effect.cohorts}
    assert set(years) >= {2026, 2027, 2028}
    for year in (2026, 2027, 2028):
        awarded = years[year].newly_awarded
        assert [(c.name, c.credit) for c in awarded] == [(school.by_year[year].full_name, "F9")]
    assert years[2026].protected and years[2026].final_year
    assert not years[2028].protected
    assert "F9" in changes.describe(effect)


def test_applying_writes_exactly_what_the_preview_showed(school):
    kwargs = new_credit(school)
    effect = preview_of(services.credit_save, **kwargs)
    before = changes.outcomes(school.school.pk)
    credit = services.credit_save(**kwargs, confirm=effect.fingerprint, reach_protected=True)
    applied = changes.diff(
        school.school,
        before,
        changes.outcomes(school.school.pk),
        description=effect.description,
        change={},
    )
    assert sorted(c.key() for c in applied.changes) == sorted(c.key() for c in effect.changes)
    assert CreditAward.objects.filter(credit=credit).count() == len(
        [c for c in effect.changes if c.kind == "awarded"]
    )
    assert bulk.check() == []
    event = AuditEvent.objects.filter(action="setup.change_applied").latest("id")
    assert event.after["fingerprint"] == effect.fingerprint
    assert event.after["cohorts"]["2028"]["newly_awarded"] == 1


def test_a_change_touching_nobody_applies_without_a_preview(school):
    credit = school.credits["all"]
    services.credit_save(
        actor=school.admin,
        school=school.school,
        credit=credit,
        area=credit.area,
        code=credit.code,
        title="Inquiry, renamed",
        standard=credit.standard,
        level=credit.level,
        rule=credit.rule,
        items=[(c, 1, False) for c in school.competencies[:2]],
    )
    assert MasteryCredit.objects.get(pk=credit.pk).title == "Inquiry, renamed"


# --- escalations: refused, nothing written ------------------------------------------------------


def test_without_confirmation_nothing_is_written(school):
    before = everything()
    with pytest.raises(NeedsConfirmation, match="look at its effect") as caught:
        services.credit_save(**new_credit(school))
    assert caught.value.effect.changes
    assert everything() == before


def test_a_stale_preview_is_refused_and_shown_again(school):
    kwargs = new_credit(school, from_cohort=2027)
    effect = preview_of(services.credit_save, **kwargs)
    late = make_student(school.school, graduation_year=2028)
    record(school, late, school.competencies[2], 4)  # new evidence after the preview
    before = everything()
    with pytest.raises(NeedsConfirmation, match="changed since the preview") as caught:
        services.credit_save(**kwargs, confirm=effect.fingerprint)
    assert everything() == before
    assert late.full_name in {c.name for c in caught.value.effect.changes}
    assert caught.value.effect.fingerprint != effect.fingerprint


def test_a_forged_or_other_changes_fingerprint_is_refused(school):
    effect = preview_of(services.credit_save, **new_credit(school, from_cohort=2027))
    before = everything()
    with pytest.raises(NeedsConfirmation):
        services.credit_save(**new_credit(school, from_cohort=2027), confirm="0" * 32)
    # The same fingerprint does not confirm a different change.
    with pytest.raises(NeedsConfirmation):
        services.credit_save(
            **new_credit(school, from_cohort=2027, min_evidence=0, order=3),
            confirm=effect.fingerprint,
        )
    assert everything() == before


def test_reaching_a_final_year_class_needs_an_explicit_choice(school):
    kwargs = new_credit(school)
    effect = preview_of(services.credit_save, **kwargs)
    before = everything()
    with pytest.raises(NeedsConfirmation, match="class of 2026") as caught:
        services.credit_save(**kwargs, confirm=effect.fingerprint)
    assert "reach_protected" in caught.value.message_dict
    assert everything() == before
    # Limited to later classes, the seniors are untouched and no choice is needed.
    later = new_credit(school, from_cohort=2027)
    effect = preview_of(services.credit_save, **later)
    assert 2026 not in {c.cohort for c in effect.cohorts}
    credit = services.credit_save(**later, confirm=effect.fingerprint)
    assert not CreditAward.objects.filter(credit=credit, student=school.by_year[2026]).exists()
    assert CreditAward.objects.filter(credit=credit, student=school.by_year[2027]).exists()
    assert bulk.check() == []


def test_reaching_a_class_with_published_transcripts_needs_an_explicit_choice(school):
    from credo.transcripts.services import transcript_publish

    transcript_publish(actor=school.registrar, student=school.by_year[2028])
    kwargs = new_credit(school, from_cohort=2028)
    effect = preview_of(services.credit_save, **kwargs)
    assert [c.cohort for c in effect.protected] == [2028]
    assert "1 published transcript" in effect.protected[0].why_protected
    before = everything()
    with pytest.raises(NeedsConfirmation, match="published"):
        services.credit_save(**kwargs, confirm=effect.fingerprint)
    assert everything() == before
    services.credit_save(**kwargs, confirm=effect.fingerprint, reach_protected=True)
    assert bulk.check() == []


@pytest.mark.parametrize("who", ["teacher", "advisor", "dale_admin"])
def test_others_may_not_change_setup_or_preview_it(school, dale, who):
    actor = dale.admin if who == "dale_admin" else getattr(school, who)
    before = everything()
    with pytest.raises(PermissionDenied):
        preview_of(services.credit_save, **{**new_credit(school), "actor": actor})
    with pytest.raises(PermissionDenied):
        services.graduation_rule_save(
            actor=actor, school=school.school, kind="min_credits", level="foundational", n=1
        )
    assert everything() == before


def test_a_backwards_range_of_classes_is_refused(school):
    before = everything()
    with pytest.raises(ValidationError, match="comes before"):
        services.credit_save(**new_credit(school, from_cohort=2029, until_cohort=2027))
    assert everything() == before


# --- what the issue found ----------------------------------------------------------------------


def test_an_automatic_award_is_never_dated_before_the_credit_existed(school):
    credit = apply_change(services.credit_save, **new_credit(school, from_cohort=2027))
    award = CreditAward.objects.get(credit=credit, student=school.by_year[2027])
    assert award.awarded_on == TODAY  # not 2023, when the evidence was demonstrated
    assert credit.available_on == TODAY
    # Evidence demonstrated after the credit existed dates the award by that evidence.
    later = make_student(school.school, graduation_year=2029)
    record(school, later, school.competencies[2], 4, day=TODAY + dt.timedelta(days=3))
    assert CreditAward.objects.get(credit=credit, student=later).awarded_on == TODAY + dt.timedelta(
        days=3
    )


def test_a_credit_for_later_classes_leaves_every_foundational_credit_alone_for_seniors(school):
    rule = apply_change(
        services.graduation_rule_save,
        actor=school.admin,
        school=school.school,
        kind="all_credits",
        level="foundational",
    )
    senior = school.by_year[2026]

    def need(student):
        status = GraduationStatus.objects.get(student=student)
        return next(d for d in status.detail if d["rule"] == rule.pk)["need"]

    need_before = need(senior)
    effect = preview_of(services.credit_save, **new_credit(school, from_cohort=2027))
    assert senior.pk not in {c.student_id for c in effect.changes}
    moved = [c for c in effect.changes if c.kind == "graduation"]
    assert moved and all(c.cohort >= 2027 for c in moved)
    apply_change(services.credit_save, **new_credit(school, from_cohort=2027))
    assert need(senior) == need_before
    assert need(school.by_year[2027]) == need_before + 1


def test_a_graduation_rule_applies_to_its_range_of_classes(school):
    apply_change(
        services.graduation_rule_save,
        actor=school.admin,
        school=school.school,
        kind="min_credits",
        level="advanced",
        n=1,
        from_cohort=2028,
    )
    totals = dict(GraduationStatus.objects.values_list("student__graduation_year", "rules_total"))
    assert totals[2028] == totals[2027] + 1 == totals[2026] + 1
    assert bulk.check() == []


def test_changing_a_calculation_method_is_previewed(school):
    fw = school.framework
    student = make_student(school.school, graduation_year=2029)
    # C4: 3, then 1. By the latest it is not proficient; by the highest it is, and with C3 the
    # student meets F2 (two of C3–C5, C3 required).
    record(school, student, school.competencies[3], 3, dt.date(2023, 6, 1))
    record(school, student, school.competencies[3], 1, dt.date(2023, 6, 2))
    record(school, student, school.competencies[2], 3, dt.date(2023, 6, 3))
    kwargs = dict(
        actor=school.admin,
        school=school.school,
        framework=fw,
        name=fw.name,
        scale=school.scale,
        calculation_method="highest",
    )
    effect = preview_of(frameworks.framework_save, **kwargs)
    mine = sorted((c.kind, c.credit) for c in effect.changes if c.student_id == student.pk)
    assert mine == [("awarded", "F2"), ("graduation", "")]
    before = everything()
    with pytest.raises(NeedsConfirmation):
        frameworks.framework_save(**kwargs)
    assert everything() == before
    frameworks.framework_save(**kwargs, confirm=effect.fingerprint, reach_protected=True)
    assert MasteryState.objects.get(student=student, competency=school.competencies[3]).score == 3
    assert CreditAward.objects.filter(student=student, credit=school.credits["count"]).exists()
    assert bulk.check() == []


# --- revoking and retiring ----------------------------------------------------------------------


def test_revoking_an_award_keeps_it_marked_recomputes_graduation_and_checks_clean(school):
    student = school.students[0]
    for c in school.competencies[:2]:
        record(school, student, c, 4)
    award = CreditAward.objects.get(student=student, credit=school.credits["all"])
    services.credit_award_revoke(actor=school.registrar, award=award, reason="Plagiarised work")
    award.refresh_from_db()
    assert award.revoked_at and award.revoke_reason == "Plagiarised work"
    assert GraduationStatus.objects.get(student=student).foundational_awarded == 0
    record(school, student, school.competencies[0], 4)  # more evidence never re-awards it
    assert not CreditAward.objects.filter(
        student=student, credit=school.credits["all"], revoked_at__isnull=True
    ).exists()
    assert bulk.check() == []
    event = AuditEvent.objects.get(action="credit.revoked")
    assert event.before["revoked_at"] is None and event.after["revoked_at"]
    assert event.note == "Plagiarised work"


@pytest.mark.parametrize("who", ["admin", "teacher", "advisor"])
def test_only_a_registrar_revokes(school, who):
    student = school.students[0]
    for c in school.competencies[:2]:
        record(school, student, c, 4)
    award = CreditAward.objects.get(student=student, credit=school.credits["all"])
    before = everything()
    with pytest.raises(PermissionDenied):
        services.credit_award_revoke(actor=getattr(school, who), award=award, reason="x")
    with pytest.raises(ValidationError):
        services.credit_award_revoke(actor=school.registrar, award=award, reason="  ")
    assert everything() == before


def test_retiring_a_credit_stops_later_classes_earning_it(school):
    credit = apply_change(services.credit_save, **new_credit(school))
    kwargs = dict(actor=school.registrar, credit=credit, last_cohort=2027, reason="Replaced")
    effect = preview_of(services.credit_retire, **kwargs)
    assert {c.cohort for c in effect.changes} == {2028}
    services.credit_retire(**kwargs, confirm=effect.fingerprint)
    newcomer = make_student(school.school, graduation_year=2029)
    record(school, newcomer, school.competencies[2], 4)
    assert not CreditAward.objects.filter(credit=credit, student=newcomer).exists()
    assert not CreditProgress.objects.filter(credit=credit, student=newcomer).exists()
    # Awards already made stay.
    assert CreditAward.objects.filter(credit=credit, student=school.by_year[2028]).exists()
    assert bulk.check() == []
    event = AuditEvent.objects.get(action="credit.retired")
    assert event.before["until_cohort"] is None and event.after["until_cohort"] == 2027
    assert event.note == "Replaced"


def test_only_a_registrar_retires_with_a_reason(school):
    credit = school.credits["all"]
    before = everything()
    with pytest.raises(PermissionDenied):
        services.credit_retire(actor=school.admin, credit=credit, last_cohort=2027, reason="x")
    with pytest.raises(ValidationError, match="why"):
        services.credit_retire(actor=school.registrar, credit=credit, last_cohort=2027, reason="")
    with pytest.raises(PermissionDenied):
        services.framework_retire(
            actor=school.teacher, framework=school.framework, last_cohort=2027, reason="x"
        )
    assert everything() == before


def test_retiring_a_framework_retires_its_credits(school):
    kwargs = dict(
        actor=school.registrar, framework=school.framework, last_cohort=2027, reason="New one"
    )
    effect = preview_of(services.framework_retire, **kwargs)
    services.framework_retire(**kwargs, confirm=effect.fingerprint)
    assert set(MasteryCredit.objects.values_list("until_cohort", flat=True)) == {2027}
    school.framework.refresh_from_db()
    assert school.framework.until_cohort == 2027
    assert bulk.check() == []


# --- properties ----------------------------------------------------------------------------------

SPEC = st.tuples(
    st.sampled_from(["all", "count", "points"]),
    st.lists(st.integers(0, 5), min_size=1, max_size=4, unique=True),
    st.one_of(st.none(), st.sampled_from([2026, 2027, 2028])),
    st.booleans(),  # a new credit, or a change to F1
)
HISTORY = st.lists(
    st.tuples(st.integers(0, 2), st.integers(0, 5), st.sampled_from(["2", "3", "4"])),
    max_size=12,
)


@settings(
    max_examples=int(os.environ.get("CREDO_PROPERTY_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=SPEC, history=HISTORY)
def test_preview_equals_what_applying_writes(school, spec, history):
    """For random histories and requirements, applying writes exactly the previewed changes,
    and the incremental path still agrees with the bulk path afterwards."""
    savepoint = transaction.savepoint()
    try:
        students = [school.by_year[y] for y in (2026, 2027, 2028)]
        for s, c, value in history:
            record(school, students[s], school.competencies[c], Decimal(value))
        rule, picked, first, is_new = spec
        items = [(school.competencies[i], 1, False) for i in picked]
        n = {"all": None, "count": 1, "points": 1}[rule]
        old = school.credits["all"]
        kwargs = dict(
            actor=school.admin,
            school=school.school,
            area=school.areas[0],
            code="P1" if is_new else old.code,
            title="Property",
            standard="s",
            level="foundational",
            rule=rule,
            rule_n=n,
            items=items,
            from_cohort=first,
            credit=None if is_new else MasteryCredit.objects.get(pk=old.pk),
        )
        effect = preview_of(services.credit_save, **kwargs)
        before = changes.outcomes(school.school.pk)
        if not is_new:
            kwargs["credit"] = MasteryCredit.objects.get(pk=old.pk)
        services.credit_save(**kwargs, confirm=effect.fingerprint, reach_protected=True)
        applied = changes.diff(
            school.school, before, changes.outcomes(school.school.pk), description="", change={}
        )
        assert sorted(c.key() for c in applied.changes) == sorted(c.key() for c in effect.changes)
        # New evidence afterwards goes through the incremental path; bulk agrees.
        for s, c, value in history[:3]:
            record(school, students[s], school.competencies[c], Decimal(value))
        assert bulk.check() == []
        assert Assessment.objects.exists()
    finally:
        transaction.savepoint_rollback(savepoint)


def test_a_rule_whose_words_name_the_old_number_is_flagged(school):
    apply_change(
        services.graduation_rule_save,
        actor=school.admin,
        school=school.school,
        kind="all_credits",
        level="foundational",
        description="All 2 foundational credits",
    )
    effect = preview_of(services.credit_save, **new_credit(school, from_cohort=2027))
    assert effect.warnings == [
        "The graduation rule “All 2 foundational credits” would need 3: its wording names a "
        "number it no longer asks for. Change its wording too."
    ]
    assert "warning: The graduation rule" in changes.describe(effect)
