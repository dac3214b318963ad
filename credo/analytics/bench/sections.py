"""The engine's own benchmark sections (bulk and incremental recompute, the reference
engine, transcript publishing, the web pages). Importing this module registers them."""

from __future__ import annotations

import datetime as dt
import statistics
import time

import numpy as np

from credo.analytics.bench.base import EPOCH, Bench, Metric, section


@section(
    "bulk",
    "Bulk recompute",
    [
        Metric("live_assessments", "live assessments scored"),
        Metric("mastery_states", "mastery states (student × competency)"),
        Metric(
            "compute_assessments_per_s",
            "compute stage throughput, median",
            "/s",
            (">=", 10_000_000),
        ),
        Metric("compute_s", "compute stage time, median", "s"),
        Metric("compute_s_min", "compute stage, fastest", "s"),
        Metric("compute_cpu_s", "compute stage, median CPU time", "s"),
        Metric("bulk_load_s", "load (SQL → columns)", "s"),
        Metric("bulk_compute_cold_s", "compute stage, first run", "s"),
        Metric("bulk_credits_s", "credits and graduation", "s"),
        Metric("bulk_write_s", "write (replace materialized rows)", "s"),
        Metric("bulk_end_to_end_s", "recompute end to end", "s"),
        Metric("bulk_assessments_per_s", "recompute end to end throughput", "/s"),
    ],
)
def bulk_section(bench: Bench) -> dict:
    from credo.mastery import bulk

    bench.say("bulk: recompute end to end")
    t = time.perf_counter()
    result = bulk.recompute(bench.school_ids)
    end_to_end = time.perf_counter() - t
    bench._materialized = True
    live = result.assessments
    bench.say(f"bulk: compute stage × {bench.repeat}")
    cols, configs = bench.columns()
    runs, cpu = [], []
    for _ in range(bench.repeat):
        t, c = time.perf_counter(), time.process_time()
        states = bulk.compute_states(cols, configs)
        runs.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    compute_s = statistics.median(runs)
    return {
        "live_assessments": live,
        "mastery_states": len(states),
        "compute_assessments_per_s": live / compute_s,
        "compute_s": compute_s,
        "compute_s_min": min(runs),
        "compute_cpu_s": statistics.median(cpu),
        "compute_runs": len(runs),
        "bulk_load_s": result.timings.get("load_s", 0.0),
        "bulk_compute_cold_s": result.timings.get("compute_s", 0.0),
        "bulk_credits_s": result.timings.get("credits_s", 0.0),
        "bulk_write_s": result.timings.get("write_s", 0.0),
        "bulk_end_to_end_s": end_to_end,
        "bulk_assessments_per_s": live / end_to_end,
    }


