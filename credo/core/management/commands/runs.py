from django.core.management.base import BaseCommand, CommandError

from credo.core.errors import ValidationError
from credo.core.recovery import recover_runs


class Command(BaseCommand):
    help = (
        "List publication and import runs that are unfinished or stopped early; resume or fail "
        "those whose worker died (`recover`); retry one that stopped (`retry KIND ID`)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", metavar="{list,recover,retry}")
        sub.add_parser("list", help="runs still working, lost, or stopped early (the default)")
        sub.add_parser("recover", help="resume or mark failed every run whose worker died")
        retry = sub.add_parser("retry", help="retry a run that stopped before the end")
        retry.add_argument("kind", choices=["publication", "import"])
        retry.add_argument("id", type=int)

    def handle(self, *args, action=None, **options):
        if action == "recover":
            lines = recover_runs()
            for line in lines:
                self.stdout.write(line)
            self.stdout.write(f"recover: {len(lines)} run(s) resumed or marked failed.")
        elif action == "retry":
            self.retry(options["kind"], options["id"])
        else:
            self.list()

    def list(self):
        from credo.interop.models import ImportRun, ImportState
        from credo.interop.services import import_run_lost
        from credo.transcripts.models import PublicationRun, RunStatus
        from credo.transcripts.selectors import publication_run_lost

        rows = []
        for run in PublicationRun.objects.select_related("school").filter(
            status__in=[RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.FAILED]
        ):
            if run.status == RunStatus.FAILED and not run.stopped_early:
                continue
            lost = publication_run_lost(run)
            state = f"lost: {lost}" if lost else run.get_status_display().lower()
            if run.stopped_early:
                state = f"stopped early — {run.stopped_reason or 'retry it'}"
            rows.append(
                f"publication {run.pk}  {run.school.slug}  {run.position}/{run.total}  {state}"
            )
        working = [ImportState.CHECKING, ImportState.APPLYING, ImportState.FAILED]
        for run in (
            ImportRun.objects.select_related("school").defer("content").filter(state__in=working)
        ):
            lost = import_run_lost(run)
            state = f"lost: {lost}" if lost else run.get_state_display().lower()
            if run.state == ImportState.FAILED:
                state = f"failed — {run.error[:120]}"
            rows.append(f"import {run.pk}  {run.school.slug}  {run.filename}  {state}")
        for row in rows:
            self.stdout.write(row)
        self.stdout.write(f"{len(rows)} run(s) unfinished or stopped.")

    def retry(self, kind: str, pk: int):
        from credo.accounts.access import system_actor
        from credo.interop.models import ImportRun
        from credo.interop.services import import_run_retry
        from credo.transcripts.models import PublicationRun
        from credo.transcripts.services import publication_run_retry

        model = PublicationRun if kind == "publication" else ImportRun
        try:
            run = model.objects.get(pk=pk)
        except model.DoesNotExist:
            raise CommandError(f"There is no {kind} run {pk}.") from None
        try:
            if kind == "publication":
                run = publication_run_retry(actor=system_actor(), run=run)
                self.stdout.write(
                    f"Publication run {run.pk} queued again; it goes on after {run.position} of "
                    f"{run.total} students."
                )
            else:
                run = import_run_retry(actor=system_actor(), run=run, background=True)
                self.stdout.write(f"Import run {run.pk} queued again ({run.get_state_display()}).")
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
