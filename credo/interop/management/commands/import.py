"""`credo import {oneroster,case,canvas,scores} PATH [--school SLUG] [--dry-run]`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from credo.accounts.access import system_actor
from credo.interop import oneroster
from credo.interop.common import ImportRefused, Summary
from credo.interop.models import ImportKind
from credo.interop.services import import_data
from credo.schools.models import School


class Command(BaseCommand):
    help = (
        "Import a OneRoster set (zip or folder), a CASE framework (CFPackage JSON), Canvas outcomes or "
        "scores (CSV). All or nothing; every problem is listed as file:line: column: message."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=ImportKind.values)
        parser.add_argument("path")
        parser.add_argument(
            "--school", help="slug of the school (OneRoster: optional, each school org otherwise)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change; write nothing"
        )
        parser.add_argument(
            "--framework", default="", help="Canvas: the framework to import into (by name)"
        )
        parser.add_argument("--json", action="store_true", help="print the summary as JSON")

    def handle(
        self, *args, kind, path, school=None, dry_run=False, framework="", json=False, **options
    ):
        target = None
        if school:
            target = School.objects.filter(slug=school).first()
            if target is None:
                raise CommandError(f"No school has the slug “{school}”.")
        elif kind != ImportKind.ONEROSTER:
            raise CommandError("Say which school with --school SLUG.")
        source = Path(path)
        if not source.exists():
            raise CommandError(f"{path}: no such file or folder")
        if kind == ImportKind.ONEROSTER:
            try:
                data = oneroster.read_source(source)
            except ValueError as exc:
                raise CommandError(f"{path}: {exc}") from None
        elif source.is_dir():
            raise CommandError(f"{path} is a folder; give the file")
        else:
            data = source.read_bytes()
        err = Console(stderr=True)
        with Progress(
            TextColumn("{task.description:<24}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=not err.is_terminal,
        ) as bar:
            tasks: dict[str, int] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done, total=total)

            try:
                summary = import_data(
                    actor=system_actor(),
                    school=target,
                    kind=kind,
                    data=data,
                    filename=source.name,
                    dry_run=dry_run,
                    options={"framework": framework},
                    progress=progress,
                )
            except ImportRefused as exc:
                bar.stop()
                for problem in exc.problems:
                    sys.stderr.write(f"{problem}\n")
                raise CommandError(
                    f"{len(exc.problems)} problem(s) in {path}; nothing was imported.", returncode=1
                ) from None
        if json:
            self.stdout.write(_json(summary.as_dict()))
            return
        self._report(summary, dry_run)

    def _report(self, summary: Summary, dry_run: bool) -> None:
        console = Console(file=self.stdout, width=100)
        table = Table(
            title="What would change (dry run: nothing was written)" if dry_run else "What changed"
        )
        for column in ("records", "created", "updated", "deleted", "unchanged", "skipped"):
            table.add_column(column, justify="left" if column == "records" else "right")
        for kind, counts in summary.counts.items():
            c = counts.as_dict()
            table.add_row(
                kind.replace("_", " "),
                *(str(c[k]) for k in ("created", "updated", "deleted", "unchanged", "skipped")),
            )
        console.print(table)
        for skipped in summary.skipped():
            where = ", ".join(skipped["examples"])
            more = ", …" if skipped["count"] > len(skipped["examples"]) else ""
            console.print(
                f"left out: {skipped['count']} {skipped['kind']}(s): {skipped['reason']}"
                + (f" ({where}{more})" if where else "")
            )
        for warning in summary.warnings:
            console.print(f"note: {warning}")
        changed = summary.changed
        verb = "would change" if dry_run else "changed"
        console.print(
            f"{changed} record(s) {verb}." if changed else "Nothing to change: already up to date."
        )


def _json(data) -> str:
    return json.dumps(data, indent=2, default=str)
