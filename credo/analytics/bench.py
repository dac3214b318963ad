"""`credo bench`: build a synthetic district in a fresh database and measure the engine on it.

A run switches the default connection to a throwaway database (a temporary SQLite file, or a
database created for the run on a PostgreSQL server), migrates it, generates the district
(`credo.analytics.synthetic`), then runs the sections in order. Each section is a function that
takes the shared `Bench` and returns a dict of measurements; the dicts are merged into one JSON
object and drawn as one table. Adding a section (transcript publishing, credential signing, a
OneRoster import) is writing one function and decorating it with `@section(...)`.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import secrets
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings

EPOCH = dt.date(1970, 1, 1)


# --- sections ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    """How one measurement is shown, and the target it must meet, if any."""

    key: str
    label: str
    unit: str = ""  # "/s", "s", "ms", "x", or "" for a count
    target: tuple[str, float] | None = None  # (">=" or "<=", value)
    sqlite_only: bool = False  # the target holds on SQLite only


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    run: Callable[[Bench], dict]
    metrics: tuple[Metric, ...]


SECTIONS: dict[str, Section] = {}


def section(name: str, title: str, metrics: Sequence[Metric]):
    """Register a benchmark section; sections run in the order they are registered."""

    def register(fn: Callable[[Bench], dict]) -> Callable[[Bench], dict]:
        SECTIONS[name] = Section(name, title, fn, tuple(metrics))
        return fn

    return register


@dataclass
class Bench:
    """What the sections of one run share: the district, the options, cached columns."""

    district: object
    seed: int = 0
    repeat: int = 5
    reference_seconds: float = 20.0
    incremental_calls: int = 500
    web_clients: int = 20
    web_seconds: float = 20.0
    web_workers: int | None = None
    web_threads: int | None = None
    say: Callable[[str], None] = lambda _msg: None
    results: dict = field(default_factory=dict)
    _columns: object = None
    _configs: dict | None = None
    _materialized: bool = False

    @property
    def school_ids(self) -> list[int]:
        return self.district.school_ids

    def columns(self):
        """Return the live assessments as columns, loaded once per run."""
        from credo.mastery import bulk

        if self._columns is None:
            self._columns = bulk.load_columns(self.school_ids)
            self._configs = bulk.competency_configs(self.school_ids)
        return self._columns, self._configs

    def materialize(self) -> None:
        """Make sure the materialized rows exist (the incremental path reads and updates them)."""
        from credo.mastery import bulk

        if not self._materialized:
            bulk.recompute(self.school_ids)
            self._materialized = True


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

# --- the fresh database -----------------------------------------------------------------------


@contextmanager
def fresh_database(
    *,
    database_url: str | None = None,
    keep: bool = False,
    say: Callable[[str], None] = lambda _msg: None,
) -> Iterator[dict]:
    """Point the default connection at a new, migrated, empty database for the duration.

    Without `database_url`, a temporary SQLite file under var/bench/; with a postgres:// URL, a
    database created on that server for the run (the URL's database is only used to create and
    drop it). The user's own database and connection are left untouched and restored afterwards.
    Yield a description of the database.
    """
    from django.core.management import call_command
    from django.db import connections

    from credo.core.dburl import database_from_url

    saved_wrapper = connections["default"]
    saved_settings = connections.settings["default"]
    base = dict(saved_settings)
    if database_url is None:
        directory = Path(settings.VAR_DIR) / "bench"
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"bench-{os.getpid()}-{secrets.token_hex(3)}.sqlite3"
        target = {**base, **database_from_url(f"sqlite:///{path}"), "NAME": str(path)}
    else:
        target = {**base, **database_from_url(database_url)}
    target["TEST"] = base.get("TEST", {})
    info: dict = {"engine": "", "name": ""}
    admin = None
    if target["ENGINE"].endswith("sqlite3"):
        path = Path(target["NAME"])
        if str(path) == ":memory:" or (path.exists() and path.stat().st_size > 0):
            raise ValueError(
                f"{path} is not a new database file; give a path that does not exist yet."
            )
        info.update(engine="sqlite", name=str(path))

        def drop() -> None:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

    elif target["ENGINE"].endswith("postgresql"):
        name = f"credo_bench_{secrets.token_hex(4)}"
        # The run's own connection is a plain one: a pool would keep the database busy when dropped.
        target["OPTIONS"] = {k: v for k, v in target.get("OPTIONS", {}).items() if k != "pool"}
        admin = _wrapper(target)
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        target = {**target, "NAME": name, "CONN_MAX_AGE": 0}
        info.update(engine="postgresql", name=name, host=target.get("HOST") or "local socket")

        def drop() -> None:
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.close()

    else:
        raise ValueError(f"Cannot benchmark {target['ENGINE']}.")
    wrapper = _wrapper(target)
    connections["default"] = wrapper
    connections.settings["default"] = target  # the same dict as settings.DATABASES
    try:
        say(f"database: new {info['engine']} database {info['name']}; migrating")
        call_command("migrate", verbosity=0, interactive=False)
        yield info
    finally:
        wrapper.close()
        connections["default"] = saved_wrapper
        connections.settings["default"] = saved_settings
        if keep:
            if admin is not None:
                admin.close()
            info["kept"] = True
        else:
            drop()


def _wrapper(settings_dict: dict):
    from django.db.utils import load_backend

    return load_backend(settings_dict["ENGINE"]).DatabaseWrapper(dict(settings_dict), "default")


# --- a run ------------------------------------------------------------------------------------


def run(
    *,
    students: int = 20_000,
    schools: int = 4,
    seed: int = 0,
    per_student: float = 200.0,
    only: Sequence[str] = (),
    database_url: str | None = None,
    keep: bool = False,
    repeat: int = 5,
    reference_seconds: float = 20.0,
    incremental_calls: int = 500,
    web_clients: int = 20,
    web_seconds: float = 20.0,
    web_workers: int | None = None,
    web_threads: int | None = None,
    say: Callable[[str], None] = lambda _msg: None,
) -> dict:
    """Run the benchmark and return its report: one flat JSON-ready dict (plus "targets")."""
    from credo.analytics.synthetic import build_district

    unknown = [s for s in only if s not in SECTIONS]
    if unknown:
        raise ValueError(
            f"Unknown section {', '.join(unknown)}; choose from {', '.join(SECTIONS)}."
        )
    chosen = [s for name, s in SECTIONS.items() if not only or name in only]
    t0 = time.perf_counter()
    report: dict = {}
    with fresh_database(database_url=database_url, keep=keep, say=say) as db:
        say(f"district: generating {students:,} students (seed {seed})")
        district = build_district(
            students=students,
            schools=schools,
            seed=seed,
            per_student=per_student,
            progress=lambda m: say(f"district: {m}"),
        )
        report.update(
            database=db["engine"],
            database_name=db["name"],
            students=district.students,
            schools=len(district.schools),
            seed=seed,
            assessments=district.assessments,
            corrections=district.corrections,
            retractions=district.retractions,
            competencies=district.competencies,
            credits=district.credits,
            generate_s=district.seconds,
        )
        bench = Bench(
            district=district,
            seed=seed,
            repeat=repeat,
            reference_seconds=reference_seconds,
            incremental_calls=incremental_calls,
            web_clients=web_clients,
            web_seconds=web_seconds,
            web_workers=web_workers,
            web_threads=web_threads,
            say=say,
            results=report,
        )
        for s in chosen:
            report.update(s.run(bench))
    report["kept"] = bool(db.get("kept"))
    report["sections"] = [s.name for s in chosen]
    report["machine"] = (
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    report["wall_s"] = time.perf_counter() - t0
    report["load_average"] = [round(x, 2) for x in os.getloadavg()]
    report["targets"] = targets(report, chosen)
    return {k: _plain(v) for k, v in report.items()}


def targets(report: dict, chosen: Sequence[Section]) -> dict:
    """Return {metric: {"target": "≥ x", "met": bool}} for every target this run measured."""
    out = {}
    for s in chosen:
        for m in s.metrics:
            if m.target is None or m.key not in report:
                continue
            if m.sqlite_only and report.get("database") != "sqlite":
                continue
            op, bound = m.target
            value = report[m.key]
            out[m.key] = {
                "target": f"{op} {bound:g}",
                "met": value >= bound if op == ">=" else value <= bound,
            }
    return out


def _plain(value):
    if isinstance(value, float):
        return float(f"{value:.6g}")
    if isinstance(value, np.generic):
        return _plain(value.item())
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


# --- the table --------------------------------------------------------------------------------


def render(report: dict, console) -> None:
    """Draw the report as a table on a rich console."""
    from rich.table import Table

    table = Table(
        title=(
            f"credo bench — {report['students']:,} students in {report['schools']} schools, "
            f"{report['assessments']:,} assessments, {report['database']}"
        ),
        title_justify="left",
    )
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("target")
    table.add_row("[bold]Synthetic district", "", "")
    table.add_row("generated, rows written directly", _fmt(report["generate_s"], "s"), "")
    table.add_row(
        "corrections / retractions", f"{report['corrections']:,} / {report['retractions']:,}", ""
    )
    goals = report.get("targets", {})
    for name in report.get("sections", []):
        s = SECTIONS[name]
        table.add_section()
        table.add_row(f"[bold]{s.title}", "", "")
        for m in s.metrics:
            if report.get(m.key) is None:
                continue
            goal = goals.get(m.key)
            mark = ""
            if goal:
                mark = f"{'[green]met' if goal['met'] else '[red]missed'}[/] ({goal['target']})"
            elif m.target and m.sqlite_only:
                mark = f"(on SQLite: {m.target[0]} {m.target[1]:g})"
            table.add_row(m.label, _fmt(report[m.key], m.unit), mark)
    console.print(table)
    notes = []
    if "reference_sampled_fraction" in report and report["reference_sampled_fraction"] < 1:
        notes.append(
            f"The reference timed a random {report['reference_sampled_fraction']:.1%} of the assessments "
            f"({report['reference_groups']:,} student × competency groups) within its time budget; "
            "its rate is measured on that sample."
        )
    if "bulk_assessments_per_s" in report:
        notes.append(
            "Rates count live assessments (neither replaced nor retracted), the rows the engine scores."
        )
    if "check_differences" in report:
        notes.append(f"check: {report['check_differences']} differences")
    notes.append(
        f"wall time {report['wall_s']:.0f} s on {report['machine']}; "
        f"load average at the end {', '.join(str(x) for x in report['load_average'])}"
    )
    for n in notes:
        console.print(n)


def _fmt(value, unit: str) -> str:
    if unit == "/s":
        return f"{value / 1e6:,.2f} M/s" if value >= 1e5 else f"{value:,.0f} /s"
    if unit == "s":
        return f"{value:,.2f} s" if value < 100 else f"{value:,.0f} s"
    if unit == "ms":
        return f"{value:.2f} ms"
    if unit == "x":
        return f"{value:,.0f}×"
    if isinstance(value, float):
        return f"{value:.1%}" if value <= 1 else f"{value:,.2f}"
    return f"{value:,}"
