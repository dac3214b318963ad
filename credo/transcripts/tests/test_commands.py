"""`credo transcript publish` and `credo transcript export`."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from credo.transcripts import exports
from credo.transcripts.models import PublicationRun, TranscriptVersion
from credo.transcripts.tests.builders import earn, rich_student

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("transcript", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_publish_a_cohort_then_nothing_changes(hill):
    for s in hill.students:
        earn(hill, s, hill.competencies[:2])
    outcome = json.loads(
        run("publish", "--school", "hill", "--cohort", "2027", "--no-pdf", "--json")
    )
    assert outcome["done"] == 3 and outcome["new_versions"] == 3 and outcome["failed"] == 0
    assert outcome["seconds_per_transcript"]["html"] > 0
    again = json.loads(run("publish", "--school", "hill", "--cohort", "2027", "--no-pdf", "--json"))
    assert again["done"] == 3 and again["new_versions"] == 0
    assert TranscriptVersion.objects.count() == 3 and PublicationRun.objects.count() == 2


def test_publish_one_student_and_the_whole_school(hill):
    student = rich_student(hill)
    text = run("publish", "--student", str(student.pk), "--no-pdf")
    assert "Published 1 new version(s) for 1 of 1 students" in text
    text = run("publish", "--school", "hill", "--no-pdf")
    assert "for 3 of 3 students" in text and TranscriptVersion.objects.count() == 3


def test_publish_refuses_what_it_cannot_do(hill, dale):
    with pytest.raises(CommandError, match="--school"):
        run("publish")
    with pytest.raises(CommandError, match="no such school"):
        run("publish", "--school", "nowhere")
    with pytest.raises(CommandError, match="no active students"):
        run("publish", "--school", "hill", "--cohort", "1990")
    with pytest.raises(CommandError, match="not a student of hill"):
        run("publish", "--school", "hill", "--student", str(dale.students[0].pk))


def test_publish_can_queue_for_the_worker(hill, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        text = run("publish", "--school", "hill", "--cohort", "2027", "--no-pdf", "--queue")
    assert "Queued publication run" in text
    # The tests' task backend runs tasks at once; `credo serve` would run it in its worker.
    assert PublicationRun.objects.get().done == 3


@pytest.mark.parametrize(
    ("fmt", "start"), [("html", b"<!doctype html>"), ("pdf", b"%PDF"), ("json", b"{")]
)
def test_export_writes_each_format(hill, tmp_path, fmt, start):
    student = rich_student(hill)
    run("publish", "--student", str(student.pk), "--no-pdf")
    out = tmp_path / f"t.{fmt}"
    text = run("export", "--student", str(student.pk), "--format", fmt, "--out", str(out))
    assert "Wrote version 1" in text
    data = out.read_bytes()
    assert data.lstrip().startswith(start)
    if fmt == "json":
        doc = json.loads(data)
        version = TranscriptVersion.objects.get()
        assert (
            doc["content_hash"]["value"] == version.content_hash
            and doc["content"] == version.content
        )
    if fmt == "html":
        assert b"River study report" in data and b"<style>" in data  # standalone: styles inlined


def test_export_refuses_unknown_formats_and_unpublished_students(hill, tmp_path):
    student = rich_student(hill)
    with pytest.raises(CommandError, match="not published yet"):
        run(
            "export", "--student", str(student.pk), "--format", "json", "--out", str(tmp_path / "x")
        )
    run("publish", "--student", str(student.pk), "--no-pdf")
    with pytest.raises(CommandError, match="unknown format"):
        run(
            "export", "--student", str(student.pk), "--format", "docx", "--out", str(tmp_path / "x")
        )
    with pytest.raises(CommandError, match="no version 7"):
        run(
            "export",
            "--student",
            str(student.pk),
            "--version",
            "7",
            "--format",
            "json",
            "--out",
            str(tmp_path / "x"),
        )


def test_other_apps_can_add_an_export_format(hill, tmp_path, monkeypatch):
    monkeypatch.setattr(exports, "EXPORTERS", dict(exports.EXPORTERS))
    exports.register(
        "clr-test",
        lambda version: b'{"type": "ClrCredential"}',
        suffix="json",
        media_type="application/json",
    )
    student = rich_student(hill)
    run("publish", "--student", str(student.pk), "--no-pdf")
    out = tmp_path / "clr.json"
    run("export", "--student", str(student.pk), "--format", "clr-test", "--out", str(out))
    assert json.loads(out.read_bytes())["type"] == "ClrCredential"
