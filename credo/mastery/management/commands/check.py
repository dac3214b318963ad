import sys

from django.core.management.base import BaseCommand

from credo.core.management.base import schools_from_option
from credo.mastery import bulk


class Command(BaseCommand):
    help = "Recompute everything from the assessments and list every stored row that differs (exit 1 if any)."

    def add_arguments(self, parser):
        parser.add_argument("--school", help="slug of one school (default: every school)")
        parser.add_argument("--limit", type=int, default=200, help="how many differences to print")

    def handle(self, *args, school=None, limit=200, **options):
        diffs = bulk.check(schools_from_option(school))
        if not diffs:
            self.stdout.write("check: 0 differences — every materialized row equals a fresh recomputation.")
            return
        for d in diffs[:limit]:
            self.stdout.write(str(d))
        if len(diffs) > limit:
            self.stdout.write(f"… and {len(diffs) - limit} more")
        self.stderr.write(f"check: {len(diffs)} differences")
        sys.exit(1)
