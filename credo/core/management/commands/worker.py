from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from credo.core.worker import run_worker


class Command(BaseCommand):
    help = (
        "Run the background task worker (cohort publishing, imports, credential issuing) as its own "
        "process, with the heartbeat /healthz reads. SIGTERM or Ctrl-C finish the running task, "
        "then stop."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue",
            default="default",
            help="queues to take tasks from, comma-separated; '*' for every queue (default: default)",
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between polls of an empty queue"
        )
        parser.add_argument("--batch", action="store_true", help="run every queued task, then stop")
        parser.add_argument("--max-tasks", type=int, help="stop after this many tasks")
        parser.add_argument("--worker-id", help="unique name (default: host name and a random id)")

    def handle(self, *args, queue, interval, batch, max_tasks=None, worker_id=None, **options):
        if "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]:
            raise CommandError(
                f"The task backend is {settings.TASKS['default']['BACKEND']}, not the database "
                "backend: there is no queue for a worker to take tasks from."
            )
        if interval < 0:
            raise CommandError("--interval: give zero or more seconds")
        if max_tasks is not None and max_tasks < 1:
            raise CommandError("--max-tasks: give one or more")
        if worker_id is not None and not 0 < len(worker_id) <= 64:
            raise CommandError("--worker-id: give 1 to 64 characters")
        queues = [q.strip() for q in queue.split(",") if q.strip()]
        if not queues:
            raise CommandError("--queue: name at least one queue")
        if options["verbosity"] > 0:
            self.stdout.write(f"credo worker: taking tasks from {', '.join(queues)}")
            self.stdout.flush()
        import threading

        from credo.core.recovery import start_watchdog

        # Runs whose worker died (a crash, a restart) are resumed or marked failed, while this
        # worker runs (a batch worker stops it when the queue is empty).
        stop = threading.Event()
        start_watchdog(stop=stop)
        try:
            worker = run_worker(
                handle_signals=True,
                batch=batch,
                interval=interval,
                queues=queues,
                worker_id=worker_id,
                max_tasks=max_tasks,
            )
        finally:
            stop.set()
        if options["verbosity"] > 0:
            self.stdout.write(f"credo worker: stopped after {worker.tasks_done} tasks")
