import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from credo.demo import loader as demo


class Command(BaseCommand):
    help = (
        "Load the demo network (three schools, about 600 students in four cohorts) into the database, "
        "print the sign-in accounts and serve Credo on http://127.0.0.1:8000."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "addrport", nargs="?", default=os.environ.get("CREDO_ADDR", "127.0.0.1:8000")
        )
        parser.add_argument(
            "--no-serve", action="store_true", help="load (if needed) and stop; do not serve"
        )
        parser.add_argument(
            "--reset", action="store_true", help="drop the demo schools and load them again"
        )
        parser.add_argument(
            "--seed", type=int, default=2026, help="seed of the generated data (default 2026)"
        )
        parser.add_argument(
            "--students-per-school",
            type=int,
            default=200,
            dest="students",
            help="students per school (default 200)",
        )

    def handle(
        self, *args, addrport, no_serve=False, reset=False, seed=2026, students=200, **options
    ):
        # Wide enough for the account table when the output is not a terminal (a log, `make demo | tee`).
        console = Console(
            file=self.stdout, highlight=False, width=None if self.stdout.isatty() else 120
        )
        call_command("migrate", verbosity=0, interactive=False)
        if reset and demo.demo_loaded():
            gone = demo.reset_demo()
            console.print(f"Dropped the {gone} demo schools.")
        if demo.demo_loaded():
            then = "leaving it as it is" if no_serve else "serving it as it is"
            console.print(
                f"The demo is already loaded; {then} (use [bold]--reset[/] to load it again)."
            )
        else:
            summary = self._load(console, seed=seed, students=students)
            self._print_summary(console, summary)
        self._print_accounts(console, demo.demo_accounts(), addrport)
        if no_serve:
            return
        os.environ["CREDO_DEMO"] = "1"
        settings.CREDO_DEMO = True
        call_command("serve", addrport, no_migrate=True)

    def _load(self, console: Console, *, seed: int, students: int) -> demo.DemoSummary:
        columns = (
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("Loading the demo", total=demo.step_count())
            started = []

            def step(message: str) -> None:
                if started:
                    progress.advance(task)
                started.append(message)
                progress.update(task, description=message)

            try:
                summary = demo.load_demo(seed=seed, students_per_school=students, progress=step)
            except demo.DemoError as exc:
                raise CommandError(str(exc)) from None
            progress.advance(task)
        console.print(
            f"Loaded the demo in {summary.seconds:.1f} s (seed {summary.seed}; the data ends on "
            f"{summary.today:%d %B %Y})."
        )
        return summary

    def _print_summary(self, console: Console, summary: demo.DemoSummary) -> None:
        table = Table(title=summary.network, title_justify="left")
        for heading in (
            "School",
            "Students",
            "Rated",
            "Credits",
            "Assessments",
            "Evidence",
            "Outside",
            "Reviews",
            "Awards",
            "Eligible",
        ):
            table.add_column(
                heading, justify="left" if heading == "School" else "right", no_wrap=True
            )
        for s in summary.schools:
            table.add_row(
                s.name.removesuffix(" School").removesuffix(" High"),
                f"{s.students:,}",
                f"{s.assessable}",
                f"{s.foundational} + {s.advanced}",
                f"{s.assessments:,}",
                f"{s.evidence:,}",
                f"{s.outside_evidence:,}",
                f"{s.reviews:,}",
                f"{s.awards:,}",
                f"{s.eligible:,}",
            )
        console.print(table)
        console.print(
            "Rated: competencies teachers rate directly. Credits: foundational + advanced. "
            "Eligible: students who meet every graduation rule today.",
            style="dim",
        )

    def _print_accounts(
        self, console: Console, accounts: list[demo.Account], addrport: str
    ) -> None:
        where = addrport if ":" in addrport else f"127.0.0.1:{addrport}"
        table = Table(
            title=f"Sign in at http://{where}/ — every password is “{demo.PASSWORD}”",
            title_justify="left",
        )
        for heading in ("School", "Role", "Username", "Name"):
            table.add_column(heading)
        for a in accounts:
            table.add_row(a.school, a.role, a.username, a.name)
        console.print(table)
