import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections

from credo.core import runs, varfiles
from credo.core.worker import run_worker

DEFAULT_ADDR = "127.0.0.1:8000"


def run_task_worker(*, batch: bool = False):
    """Run the background task worker (cohort publishing, imports, rendering) inside the server process.

    Runs without django-tasks-db's signal handlers, which only the main thread may install; here
    Ctrl-C stops the server, and the daemon thread with it. With `batch`, return once the queue is
    empty. The worker keeps its heartbeat, so /healthz sees it as in production.
    """
    # The worker's id names this process, so a crash can be told (credo.core.runs).
    run_worker(handle_signals=False, batch=batch, interval=0.5, worker_id=runs.worker_id("serve"))


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


def _positive(name: str, value: int | None, default: int) -> int:
    value = default if value is None else value
    if value < 1:
        raise CommandError(f"--{name}: give 1 or more")
    return value


def default_workers() -> int:
    """Return the number of server processes for this machine: CREDO_WEB_WORKERS, else one per core.

    Measured with `credo bench --only web` on 2 cores (20 clients, medians of three runs): 2 processes
    × 2 threads answered 131 requests/s at p95 271 ms; the former default, 3 × 4, 121/s at p95
    410 ms — more threads than cores only make requests wait for each other's share of the GIL."""
    raw = os.environ.get("CREDO_WEB_WORKERS", "")
    if raw.strip():
        try:
            return int(raw)
        except ValueError:
            raise CommandError(f"CREDO_WEB_WORKERS: {raw!r} is not a whole number") from None
    return os.cpu_count() or 1


def default_threads() -> int:
    raw = os.environ.get("CREDO_WEB_THREADS", "")
    try:
        return int(raw) if raw.strip() else 2
    except ValueError:
        raise CommandError(f"CREDO_WEB_THREADS: {raw!r} is not a whole number") from None


def close_all_connections() -> None:
    """Close every connection and pool of this process (before gunicorn forks its workers)."""
    for conn in connections.all(initialized_only=True):
        conn.close()
        if hasattr(conn, "close_pool"):
            conn.close_pool()


