"""`credo transcript publish` and `credo transcript export`.

    credo transcript publish [--school SLUG] [--student ID | --cohort YEAR] [--no-pdf] [--queue]
    credo transcript export --student ID [--version N] --format html|pdf|json --out FILE

Publishing runs in this process with a progress bar (or, with --queue, hands the run to the
background worker of `credo serve`). Export formats come from `credo.transcripts.exports`, where
other apps register more (the verifiable-credentials app adds `clr`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from credo.accounts.access import system_actor
from credo.accounts.models import Student
from credo.transcripts import exports, services
from credo.transcripts.models import TranscriptVersion


class Command(BaseCommand):
    help = "Publish Mastery Transcripts, or export a published one as HTML, PDF or JSON."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{publish,export}")
        publish = sub.add_parser(
            "publish", help="publish transcripts: one student, a cohort, or a whole school"
        )
        publish.add_argument(
            "--school", help="slug of the school (required unless --student is given)"
        )
        who = publish.add_mutually_exclusive_group()
        who.add_argument("--student", type=int, help="id of one student")
        who.add_argument("--cohort", type=int, help="graduation year of a cohort")
        publish.add_argument("--no-pdf", action="store_true", help="do not prepare the PDFs now")
        publish.add_argument(
            "--queue",
            action="store_true",
            help="hand the work to the background worker (`credo serve`) instead of doing it here",
        )
        publish.add_argument("--note", default="", help="a note kept with each new version")
        publish.add_argument("--json", action="store_true", help="print the outcome as JSON")

        export = sub.add_parser("export", help="write a published version to a file")
        export.add_argument("--student", type=int, required=True, help="id of the student")
        export.add_argument("--version", type=int, help="version number (default: the current one)")
        # Formats are looked up when the command runs, so ones registered by other apps appear.
        export.add_argument(
            "--format", required=True, help="html, pdf, json (and any format an app adds)"
        )
        export.add_argument("--out", required=True, help="file to write ('-' for standard output)")

    def handle(self, *args, action, **options):
        if action == "publish":
            return self.publish(**options)
        return self.export(**options)

    # --- publish ---------------------------------------------------------------------------------

    def publish(
        self,
        *,
        school=None,
        student=None,
        cohort=None,
        no_pdf=False,
        queue=False,
        note="",
        json=False,
        **_,
    ):
        from credo.schools.models import School

        if student is not None:
            pupil = _student(student)
            if school and pupil.school.slug != school:
                raise CommandError(f"--student {student} is not a student of {school}.")
            target, kwargs = pupil.school, {"student_ids": [pupil.pk]}
        else:
            if not school:
                raise CommandError(
                    "Give --school SLUG (with --cohort YEAR, or alone for every active student)."
                )
            try:
                target = School.objects.get(slug=school)
            except School.DoesNotExist:
                raise CommandError(f"--school {school}: no such school.") from None
            if cohort is not None:
                kwargs = {"cohort": cohort}
            else:
                ids = list(
                    Student.objects.filter(school=target, active=True).values_list("pk", flat=True)
                )
                kwargs = {"student_ids": ids}
        try:
            run = services.publication_run_start(
                actor=system_actor(),
                school=target,
                note=note,
                render_pdf=not no_pdf,
                enqueue=queue,
                **kwargs,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if queue:
            self.stdout.write(
                f"Queued publication run {run.pk} ({run.total} students); `credo serve` runs it."
            )
            return
        run = self._run_with_progress(run, quiet=json)
        outcome = {
            "run": run.pk,
            "school": target.slug,
            "students": run.total,
            "done": run.done,
            "failed": run.failed,
            "new_versions": TranscriptVersion.objects.filter(run=run).count(),
            "seconds_per_transcript": run.seconds_each,
            "errors": run.errors,
        }
        if json:
            self.stdout.write(_dumps(outcome))
        else:
            per = outcome["seconds_per_transcript"]
            self.stdout.write(
                f"Published {outcome['new_versions']} new version(s) for {run.done} of {run.total} students "
                f"({run.done - outcome['new_versions']} unchanged); per transcript: publish {per['publish']:.3f} s, "
                f"HTML {per['html']:.3f} s"
                + (f", PDF {per['pdf']:.3f} s." if run.render_pdf else ".")
            )
            for error in run.errors:
                self.stderr.write(f"  could not publish {error}")
        if run.failed:
            raise CommandError(f"{run.failed} transcript(s) could not be published.")

    def _run_with_progress(self, run, *, quiet: bool):
        if quiet or not sys.stderr.isatty():
            return services.publication_run_execute(run.pk)
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        with Progress(
            TextColumn("Publishing"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            transient=True,
        ) as bar:
            task = bar.add_task("publish", total=run.total)
            return services.publication_run_execute(
                run.pk, progress=lambda r: bar.update(task, completed=r.done + r.failed)
            )

    # --- export ----------------------------------------------------------------------------------

    def export(self, *, student, version=None, format, out, **_):
        pupil = _student(student)
        versions = TranscriptVersion.objects.filter(student=pupil).select_related(
            "student", "supersedes"
        )
        chosen = (
            versions.filter(number=version).first()
            if version
            else versions.order_by("-number").first()
        )
        if chosen is None:
            if version:
                raise CommandError(f"{pupil} has no version {version}.")
            raise CommandError(
                f"{pupil}'s transcript is not published yet; run "
                f"`credo transcript publish --student {pupil.pk}` first."
            )
        try:
            data = exports.export(chosen, format)
        except KeyError:
            known = ", ".join(sorted(exports.EXPORTERS))
            raise CommandError(
                f"--format {format}: unknown format (choose from {known})."
            ) from None
        if out == "-":
            sys.stdout.buffer.write(data)
            return
        path = Path(out)
        path.write_bytes(data)
        self.stdout.write(
            f"Wrote version {chosen.number} of {pupil}'s transcript as {format} to {path} "
            f"({len(data):,} bytes)."
        )


def _student(student_id: int) -> Student:
    try:
        return Student.objects.select_related("school").get(pk=student_id)
    except Student.DoesNotExist:
        raise CommandError(f"--student {student_id}: no such student.") from None


def _dumps(data) -> str:
    return json.dumps(data, indent=2)
