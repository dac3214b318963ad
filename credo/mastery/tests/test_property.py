"""For random assessment histories, the incremental path and the bulk path agree to the last digit."""

import datetime as dt
import os
from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credo.mastery import bulk, engine, selectors, services
from credo.mastery.models import Assessment, MasteryState
from credo.testing import materialized

METHODS = st.one_of(
    st.tuples(st.sampled_from(["latest", "highest", "average", "mode", "power_law"]), st.none()),
    st.tuples(st.just("decaying_average"), st.integers(50, 99)),
    st.tuples(st.just("weighted_average"), st.integers(1, 99)),
    st.tuples(st.just("n_mastery"), st.integers(1, 4)),
)
VALUES = st.sampled_from(["1", "1.5", "2", "2.5", "3", "3.25", "3.5", "4"])
STEP = st.tuples(
    st.sampled_from(["record", "record", "record", "correct", "retract", "judge", "withdraw"]),
    st.integers(0, 2),  # student
    st.integers(0, 5),  # competency
    VALUES,
    st.integers(0, 400),  # day offset: demonstration dates out of order on purpose
    st.sampled_from(["summative", "summative", "formative"]),
)


@settings(
    max_examples=int(os.environ.get("CREDO_PROPERTY_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(method=METHODS, formative=st.booleans(), steps=st.lists(STEP, min_size=1, max_size=25))
def test_incremental_equals_bulk(hill, method, formative, steps):
    savepoint = transaction.savepoint()
    try:
        hill.framework.calculation_method, hill.framework.calculation_param = method
        hill.framework.counts_formative = formative
        hill.framework.save()
        start = dt.date(2024, 9, 1)
        judged = any(step[0] == "judge" for step in steps)
        for action, s, c, value, offset, kind in steps:
            student, competency = hill.students[s], hill.competencies[c]
            live = Assessment.objects.filter(
                student=student, competency=competency, retraction=False, replaced_by__isnull=True
            ).last()
            if action == "judge" and MasteryState.objects.filter(
                student=student, competency=competency
            ):
                # a teacher's professional judgment: a level of the scale, against the calculated one
                services.judgment_set(
                    actor=hill.teacher,
                    student=student,
                    competency=competency,
                    value=Decimal(value).to_integral_value(rounding=ROUND_DOWN),
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
                services.assessment_retract(
                    actor=hill.teacher, assessment=live, reason="entered in error"
                )
            else:
                services.assessment_record(
                    assessor=hill.teacher,
                    student=student,
                    competency=competency,
                    value=Decimal(value),
                    kind=kind,
                    demonstrated_on=start + dt.timedelta(days=offset),
                )
        incremental = materialized()
        assert bulk.check() == []
        bulk.recompute([hill.school.pk])
        assert materialized() == incremental
        if judged:
            # The school switches judgment off: both paths fall back to the calculated levels.
            hill.school.judgment_enabled = False
            hill.school.save(update_fields=["judgment_enabled"])
            bulk.recompute([hill.school.pk])
            assert bulk.check() == []
            for s in hill.students:  # the incremental path agrees, one state at a time
                for c in hill.competencies:
                    engine.refresh_state(s, c)
            assert bulk.check() == []
    finally:
        transaction.savepoint_rollback(savepoint)
        hill.school.refresh_from_db()
