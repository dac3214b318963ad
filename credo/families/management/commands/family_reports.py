"""`credo family_reports --school SLUG --class YEAR`: send one class's family progress reports.

Each guardian who asked for them gets one per student, in their own language, by e-mail with the
PDF; running it again the same day sends nothing twice. Acts as the system actor (audited)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from credo.families.services import family_reports_send
from credo.schools.models import School


class Command(BaseCommand):
    help = "Send a class's family progress reports to the guardians who asked for them."

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, help="the school's slug")
        parser.add_argument(
            "--class", dest="year", type=int, required=True, help="the graduation year"
        )

    def handle(self, *args, school, year, **options):
        found = School.objects.filter(slug=school).first()
        if found is None:
            raise CommandError(f"No school {school!r}.")
        sent = family_reports_send(school=found, graduation_year=year)
        self.stdout.write(f"Family reports sent: {sent}")
