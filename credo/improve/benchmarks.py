"""The ``improve`` section of ``credo bench``: the equity and time-to-proficiency aggregates over
every school of the synthetic district (whose students are first given demographic records)."""

from __future__ import annotations

import random
import time

from credo.analytics.bench import Bench, Metric, section


@section(
    "improve",
    "Continuous improvement aggregates (every school of the district)",
    [
        Metric("improve_students", "students"),
        Metric("improve_equity_s", "equity view, every school, whole-school scope", "s", ("<=", 2)),
        Metric(
            "improve_ttp_s", "time to proficiency, every school (with teachers)", "s", ("<=", 2)
        ),
        Metric("improve_equity_max_s", "equity view, slowest school", "s"),
        Metric(
            "improve_asof_s",
            "the largest school as of a past day (states, credits, graduation; median)",
            "s",
            ("<=", 2),
        ),
        Metric("improve_asof_states", "mastery states replayed for it"),
    ],
)
def improve_section(bench: Bench) -> dict:
    from credo.accounts.access import system_actor
    from credo.accounts.models import Student
    from credo.improve import selectors
    from credo.improve.access import access_scope
    from credo.interop.models import Demographics
    from credo.schools.models import School

    bench.materialize()
    rng = random.Random(bench.seed)
    have = set(Demographics.objects.values_list("student_id", flat=True))
    rows = [
        Demographics(
            school_id=school_id,
            student_id=student_id,
            sex="female" if rng.random() < 0.5 else "male",
            hispanic_or_latino=rng.random() < 0.3,
            economically_disadvantaged=rng.random() < 0.4,
            english_learner=rng.random() < 0.1,
            disability=rng.random() < 0.12,
        )
        for student_id, school_id in Student.objects.filter(
            school_id__in=bench.school_ids
        ).values_list("id", "school_id")
        if student_id not in have
    ]
    Demographics.objects.bulk_create(rows, batch_size=5000)
    actor = system_actor()
    schools = list(School.objects.filter(pk__in=bench.school_ids))
    bench.say(f"improve: equity and time to proficiency over {len(schools)} schools")
    students = 0
    equity_s = ttp_s = slowest = cold_s = 0.0
    selectors._MILESTONES.clear()
    for school in schools:
        t = time.perf_counter()
        selectors.school_milestones(school.pk)
        cold_s += time.perf_counter() - t
    for school in schools:
        scope = access_scope(user=actor, school=school, params={})
        t = time.perf_counter()
        data = selectors.equity(scope)
        took = time.perf_counter() - t
        equity_s += took
        slowest = max(slowest, took)
        students += data.total or 0
        t = time.perf_counter()
        selectors.time_to_proficiency(scope, with_teachers=True)
        ttp_s += time.perf_counter() - t
    asof_s, asof_states = _as_of_figure(bench, schools)
    return {
        "improve_students": students,
        "improve_asof_s": asof_s,
        "improve_asof_states": asof_states,
        "improve_cold_s": cold_s,
        "improve_equity_s": equity_s,
        "improve_ttp_s": ttp_s,
        "improve_equity_max_s": slowest,
    }


def _as_of_figure(bench: Bench, schools) -> tuple[float, int]:
    """Time `mastery.asof.snapshot` of the largest school, every student, halfway through its
    records: the replay behind the school overview's `?as_of=`. The median of `--repeat` runs
    counts (the first reads the school's assessments from disk)."""
    import datetime as dt
    import statistics

    from credo.accounts.models import Student
    from credo.mastery import asof

    if not schools:
        return 0.0, 0
    school = max(schools, key=lambda s: Student.objects.filter(school=s).count())
    first = asof.first_record_day(school) or school.today()
    day = first + dt.timedelta(days=(school.today() - first).days // 2)
    bench.say(f"improve: school {school.pk} as of {day} × {bench.repeat}")
    took = []
    for _ in range(max(1, bench.repeat)):
        t = time.perf_counter()
        snap = asof.snapshot(school, Student.objects.filter(school=school), day, history=False)
        took.append(time.perf_counter() - t)
    return statistics.median(took), snap.state_count()
