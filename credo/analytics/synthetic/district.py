"""Building the synthetic district: one transaction, school by school, then one audit event."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from credo.accounts.access import system_actor
from credo.analytics.events import BENCH_DISTRICT_GENERATED
from credo.analytics.synthetic.assessments import _assessments
from credo.analytics.synthetic.plan import District, _Calendar
from credo.analytics.synthetic.school import _build_school
from credo.core import bulkload


def build_district(
    *,
    students: int = 20_000,
    schools: int = 4,
    seed: int = 0,
    per_student: float = 200.0,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> District:
    """Generate a district of `students` students in `schools` schools and return what was made.

    `per_student` is the district's mean number of assessments per student; seniors have
    three school years of history, freshmen a few months. Writes in one transaction.
    """
    if students < 1 or schools < 1:
        raise ValueError("A district needs at least one school and one student.")
    from credo.accounts.models import Student
    from credo.core.audit import audit_record
    from credo.mastery.models import Assessment
    from credo.schools.models import Network

    say = progress or (lambda _msg: None)
    today = today or timezone.localdate()
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    sizes = [students // schools + (1 if k < students % schools else 0) for k in range(schools)]
    sizes = [s for s in sizes if s > 0]
    calendar = _Calendar(today)
    district = District(network_id=0, seed=seed, today=today, schools=[])
    with transaction.atomic():
        network = Network.objects.create(
            name="Synthetic District",
            slug=f"synthetic-{seed}",
            description="Generated for benchmarking; not real people.",
        )
        district.network_id = network.pk
        next_assessment_id = bulkload.next_ids("mastery_assessment", 1)[0]
        next_student_id = bulkload.next_ids("accounts_student", 1)[0]
        dropped = bulkload.drop_indexes("mastery_assessment")
        for k, size in enumerate(sizes):
            t = time.perf_counter()
            roster, comp_info = _build_school(k, network, size, next_student_id, calendar, rng)
            next_student_id += size
            district.timings["setup_s"] = (
                district.timings.get("setup_s", 0.0) + time.perf_counter() - t
            )
            t = time.perf_counter()
            made = _assessments(
                k, roster, comp_info, calendar, rng, next_assessment_id, per_student
            )
            district.timings["assessments_s"] = (
                district.timings.get("assessments_s", 0.0) + time.perf_counter() - t
            )
            next_assessment_id += made["rows"]
            district.schools.append(roster)
            district.students += size
            district.assessments += made["rows"]
            district.corrections += made["corrections"]
            district.retractions += made["retractions"]
            district.competencies += len(roster.academic_ids) + len(roster.habit_ids)
            district.credits += made["credits"]
            district.enrollments += sum(len(v) for v in roster.enrollments.values())
            say(f"school {k + 1}/{len(sizes)}: {size:,} students, {made['rows']:,} assessments")
        bulkload.reset_sequences(Student, Assessment)
        t = time.perf_counter()
        bulkload.create_indexes(dropped)
        district.timings["indexes_s"] = time.perf_counter() - t
        district.seconds = time.perf_counter() - t0
        audit_record(
            actor=system_actor(),
            school=None,
            action=BENCH_DISTRICT_GENERATED,
            target=network,
            after={
                "seed": seed,
                "today": today,
                "schools": district.school_ids,
                "students": district.students,
                "assessments": district.assessments,
                "corrections": district.corrections,
                "retractions": district.retractions,
                "credits": district.credits,
            },
            note="Synthetic data for `credo bench`; written directly, not through the services.",
        )
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    district.timings["analyze_s"] = time.perf_counter() - t
    district.seconds = time.perf_counter() - t0
    return district
