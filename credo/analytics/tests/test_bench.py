"""A smoke test of `credo bench` on a tiny district: it runs, and reports every figure. No timings."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from credo.schools.models import School

KEYS = (
    "bulk_assessments_per_s",
    "bulk_end_to_end_s",
    "reference_assessments_per_s",
    "incremental_p50_ms",
    "incremental_p99_ms",
    "compute_assessments_per_s",
    "compute_vs_reference_ratio",
    "assessments",
    "students",
)


@pytest.mark.django_db(transaction=True)
def test_bench_reports_every_figure_and_leaves_the_database_alone(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    schools_before = School.objects.count()
    out = StringIO()
    call_command(
        "bench",
        "--students",
        "50",
        "--json",
        "--seed",
        "3",
        "--incremental-calls",
        "20",
        "--repeat",
        "2",
        "--reference-seconds",
        "2",
        # The engine's sections; the transcript, credential and import sections are exercised by
        # their own apps' tests and would make this smoke test take minutes.
        "--only",
        "bulk,reference,incremental",
        stdout=out,
    )
    report = json.loads(out.getvalue())
    for key in KEYS:
        assert report[key] > 0, key
    assert report["students"] == 50
    assert report["check_differences"] == 0
    assert report["reference_mismatches"] == 0
    assert report["database"] == "sqlite"
    # The run used its own database, deleted it, and gave the connection back.
    assert School.objects.count() == schools_before
    assert list(Path(tmp_path, "bench").iterdir()) == []


def test_bench_refuses_an_unknown_section():
    with pytest.raises(CommandError, match="Unknown section"):
        call_command("bench", "--only", "nonsense", "--json", stdout=StringIO())
