"""The ``interop`` section of ``credo bench``: a OneRoster set of 5,000 students, 300 classes and
40,000 enrollments imported into a new school of the bench database, then imported again — which
must change nothing."""

from __future__ import annotations

import time

from credo.accounts.access import system_actor
from credo.analytics.bench import Bench, Metric, section


@section(
    "interop",
    "OneRoster import (5,000 students, 300 classes, 40,000 enrollments)",
    [
        Metric("oneroster_rows", "CSV rows read"),
        Metric("oneroster_parse_s", "read and check every row", "s"),
        Metric("oneroster_import_s", "first import, end to end (one transaction)", "s", ("<=", 60)),
        Metric("oneroster_rows_per_s", "first import throughput", "/s"),
        Metric("oneroster_changes", "records created on the first import"),
        Metric("oneroster_reimport_s", "second import of the same set", "s"),
        Metric("oneroster_reimport_changes", "records the second import changed", "", ("<=", 0)),
    ],
)
def interop_section(bench: Bench) -> dict:
    return measure(say=bench.say)


def measure(
    *, students: int = 5000, classes: int = 300, enrollments: int = 40000, say=lambda _m: None
) -> dict:
    from credo.interop import oneroster, synthetic
    from credo.interop.importers.oneroster import import_oneroster

    files = synthetic.generate(students=students, classes=classes, enrollments=enrollments)
    rows = sum(data.count(b"\n") - 1 for name, data in files.items() if name != "manifest.csv")
    say(f"interop: importing {students:,} students, {classes} classes, {enrollments:,} enrollments")
    t0 = time.perf_counter()
    roster = oneroster.parse(files)
    parse_s = time.perf_counter() - t0
    first = import_oneroster(actor=system_actor(), roster=roster)
    import_s = time.perf_counter() - t0
    say("interop: importing the same set again")
    t1 = time.perf_counter()
    second = import_oneroster(actor=system_actor(), roster=oneroster.parse(files))
    reimport_s = time.perf_counter() - t1
    return {
        "oneroster_rows": rows,
        "oneroster_parse_s": parse_s,
        "oneroster_import_s": import_s,
        "oneroster_rows_per_s": rows / import_s,
        "oneroster_changes": first.changed,
        "oneroster_reimport_s": reimport_s,
        "oneroster_reimport_changes": second.changed,
    }
