"""The `transcripts` section of `credo bench`: publish a 150-student cohort through the task queue.

The run is queued exactly as the registrar's button queues it (`publication_run_start`, which
enqueues the `publish_run` task once the transaction commits); a database-backed queue is then
drained by the django-tasks worker in this process (`db_worker --batch`). The run records, per
transcript, the time to snapshot and store the version, to render its HTML and to render its PDF.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time

COHORT_SIZE = 150
PDF_SAMPLE = 12  # transcripts whose PDF is timed one by one, cold then cached


def pdf_timings(versions, *, sample: int = PDF_SAMPLE) -> dict:
    """Time the PDF of up to `sample` versions, spread over the list ordered by credits earned:
    cold (drawn by WeasyPrint and stored) and cached (served from the stored file). Return the
    median and max of each, in seconds, and the most credits among those timed."""
    from credo.transcripts import pdf

    def earned(v):
        summary = v.content["summary"]
        return summary["foundational"]["earned"] + summary["advanced"]["earned"]

    ordered = sorted(versions, key=earned)
    step = max(1, len(ordered) // max(1, sample))
    chosen = ordered[::step][:sample]
    if ordered and ordered[-1] not in chosen:
        chosen[-1:] = [ordered[-1]]  # always the longest transcript
    cold, cached = [], []
    for version in chosen:
        pdf._path(version).unlink(missing_ok=True)
        t = time.perf_counter()
        pdf.pdf_for(version)
        cold.append(time.perf_counter() - t)
        t = time.perf_counter()
        pdf.pdf_for(version)
        cached.append(time.perf_counter() - t)
    return {
        "transcript_pdf_timed": len(chosen),
        "transcript_pdf_timed_credits_max": max(map(earned, chosen), default=0),
        "transcript_pdf_cold_median_s": statistics.median(cold) if cold else 0.0,
        "transcript_pdf_cold_max_s": max(cold, default=0.0),
        "transcript_pdf_cached_median_s": statistics.median(cached) if cached else 0.0,
        "transcript_pdf_cached_max_s": max(cached, default=0.0),
    }


LETTER_SAMPLE = 7  # letters produced and timed


def letter_timings(*, school, registrar, versions, sample: int = LETTER_SAMPLE) -> dict:
    """Turn on the school's grade conversion (a table spanning its scale), produce a letter for
    up to `sample` published students and time each letter's PDF drawn cold, then served from its
    file. Return the medians, in seconds."""
    from decimal import Decimal

    from credo.frameworks.models import Framework, FrameworkKind
    from credo.transcripts import letters, services

    scales = [
        f.scale
        for f in Framework.objects.filter(
            school=school, kind=FrameworkKind.ACADEMIC
        ).select_related("scale")
    ]
    low = min((s.min_value for s in scales), default=Decimal(0))
    high = max((s.max_value for s in scales), default=Decimal(4))
    step = (high - low) / 3
    services.grade_table_save(
        actor=registrar,
        school=school,
        name="Athletics eligibility (bench)",
        bands=[(low + 2 * step, "A", "4"), (low + step, "B", "3"), (low, "C", "2")],
    )
    services.grade_conversion_set_enabled(actor=registrar, school=school, enabled=True)
    school.refresh_from_db()
    cold, cached = [], []
    for version in versions[:sample]:
        student = version.student
        student.school = school  # as the registrar's request would read it: conversion on
        letter = services.letter_produce(
            actor=registrar,
            student=student,
            recipient="NCAA Eligibility Center",
            purpose="initial academic eligibility",
            include_grades=True,
        )
        t = time.perf_counter()
        letters.letter_pdf(letter)
        cold.append(time.perf_counter() - t)
        t = time.perf_counter()
        letters.letter_pdf(letter)
        cached.append(time.perf_counter() - t)
    return {
        "letter_pdf_timed": len(cold),
        "letter_pdf_cold_median_s": statistics.median(cold) if cold else 0.0,
        "letter_pdf_cached_median_s": statistics.median(cached) if cached else 0.0,
    }


def publish_cohort(bench, *, size: int = COHORT_SIZE) -> dict:
    """Publish `size` students of the district's senior cohort; return the figures."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db.models import Count
    from django.test.utils import override_settings

    from credo.accounts.models import Student, User
    from credo.schools.models import School
    from credo.transcripts.models import PublicationRun, RunStatus, TranscriptVersion
    from credo.transcripts.services import publication_run_start

    bench.materialize()  # awards and progress exist, as in a school that has been running a while
    # The seniors: the cohort with the longest record, as when a school publishes for college applications.
    cohorts = list(
        Student.objects.filter(school_id__in=bench.school_ids, active=True)
        .values("school_id", "graduation_year")
        .annotate(n=Count("id"))
        .order_by("graduation_year", "-n", "school_id")
    )
    year = next((c for c in cohorts if c["n"] >= size), max(cohorts, key=lambda c: c["n"]))
    school = School.objects.get(pk=year["school_id"])
    roster = next(r for r in bench.district.schools if r.school_id == school.pk)
    registrar = User.objects.get(pk=roster.registrar_id)
    ids = list(
        Student.objects.filter(school=school, graduation_year=year["graduation_year"], active=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:size]
    )
    backend = settings.TASKS["default"]["BACKEND"]
    queued = "django_tasks_db" in backend
    cache = tempfile.mkdtemp(prefix="credo-bench-transcripts-")
    bench.say(
        f"transcripts: publishing {len(ids)} of the class of {year['graduation_year']} through "
        f"{'the database task queue' if queued else backend.rsplit('.', 1)[-1]}"
    )
    try:
        with override_settings(CREDO_TRANSCRIPT_CACHE=cache):
            t = time.perf_counter()
            run = publication_run_start(
                actor=registrar, school=school, student_ids=ids, render_pdf=True, note="credo bench"
            )
            if queued:
                call_command(
                    "db_worker", batch=True, interval=0.05, no_startup_delay=True, verbosity=0
                )
            wall = time.perf_counter() - t
            run = PublicationRun.objects.get(pk=run.pk)
            published = list(
                TranscriptVersion.objects.filter(run=run).select_related("student__school")
            )
            timings = pdf_timings(published)
            timings.update(letter_timings(school=school, registrar=registrar, versions=published))
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    if run.status != RunStatus.DONE:
        bench.say(
            f"transcripts: run {run.status}, {run.failed} failed; first error: {(run.errors or [''])[0]}"
        )
    each = run.seconds_each
    versions = TranscriptVersion.objects.filter(run=run)
    earned = [
        v.content["summary"]["foundational"]["earned"] + v.content["summary"]["advanced"]["earned"]
        for v in versions.only("content")
    ]
    return {
        "transcripts_published": run.done,
        "transcripts_failed": run.failed,
        "transcript_credits_mean": round(sum(earned) / max(1, len(earned)), 1),
        "transcript_credits_max": max(earned, default=0),
        "transcript_publish_s_each": each["publish"],
        "transcript_html_s_each": each["html"],
        "transcript_pdf_s_each": each["pdf"],
        "transcript_total_s_each": wall / max(1, run.done),
        "transcript_run_s": wall,
        "transcript_queue": "database" if queued else backend.rsplit(".", 1)[-1],
        **timings,
    }
