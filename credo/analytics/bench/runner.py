"""Running the benchmark: a throwaway database, the district, the chosen sections in order,
the targets they are held to and the table drawn from the report."""

from __future__ import annotations

import os
import platform
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from django.conf import settings

from credo.analytics.bench.base import SECTIONS, Bench, Section

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
