"""The bulk load reads history in the engine's order, and the bulk write stores what the engine computed."""

import datetime as dt
from decimal import Decimal

import numpy as np
from django.utils import timezone

from credo.mastery import bulk, services
from credo.mastery.models import Assessment, MasteryState


def test_load_orders_by_day_then_assessment_time_then_id(hill):
    student, competency = hill.students[0], hill.competencies[0]
    day = dt.date(2024, 10, 1)
    made = [
        services.assessment_record(
            assessor=hill.teacher,
            student=student,
            competency=competency,
            value=Decimal(v),
            kind="summative",
            demonstrated_on=d,
        )
        for v, d in (("1", day), ("2", day), ("3", day), ("4", day - dt.timedelta(days=1)))
    ]
    noon = timezone.make_aware(dt.datetime(2024, 10, 1, 12, 0, 0, 500000), dt.UTC)
    times = [noon, noon.replace(microsecond=0), noon, noon + dt.timedelta(days=5)]
    for assessment, at in zip(made, times, strict=True):
        Assessment.objects.filter(pk=assessment.pk).update(assessed_at=at)

    cols = bulk.load_columns([hill.school.pk])
    mine = (cols.student == student.pk) & (cols.competency == competency.pk)
    # the earlier day first although graded last; then 12:00:00 before 12:00:00.5; equal times by id
    assert cols.value[mine].tolist() == [4.0, 2.0, 1.0, 3.0]
    assert np.all(np.diff(cols.student) >= 0)


def test_recompute_stores_scores_and_dates_as_the_engine_does(hill):
    student, competency = hill.students[1], hill.competencies[1]
    for value, day in (("2.5", dt.date(2024, 9, 3)), ("3.25", dt.date(2024, 11, 30))):
        services.assessment_record(
            assessor=hill.teacher,
            student=student,
            competency=competency,
            value=Decimal(value),
            kind="summative",
            demonstrated_on=day,
        )
    incremental = MasteryState.objects.get(student=student, competency=competency)
    bulk.recompute([hill.school.pk])
    fresh = MasteryState.objects.get(student=student, competency=competency)
    assert (fresh.score, fresh.status, fresh.first_demonstrated_on, fresh.last_demonstrated_on) == (
        incremental.score,
        incremental.status,
        dt.date(2024, 9, 3),
        dt.date(2024, 11, 30),
    )
    assert fresh.assessment_count == 2 and bulk.check() == []
