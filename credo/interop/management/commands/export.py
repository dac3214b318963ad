"""`credo export {oneroster,case,canvas,scores} --school SLUG --out FILE [--framework ID|NAME]`."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from credo.interop import exports, roster_export
from credo.interop.models import ImportKind
from credo.schools.models import School


class Command(BaseCommand):
    help = (
        "Export a school's roster as a OneRoster 1.2 bulk set (zip), a framework as a CASE "
        "CFPackage or Canvas outcomes CSV, or a school's scores as CSV."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["oneroster", "case", "canvas", "scores"])
        parser.add_argument("--school", required=True, help="slug of the school")
        parser.add_argument("--out", required=True, help="file to write ('-' for standard output)")
        parser.add_argument("--framework", default="", help="framework id, CASE identifier or name")

    def handle(self, *args, kind, school, out, framework="", **options):
        target = School.objects.filter(slug=school).first()
        if target is None:
            raise CommandError(f"No school has the slug “{school}”.")
        warnings: list[str] = []
        try:
            if kind == ImportKind.SCORES:
                data = exports.scores_csv(target)
            elif kind == ImportKind.ONEROSTER:
                data = roster_export.roster_zip(target)
            else:
                chosen = exports.framework_to_export(target, framework or None)
                if kind == ImportKind.CASE:
                    data = exports.case_json(chosen)
                else:
                    data, warnings = exports.canvas_csv(chosen)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if out == "-":
            sys.stdout.buffer.write(data)
        else:
            Path(out).write_bytes(data)
            self.stderr.write(f"Wrote {len(data):,} bytes to {out}.")
        for warning in warnings:
            self.stderr.write(f"note: {warning}")
