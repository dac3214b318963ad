"""The record as of a past day: known answers, and for random histories the same answer as a
recompute from scratch on the history cut at that day."""

import contextlib
import datetime as dt
import os
from decimal import Decimal
from unittest import mock

from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credo.mastery import asof, bulk, selectors, services
from credo.mastery.models import (
    Assessment,
    CreditAward,
    CreditStatus,
    Judgment,
    MasteryCredit,
    MasteryState,
    MasteryStatus,
)
from credo.testing import materialized

START = dt.date(2025, 9, 1)


@contextlib.contextmanager
def on(day: dt.date, hour: int = 12):
    """Run the block as if it were `hour` o'clock on `day`: every row it writes is dated then."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def record(hill, student, competency, value, day, *, demonstrated=None, kind="summative"):
    with on(day):
        return services.assessment_record(
            assessor=hill.teacher,
            student=student,
            competency=competency,
            value=Decimal(value),
            kind=kind,
            demonstrated_on=demonstrated or day,
        )


def early_credits(hill):
    """The small school's credits apply from before the histories start (else no award could be
    dated before the day the test made them)."""
    MasteryCredit.objects.filter(school=hill.school).update(
        available_on=START - dt.timedelta(days=365)
    )


def test_an_assessment_recorded_after_the_day_is_not_counted(hill):
    student, c0 = hill.students[0], hill.competencies[0]
    record(hill, student, c0, "2", START)
    record(hill, student, c0, "4", START + dt.timedelta(days=10))
    before = asof.snapshot(hill.school, [student], START + dt.timedelta(days=9))
    state = before.states[(student.pk, c0.pk)]
    assert (state.score, state.status, state.assessment_count) == (
        Decimal("2"),
        MasteryStatus.NOT_YET,
        1,
    )
    assert asof.snapshot(hill.school, [student], START - dt.timedelta(days=1)).states == {}
    after = asof.snapshot(hill.school, [student], START + dt.timedelta(days=10))
    assert after.states[(student.pk, c0.pk)].score == Decimal("4")


def test_a_correction_recorded_after_the_day_shows_the_original_value(hill):
    student, c0 = hill.students[0], hill.competencies[0]
    original = record(hill, student, c0, "3", START)
    with on(START + dt.timedelta(days=5)):
        services.assessment_correct(actor=hill.teacher, assessment=original, value=Decimal("1"))
    then = asof.snapshot(hill.school, [student], START + dt.timedelta(days=4))
    assert then.states[(student.pk, c0.pk)].score == Decimal("3")
    assert then.states[(student.pk, c0.pk)].status == MasteryStatus.PROFICIENT
    now = asof.snapshot(hill.school, [student], START + dt.timedelta(days=5))
    assert now.states[(student.pk, c0.pk)].score == Decimal("1")
    assert MasteryState.objects.get(student=student, competency=c0).score == Decimal("1")


def test_a_retraction_recorded_after_the_day_still_counts_on_it(hill):
    student, c0 = hill.students[0], hill.competencies[0]
    kept = record(hill, student, c0, "2", START)
    with on(START + dt.timedelta(days=3)):
        services.assessment_retract(actor=hill.teacher, assessment=kept, reason="wrong student")
    then = asof.snapshot(hill.school, [student], START + dt.timedelta(days=2))
    assert then.states[(student.pk, c0.pk)].score == Decimal("2")
    # once retracted, nothing is left: no state, as the live table has none
    assert asof.snapshot(hill.school, [student], START + dt.timedelta(days=3)).states == {}
    assert not MasteryState.objects.filter(student=student, competency=c0).exists()


def test_a_judgment_counts_from_the_day_it_was_made(hill):
    student, c0 = hill.students[0], hill.competencies[0]
    record(hill, student, c0, "2", START)
    with on(START + dt.timedelta(days=2)):
        services.judgment_set(
            actor=hill.teacher, student=student, competency=c0, value=Decimal("3"), reason="seen"
        )
    assert asof.snapshot(hill.school, [student], START + dt.timedelta(days=1)).states[
        (student.pk, c0.pk)
    ].score == Decimal("2")
    assert asof.snapshot(hill.school, [student], START + dt.timedelta(days=2)).states[
        (student.pk, c0.pk)
    ].score == Decimal("3")


def test_a_credit_awarded_after_the_day_is_not_shown(hill):
    """Inquiry I needs C0 and C1 proficient; it is awarded automatically when the second is."""
    early_credits(hill)
    student = hill.students[0]
    credit = hill.credits["all"]
    record(hill, student, hill.competencies[0], "3", START)
    record(hill, student, hill.competencies[1], "3", START + dt.timedelta(days=2))
    award = CreditAward.objects.get(student=student, credit=credit)
    assert award.awarded_on == START + dt.timedelta(days=2)
    before = asof.snapshot(hill.school, [student], START + dt.timedelta(days=1))
    assert (student.pk, credit.pk) not in before.awards
    assert before.credits[(student.pk, credit.pk)].status == CreditStatus.IN_PROGRESS
    assert before.credits[(student.pk, credit.pk)].proficient_count == 1
    assert before.graduation[student.pk].foundational_awarded == 0
    on_the_day = asof.snapshot(hill.school, [student], START + dt.timedelta(days=2))
    assert on_the_day.awards[(student.pk, credit.pk)] == START + dt.timedelta(days=2)
    assert on_the_day.credits[(student.pk, credit.pk)].status == CreditStatus.AWARDED
    assert on_the_day.graduation[student.pk].foundational_awarded == 1
    # the dashboard's reads take the snapshot in place of the tables
    lines = [
        line
        for area in selectors.credit_progress_by_area(student, as_of=before)
        for line in area.foundational
        if line.credit.pk == credit.pk
    ]
    assert [(ln.status, ln.awarded_on) for ln in lines] == [(CreditStatus.IN_PROGRESS, None)]
    assert selectors.graduation_of(student, as_of=on_the_day).foundational_awarded == 1


def test_a_revocation_after_the_day_leaves_the_credit_awarded_on_it(hill):
    early_credits(hill)
    student, credit = hill.students[0], hill.credits["all"]
    for c in hill.competencies[:2]:
        record(hill, student, c, "4", START)
    award = CreditAward.objects.get(student=student, credit=credit)
    with on(START + dt.timedelta(days=7)):
        services.credit_award_revoke(
            actor=hill.registrar, award=award, reason="entered for the wrong pupil"
        )
    assert (student.pk, credit.pk) in asof.snapshot(
        hill.school, [student], START + dt.timedelta(days=6)
    ).awards
    assert (student.pk, credit.pk) not in asof.snapshot(
        hill.school, [student], START + dt.timedelta(days=7)
    ).awards


def test_feedback_as_of_shows_what_stood_then(hill):
    student, c0 = hill.students[0], hill.competencies[0]
    with on(START):
        first = services.assessment_record(
            assessor=hill.teacher,
            student=student,
            competency=c0,
            value=Decimal("2"),
            demonstrated_on=START,
            feedback="Cite your sources",
        )
    with on(START + dt.timedelta(days=4)):
        services.assessment_correct(
            actor=hill.teacher, assessment=first, value=Decimal("3"), feedback="Better now"
        )
    then = asof.end_of(START + dt.timedelta(days=1))
    assert [a.feedback for a in selectors.recent_feedback(student, before=then)] == [
        "Cite your sources"
    ]
    assert [a.feedback for a in selectors.recent_feedback(student)] == ["Better now"]


def test_a_whole_school_is_read_in_a_fixed_number_of_queries(hill, django_assert_max_num_queries):
    early_credits(hill)
    for s in hill.students:
        for c in hill.competencies:
            record(hill, s, c, "3", START)
    students = list(hill.students)
    with django_assert_max_num_queries(13):
        snap = asof.snapshot(hill.school, students, START)
    assert len(snap.states) == len(students) * len(hill.competencies)
    assert len(snap.graduation) == len(students)


# --- the property: as of D equals a recompute on the history cut at D -------------------------

VALUES = st.sampled_from(["1", "1.5", "2", "2.5", "3", "3.25", "3.5", "4"])
METHODS = st.sampled_from(
    [("latest", None), ("highest", None), ("average", None), ("decaying_average", 65)]
)
STEP = st.tuples(
    st.sampled_from(["record", "record", "record", "correct", "retract", "judge", "withdraw"]),
    st.integers(0, 1),  # student
    st.integers(0, 5),  # competency
    VALUES,
    st.integers(0, 3),  # days since the previous step: recorded in order
    st.integers(0, 20),  # demonstrated this many days before it was recorded
    st.sampled_from(["summative", "summative", "formative"]),
)


def as_tables(snap):
    return (
        sorted((s, c, *row.as_tuple()) for (s, c), row in snap.states.items()),
        sorted((s, c, *row.as_tuple()) for (s, c), row in snap.credits.items()),
        sorted((s, *row.as_tuple()[:5]) for s, row in snap.graduation.items()),
    )


def play(hill, steps) -> dt.date:
    """Write the history through the services, each step on its own day; return the last day."""
    day = START
    for action, s, c, value, gap, back, kind in steps:
        day += dt.timedelta(days=gap)
        student, competency = hill.students[s], hill.competencies[c]
        live = Assessment.objects.filter(
            student=student, competency=competency, retraction=False, replaced_by__isnull=True
        ).last()
        with on(day):
            if action == "judge" and live is not None:
                services.judgment_set(
                    actor=hill.teacher,
                    student=student,
                    competency=competency,
                    value=Decimal(int(Decimal(value))),
                    reason="What I see in class",
                )
            elif action == "withdraw" and selectors.judgment_in_force(student, competency):
                services.judgment_withdraw(
                    actor=hill.teacher, student=student, competency=competency, reason="Revisited"
                )
            elif action == "correct" and live is not None:
                services.assessment_correct(
                    actor=hill.teacher, assessment=live, value=Decimal(value)
                )
            elif action == "retract" and live is not None:
                services.assessment_retract(actor=hill.teacher, assessment=live, reason="in error")
            else:
                services.assessment_record(
                    assessor=hill.teacher,
                    student=student,
                    competency=competency,
                    value=Decimal(value),
                    kind=kind,
                    demonstrated_on=max(day - dt.timedelta(days=back), START),
                )
    return day


def cut_and_recompute(school, day: dt.date):
    """Remove every row made after `day` (newest first: a correction before what it replaces)
    and recompute the school from scratch with the bulk engine."""
    end = asof.end_of(day)
    for model, stamp in ((Assessment, "assessed_at"), (Judgment, "judged_at")):
        for row in model.objects.filter(school=school, **{f"{stamp}__gte": end}).order_by("-id"):
            row.delete()
    CreditAward.objects.filter(school=school, created_at__gte=end).delete()
    bulk.recompute([school.pk])


@settings(
    max_examples=int(os.environ.get("CREDO_PROPERTY_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    method=METHODS,
    steps=st.lists(STEP, min_size=1, max_size=18),
    cut=st.integers(-2, 60),
)
def test_as_of_equals_a_recompute_on_the_history_cut_at_that_day(hill, method, steps, cut):
    savepoint = transaction.savepoint()
    try:
        hill.framework.calculation_method, hill.framework.calculation_param = method
        hill.framework.save()
        early_credits(hill)
        last = play(hill, steps)
        students = hill.students[:2]
        day = START + dt.timedelta(days=cut)
        # on or after the last event, the past is the present
        final = asof.snapshot(hill.school, students, max(day, last), history=False)
        live = materialized(hill.school)
        assert as_tables(final)[0] == live[0]
        assert as_tables(final)[1] == [r for r in live[1] if r[0] in {s.pk for s in students}]
        snap = asof.snapshot(hill.school, students, day)
        # a whole school's path (the bulk kernels on columns) gives the same answer
        assert as_tables(asof.snapshot(hill.school, students, day, history=False)) == as_tables(
            snap
        )
        cut_and_recompute(hill.school, day)
        fresh = materialized(hill.school)
        assert as_tables(snap)[0] == fresh[0]
        assert as_tables(snap)[1] == [r for r in fresh[1] if r[0] in {s.pk for s in students}]
        assert as_tables(snap)[2] == [r for r in fresh[2] if r[0] in {s.pk for s in students}]
    finally:
        transaction.savepoint_rollback(savepoint)
        hill.school.refresh_from_db()
        hill.framework.refresh_from_db()
