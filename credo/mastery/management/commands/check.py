import sys

from django.core.management.base import CommandError
from django.core.management.commands import check as django_check

from credo.core.management.base import schools_from_option
from credo.mastery import bulk


class Command(django_check.Command):
    """Credo's consistency check, and Django's own system checks when asked for.

    `credo check [--school SLUG]` recomputes everything and compares (Credo's meaning of "check").
    Any of Django's options — `--deploy`, `--tag`, `--list-tags`, `--database`, `--fail-level`, app
    labels — or `--system` runs Django's system checks instead, exactly as `manage.py check` would.
    """

    help = (
        "Recompute everything from the assessments and list every stored row that differs (exit 1 "
        "if any). With --deploy, --tag, --list-tags, --database, --fail-level, app labels or "
        "--system: run Django's system checks instead."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--school", help="slug of one school (default: every school)")
        parser.add_argument("--limit", type=int, default=200, help="how many differences to print")
        parser.add_argument(
            "--system", action="store_true", help="run Django's system checks (no options needed)"
        )

    def handle(self, *app_labels, school=None, limit=200, system=False, **options):
        django_asked = bool(
            system
            or app_labels
            or options.get("deploy")
            or options.get("tags")
            or options.get("list_tags")
            or options.get("databases")
            or options.get("fail_level", "ERROR") != "ERROR"
        )
        if django_asked:
            if school is not None:
                raise CommandError(
                    "--school belongs to Credo's consistency check; Django's system checks "
                    "(--deploy, --tag, …) look at the whole installation. Run them separately."
                )
            return super().handle(*app_labels, **options)
        diffs = bulk.check(schools_from_option(school))
        if not diffs:
            self.stdout.write(
                "check: 0 differences — every materialized row equals a fresh recomputation."
            )
            return
        for d in diffs[:limit]:
            self.stdout.write(str(d))
        if len(diffs) > limit:
            self.stdout.write(f"… and {len(diffs) - limit} more")
        self.stderr.write(f"check: {len(diffs)} differences")
        sys.exit(1)
