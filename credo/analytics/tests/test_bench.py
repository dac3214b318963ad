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


WEB_KEYS = (
    "web_requests_per_s",
    "web_p50_ms",
    "web_p95_ms",
    "web_p99_ms",
    "web_single_client_requests_per_s",
    "web_cpu_ms_per_request",
)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_bench_web_drives_the_production_server_without_errors(settings, tmp_path):
    """The web section starts `credo serve --production` on a free port, loads it with a closed
    loop of the four kinds of request, and reports every figure; no timing is asserted."""
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command(
        "bench",
        "--students",
        "40",
        "--schools",
        "1",
        "--json",
        "--only",
        "web",
        "--clients",
        "3",
        "--seconds",
        "2",
        "--web-workers",
        "2",
        "--web-threads",
        "2",
        stdout=out,
    )
    report = json.loads(out.getvalue())
    for key in WEB_KEYS:
        assert report[key] > 0, key
    assert report["web_errors"] == 0
    assert report["web_single_client_errors"] == 0
    assert report["web_clients"] == 3
    for kind in ("gradebook", "dashboard", "transcript", "api"):
        assert report[f"web_{kind}_single_p50_ms"] > 0, kind  # every kind answered 200
    if report["database"] == "postgresql":
        assert report["web_max_db_connections"] <= report["web_db_connection_limit"]
    else:
        assert report["web_max_db_connections"] is None
    assert list(Path(tmp_path, "bench").iterdir()) == []


def test_bench_web_refuses_bad_load_options():
    with pytest.raises(CommandError, match="--clients"):
        call_command("bench", "--only", "web", "--clients", "0")
    with pytest.raises(CommandError, match="--web-workers"):
        call_command("bench", "--only", "web", "--web-workers", "0")
