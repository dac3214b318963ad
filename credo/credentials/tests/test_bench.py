"""The credentials section of `credo bench` runs on a tiny district and reports its figures."""

import json
from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db(transaction=True)
def test_the_credentials_section_reports_throughput_and_seconds_per_clr(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command(
        "bench",
        "--students",
        "40",
        "--seed",
        "5",
        "--only",
        "credentials",
        "--json",
        "--repeat",
        "1",
        stdout=out,
    )
    report = json.loads(out.getvalue())
    assert report["sections"] == ["credentials"]
    assert report["clr_transcripts"] > 0
    for key in (
        "credentials_sign_per_s",
        "credentials_verify_per_s",
        "clr_issue_s_each",
        "clr_verify_s_each",
        "credentials_sign_per_cpu_s",
        "credentials_verify_per_cpu_s",
        "clr_issue_cpu_s_each",
        "clr_verify_cpu_s_each",
    ):
        assert report[key] > 0, key
    assert report["clr_credits_mean"] >= 1
