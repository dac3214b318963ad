import os
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection


def run_task_worker(*, batch: bool = False):
    """Run the background task worker (cohort publishing, imports, rendering) inside the server process.

    The worker is built directly rather than through `db_worker`, which installs signal handlers and
    so only runs in the main thread; here Ctrl-C stops the server, and the daemon thread with it.
    With `batch`, return once the queue is empty.
    """
    from django.utils.crypto import get_random_string
    from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=[DEFAULT_TASK_QUEUE_NAME],
        interval=0.5,
        batch=batch,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=False,
        max_tasks=None,
        worker_id=f"serve-{get_random_string(12)}",
        excluded_queue_names=[],
    ).run()


def run_checkpointer(every: float = 30.0):
    """Checkpoint SQLite's write-ahead log in the background, so requests rarely pay for it."""
    from django.db import connection

    while True:
        time.sleep(every)
        try:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except Exception:  # noqa: BLE001,S110 -- a missed checkpoint is retried next time
            pass
        finally:
            connection.close()


class Command(BaseCommand):
    help = "Migrate the database and serve Credo on http://127.0.0.1:8000 with a background task worker."

    def add_arguments(self, parser):
        parser.add_argument(
            "addrport", nargs="?", default=os.environ.get("CREDO_ADDR", "127.0.0.1:8000")
        )
        parser.add_argument(
            "--no-worker", action="store_true", help="do not run the background task worker"
        )
        parser.add_argument("--no-migrate", action="store_true")

    def handle(self, *args, addrport, no_worker=False, no_migrate=False, **options):
        if "CREDO_BASE_URL" not in os.environ:
            # Verification links, QR codes and issuer URLs then point at this very server.
            host, _, port = addrport.rpartition(":")
            settings.CREDO_BASE_URL = f"http://{host or '127.0.0.1'}:{port}"
        if not no_migrate:
            call_command("migrate", verbosity=0, interactive=False)
        if not no_worker and "django_tasks_db" in settings.TASKS["default"]["BACKEND"]:
            threading.Thread(target=run_task_worker, name="credo-task-worker", daemon=True).start()
        if connection.vendor == "sqlite":
            threading.Thread(
                target=run_checkpointer, name="credo-checkpointer", daemon=True
            ).start()
        self.stdout.write(f"Credo is serving on http://{addrport}/ — press Ctrl-C to stop.")
        call_command("runserver", addrport, use_reloader=False, use_threading=True)