def gunicorn_application(options: dict):
    """Return a gunicorn application serving Credo's WSGI app with `options` (gunicorn settings)."""
    from gunicorn.app.base import BaseApplication

    class CredoServer(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                if (
                    key in self.cfg.settings
                ):  # settings newer than the installed gunicorn are skipped
                    self.cfg.set(key, value)

        def load(self):
            from config.wsgi import application

            return application

    return CredoServer(prog="credo serve --production")


class Command(BaseCommand):
    help = (
        "Migrate the database and serve Credo. Without --production: Django's development server "
        "on http://127.0.0.1:8000 with a background task worker in a thread. With --production: "
        "gunicorn (several processes, static files by WhiteNoise) and the task worker as its own "
        "process (`credo worker`); SIGTERM or Ctrl-C stop both gracefully."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "addrport", nargs="?", default=os.environ.get("CREDO_ADDR", DEFAULT_ADDR)
        )
        parser.add_argument(
            "--no-worker", action="store_true", help="do not run the background task worker"
        )
        parser.add_argument("--no-migrate", action="store_true")
        parser.add_argument(
            "--production",
            action="store_true",
            help="serve with gunicorn: several processes, a separate task worker, graceful shutdown",
        )
        parser.add_argument(
            "--workers",
            type=int,
            help="server processes (--production; default CREDO_WEB_WORKERS, else one per core)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            help="threads per server process (--production; default CREDO_WEB_THREADS, else 2)",
        )
        parser.add_argument(
            "--access-log", action="store_true", help="log every request on stdout (--production)"
        )

    def handle(self, *args, addrport, no_worker=False, no_migrate=False, **options):
        host, sep, port = addrport.rpartition(":")
        if not sep or not port.isdigit():
            raise CommandError(f"{addrport!r}: give ADDR:PORT, e.g. {DEFAULT_ADDR}")
        if "CREDO_BASE_URL" not in os.environ:
            # Verification links, QR codes and issuer URLs then point at this very server.
            settings.CREDO_BASE_URL = f"http://{host or '127.0.0.1'}:{port}"
        if not no_migrate:
            call_command("migrate", verbosity=0, interactive=False)
        # Files an older Credo left readable by others under var/ (uploads, rendered PDFs).
        varfiles.tighten(Path(settings.VAR_DIR))
        with_worker = not no_worker and "django_tasks_db" in settings.TASKS["default"]["BACKEND"]
        if options["production"]:
            return self.production(addrport, with_worker=with_worker, options=options)
        if with_worker:
            from credo.core.recovery import start_watchdog

            # Runs whose worker died (a crash, a restart) are resumed or marked failed.
            start_watchdog()
            threading.Thread(target=run_task_worker, name="credo-task-worker", daemon=True).start()
        if connection.vendor == "sqlite":
            threading.Thread(
                target=run_checkpointer, name="credo-checkpointer", daemon=True
            ).start()
        self.stdout.write(f"Credo is serving on http://{addrport}/ — press Ctrl-C to stop.")
        call_command("runserver", addrport, use_reloader=False, use_threading=True)

    def production(self, addrport: str, *, with_worker: bool, options: dict) -> None:
        """Collect static files, then run gunicorn (and `credo worker` beside it) until stopped."""
        workers = _positive("workers", options.get("workers"), default_workers())
        threads = _positive("threads", options.get("threads"), default_threads())
        verbose = options["verbosity"] > 0
        call_command("collectstatic", interactive=False, verbosity=0)
        if verbose and settings.CREDO_HTTPS:
            # Django's deployment checks, said once at start (they never stop the server).
            call_command("check", deploy=True, fail_level="CRITICAL")
        elif verbose:
            self.stdout.write(
                "Plain HTTP: for a real school, put a TLS proxy in front and set an https:// "
                "CREDO_BASE_URL (see docs/deploy.md)."
            )
        pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
        close_all_connections()
        worker = None
        if with_worker:
            worker = subprocess.Popen(  # our own interpreter and module
                [sys.executable, "-m", "credo.cli", "worker", "--verbosity", "0"],
                env={**os.environ, "CREDO_BASE_URL": settings.CREDO_BASE_URL},
            )
        if verbose:
            running = f"pid {worker.pid}" if worker else "none (run `credo worker`)"
            bound = ""
            if pool:
                bound = (
                    f"; PostgreSQL connections at most {workers} × {pool['max_size']} "
                    f"(+2 for the task worker: its loop and its heartbeat)"
                )
            self.stdout.write(
                f"Credo is serving on http://{addrport}/ with gunicorn: {workers} processes × "
                f"{threads} threads{bound}; task worker: "
                f"{running}. "
                "SIGTERM or Ctrl-C stops gracefully."
            )
            self.stdout.flush()
        app = gunicorn_application(
            {
                "bind": addrport,
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                # Load Django once, then fork: the workers share its memory and start at once.
                "preload_app": True,
                "graceful_timeout": 30,
                "timeout": 120,
                # A process takes a connection only when one of its threads is free, and closes
                # it after the response: waiting requests stay in the kernel's one listen queue,
                # first come first served, instead of being taken (and kept alive) by a process
                # whose threads are all busy while the other idles. On 2 cores at 20 clients this
                # cut p95 from 316–456 ms to 258–297 ms at the same throughput. The reverse proxy
                # opens a connection per request to the app anyway (nginx's default).
                "keepalive": 0,
                "worker_connections": threads,
                "accesslog": "-" if options.get("access_log") else None,
                "errorlog": "-",
                "loglevel": os.environ.get("CREDO_WEB_LOG_LEVEL", "warning"),
                "proc_name": "credo",
                # No runtime control socket: nothing uses it, and two servers would share its path.
                "control_socket_disable": True,
                # Behind the reverse proxy on this machine; X-Forwarded-* from it are trusted.
                "forwarded_allow_ips": os.environ.get("CREDO_FORWARDED_ALLOW_IPS", "127.0.0.1,::1"),
            }
        )
        try:
            app.run()
        finally:
            if worker is not None:
                stop_process(worker, grace=60)


def stop_process(proc: subprocess.Popen, *, grace: float) -> None:
    """Ask `proc` to stop (SIGTERM: it finishes its running task), and kill it after `grace` seconds."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