@section(
    "reference",
    "Row-by-row reference (plain Python)",
    [
        Metric("reference_assessments_per_s", "engine.compute_state per group", "/s"),
        Metric("reference_sampled_fraction", "share of assessments timed", ""),
        Metric("reference_mismatches", "groups where bulk ≠ reference", "", ("<=", 0)),
        Metric("compute_vs_reference_ratio", "compute stage ÷ reference", "x", (">=", 50)),
    ],
)
def reference_section(bench: Bench) -> dict:
    """Score the same groups one by one through `engine.compute_state`, as the incremental path does.

    Groups are visited in a random order until the time budget runs out, so a partial run is
    a fair sample; the rate is scaled from the share done. Every visited group is also compared
    with the vectorized result.
    """
    from credo.mastery import bulk, engine

    cols, configs = bench.columns()
    bench.say(f"reference: up to {bench.reference_seconds:g} s of row-by-row scoring")
    t = time.perf_counter()
    fresh = bulk.compute_states(cols, configs)
    compute_s = time.perf_counter() - t
    n = len(cols)
    change = np.ones(n, dtype=bool)
    change[1:] = (cols.student[1:] != cols.student[:-1]) | (
        cols.competency[1:] != cols.competency[:-1]
    )
    starts = np.flatnonzero(change)
    ends = np.append(starts[1:], n)
    order = np.random.default_rng(bench.seed + 7).permutation(len(starts)).tolist()
    comp = cols.competency.tolist()
    value = cols.value.tolist()
    kind = ["summative" if s else "formative" for s in cols.summative.tolist()]
    day = cols.day.tolist()
    starts_l, ends_l = starts.tolist(), ends.tolist()
    days: dict[int, dt.date] = {}

    def date_of(d: int) -> dt.date:
        got = days.get(d)
        if got is None:
            got = days[d] = EPOCH + dt.timedelta(days=d)
        return got

    done = mismatches = groups = 0
    budget = bench.reference_seconds
    t0 = time.perf_counter()
    for g in order:
        a, b = starts_l[g], ends_l[g]
        rows = [(value[i], kind[i], date_of(day[i])) for i in range(a, b)]
        state = engine.compute_state(rows, configs[comp[a]])
        if state.as_tuple() != fresh.row(g):
            mismatches += 1
        done += b - a
        groups += 1
        if groups % 256 == 0 and time.perf_counter() - t0 >= budget:
            break
    elapsed = time.perf_counter() - t0
    rate = done / elapsed if elapsed else 0.0
    # Without the bulk section, the one compute-stage run above stands in for its median.
    compute_rate = bench.results.get("compute_assessments_per_s") or (
        n / compute_s if compute_s else 0
    )
    out = {
        "reference_assessments_per_s": rate,
        "reference_s": elapsed,
        "reference_groups": groups,
        "reference_sampled_fraction": done / n if n else 1.0,
        "reference_mismatches": mismatches,
    }
    if compute_rate and rate:
        out["compute_vs_reference_ratio"] = compute_rate / rate
    return out


