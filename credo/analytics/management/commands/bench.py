import json
import sys

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console

from credo.analytics import bench


class Command(BaseCommand):
    help = (
        "Benchmark the mastery engine on a synthetic district built in a fresh, temporary database: "
        "bulk recompute throughput, the same computation row by row in plain Python, and incremental "
        "update latency. Your own database is never touched."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--students", type=int, default=20_000, help="students in the district (20000)"
        )
        parser.add_argument("--schools", type=int, default=4, help="schools in the district (4)")
        parser.add_argument(
            "--per-student",
            type=float,
            default=200.0,
            help="mean assessments per student over three school years (200)",
        )
        parser.add_argument(
            "--seed", type=int, default=0, help="seed of the synthetic district (0)"
        )
        parser.add_argument("--json", action="store_true", help="print only the JSON object")
        parser.add_argument(
            "--only",
            action="append",
            default=[],
            metavar="SECTION",
            help=f"run only this section (repeatable or comma-separated): {', '.join(bench.SECTIONS)}",
        )
        parser.add_argument(
            "--database-url",
            help="benchmark this server instead of SQLite "
            "(postgres://…; a throwaway database is created on it and dropped)",
        )
        parser.add_argument(
            "--keep", action="store_true", help="keep the benchmark database afterwards"
        )
        parser.add_argument(
            "--repeat", type=int, default=5, help="runs of the compute stage; the median counts (5)"
        )
        parser.add_argument(
            "--reference-seconds",
            type=float,
            default=20.0,
            help="time budget of the row-by-row reference; past it, a random sample is timed (20)",
        )
        parser.add_argument(
            "--incremental-calls", type=int, default=500, help="timed assessment_record calls (500)"
        )

        parser.add_argument(
            "--clients", type=int, default=20, help="web: concurrent clients of the load (20)"
        )
        parser.add_argument(
            "--seconds",
            type=float,
            default=20.0,
            help="web: seconds of load, for one client and then for all (20)",
        )
        parser.add_argument(
            "--web-workers",
            type=int,
            help="web: server processes (default: as credo serve --production)",
        )
        parser.add_argument(
            "--web-threads", type=int, help="web: threads per server process (default: 4)"
        )

    def handle(self, *args, **options):
        as_json = options["json"]
        only = [s.strip() for item in options["only"] for s in item.split(",") if s.strip()]
        err = Console(stderr=True, highlight=False)
        verbose = options["verbosity"] > 1 or (options["verbosity"] > 0 and not as_json)
        started = [None]

        def say(message: str) -> None:
            if verbose:
                import time

                started[0] = started[0] or time.perf_counter()
                err.print(
                    f"[dim]{time.perf_counter() - started[0]:7.1f}s[/] {message}", soft_wrap=True
                )

        if options["clients"] < 1 or not 0 < options["seconds"] <= 3600:
            raise CommandError("--clients: 1 or more; --seconds: more than 0, at most 3600")
        for name in ("web_workers", "web_threads"):
            if options[name] is not None and options[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')}: give 1 or more")
        try:
            report = bench.run(
                students=options["students"],
                schools=options["schools"],
                seed=options["seed"],
                per_student=options["per_student"],
                only=only,
                database_url=options["database_url"],
                keep=options["keep"],
                repeat=options["repeat"],
                reference_seconds=options["reference_seconds"],
                incremental_calls=options["incremental_calls"],
                web_clients=options["clients"],
                web_seconds=options["seconds"],
                web_workers=options["web_workers"],
                web_threads=options["web_threads"],
                say=say,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        text = json.dumps(report, indent=None if as_json else 2)
        if as_json:
            self.stdout.write(text)
            return
        out = self.stdout._out if hasattr(self.stdout, "_out") else sys.stdout
        bench.render(report, Console(file=out, width=max(100, Console().width), highlight=False))
        self.stdout.write(text)