@section(
    "incremental",
    "Incremental update (services.assessment_record)",
    [
        Metric("incremental_calls", "assessments recorded by teachers"),
        Metric("incremental_p50_ms", "latency p50", "ms"),
        Metric("incremental_p99_ms", "latency p99", "ms", ("<=", 10), sqlite_only=True),
        Metric("incremental_max_ms", "latency max", "ms"),
        Metric("incremental_cpu_p50_ms", "CPU time per call, p50", "ms"),
        Metric("incremental_queries_per_call", "queries per call"),
        Metric("check_differences", "check: differences after the calls", "", ("<=", 0)),
        Metric("check_s", "check (recompute and compare)", "s"),
    ],
)
def incremental_section(bench: Bench) -> dict:
    """Record assessments one at a time through the service, as a teacher of the student would."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from credo.accounts.models import Student, User
    from credo.frameworks.models import Competency
    from credo.mastery import bulk
    from credo.mastery.services import assessment_record

    bench.materialize()
    rng = np.random.default_rng(bench.seed + 11)
    today = bench.district.today
    warmup = 10

    def one_call() -> tuple:
        roster = bench.district.schools[int(rng.integers(len(bench.district.schools)))]
        student_id = roster.student_ids[int(rng.integers(len(roster.student_ids)))]
        enrolled = roster.enrollments[student_id]
        _, teacher_id, aligned = roster.sections[enrolled[int(rng.integers(len(enrolled)))]]
        # Fetched outside the timing, fresh each time, as a request would fetch them.
        kwargs = {
            "assessor": User.objects.get(pk=teacher_id),
            "student": Student.objects.select_related("school").get(pk=student_id),
            "competency": Competency.objects.select_related("framework__scale", "scale").get(
                pk=aligned[int(rng.integers(len(aligned)))]
            ),
            "value": str(int(rng.integers(1, 5))),
            "demonstrated_on": today - dt.timedelta(days=int(rng.integers(0, 14))),
            "kind": "summative" if rng.random() < 0.8 else "formative",
            "task": "Benchmark task",
        }
        return kwargs

    bench.say(
        f"incremental: {bench.incremental_calls} calls of assessment_record (+{warmup} warm-up)"
    )
    times, cpu = [], []
    for i in range(warmup + bench.incremental_calls):
        kwargs = one_call()
        t, c = time.perf_counter(), time.process_time()
        assessment_record(**kwargs)
        if i >= warmup:
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
    kwargs = one_call()
    with CaptureQueriesContext(connection) as queries:
        assessment_record(**kwargs)
    bench.say("incremental: check")
    t = time.perf_counter()
    diffs = bulk.check(bench.school_ids)
    check_s = time.perf_counter() - t
    for d in diffs[:5]:
        bench.say(f"  difference: {d}")
    ms = np.array(times)
    return {
        "incremental_calls": len(times),
        "incremental_warmup_calls": warmup,
        "incremental_p50_ms": float(np.percentile(ms, 50)),
        "incremental_p99_ms": float(np.percentile(ms, 99)),
        "incremental_mean_ms": float(ms.mean()),
        "incremental_max_ms": float(ms.max()),
        "incremental_cpu_p50_ms": float(np.percentile(cpu, 50)),
        "incremental_queries_per_call": len(queries),
        "check_differences": len(diffs),
        "check_s": check_s,
    }


@section(
    "transcripts",
    "Mastery Transcripts (a 150-student cohort through the task queue)",
    [
        Metric("transcripts_published", "transcripts published"),
        Metric("transcript_credits_max", "credits earned, most on one transcript"),
        Metric("transcript_publish_s_each", "snapshot and store, per transcript", "s"),
        Metric("transcript_html_s_each", "HTML, per transcript", "s"),
        Metric("transcript_pdf_s_each", "PDF, per transcript", "s"),
        Metric("transcript_pdf_timed_credits_max", "PDFs timed one by one: most credits"),
        Metric("transcript_pdf_cold_median_s", "PDF drawn cold, median", "s"),
        Metric("transcript_pdf_cold_max_s", "PDF drawn cold, max", "s"),
        Metric("transcript_pdf_cached_median_s", "PDF served from its file, median", "s"),
        Metric("transcript_pdf_cached_max_s", "PDF served from its file, max", "s", ("<=", 0.5)),
        Metric("transcript_run_s", "cohort queued → all published", "s"),
        Metric("letter_pdf_timed", "eligibility letters produced and timed"),
        Metric("letter_pdf_cold_median_s", "eligibility letter PDF drawn cold, median", "s"),
        Metric("letter_pdf_cached_median_s", "eligibility letter PDF from its file, median", "s"),
    ],
)
def transcripts_section(bench: Bench) -> dict:
    from credo.transcripts.bench import publish_cohort

    return publish_cohort(bench)


@section(
    "web",
    "The production server under load (closed loop, 127.0.0.1)",
    [
        Metric("web_clients", "concurrent clients"),
        Metric("web_requests", "requests answered"),
        Metric("web_requests_per_s", "throughput", "/s"),
        Metric("web_single_client_requests_per_s", "throughput, one client alone", "/s"),
        Metric("web_speedup", "throughput ÷ one client's", "x", (">=", 1.6)),
        Metric("web_p50_ms", "latency p50", "ms"),
        Metric("web_p95_ms", "latency p95", "ms", ("<=", 300)),
        Metric("web_p99_ms", "latency p99", "ms"),
        Metric("web_errors", "errors (not 200, or no answer)", "", ("<=", 0)),
        Metric("web_cpu_ms_per_request", "server CPU per request", "ms"),
        Metric("web_gradebook_single_p50_ms", "gradebook (30 students), one client, p50", "ms"),
        Metric("web_dashboard_single_p50_ms", "student dashboard, one client, p50", "ms"),
        Metric("web_transcript_single_p50_ms", "shared transcript, one client, p50", "ms"),
        Metric("web_api_single_p50_ms", "API list, one client, p50", "ms"),
        Metric("web_max_db_connections", "PostgreSQL connections held, most at once"),
        Metric("web_db_connection_limit", "… bound: processes × pool + 2 (task worker)"),
        Metric("web_connections_over_limit", "connections over the bound", "", ("<=", 0)),
    ],
)
def web_section(bench: Bench) -> dict:
    from credo.analytics.web import run_web

    return run_web(bench)


# Other apps define their own sections (`<app>/benchmarks.py`) and register them from their
# AppConfig.ready(), so this module imports none of them.
