"""The background task worker (django-tasks' database backend) with a heartbeat /healthz reads.

`credo worker` runs it as its own process (production); `credo serve` runs it in a thread of the
development server. Either way the worker keeps a `WorkerHeartbeat` row fresh every few seconds
from a small thread of its own, and removes the row when it stops cleanly.
"""

from __future__ import annotations

import os
import socket
import threading

from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.management.commands.db_worker import Worker

from credo.core import runs

HEARTBEAT_SECONDS = 5.0


class CredoWorker(Worker):
    """django-tasks-db's worker, counting the tasks it ran and naming the one it is running."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.running_task_id = ""
        self.tasks_done = 0

    def run_task(self, db_task_result) -> None:
        self.running_task_id = str(db_task_result.id)
        try:
            super().run_task(db_task_result)
        finally:
            self.running_task_id = ""
            self.tasks_done += 1


def make_worker(
    *,
    batch: bool = False,
    interval: float = 0.5,
    queues: list[str] | None = None,
    worker_id: str | None = None,
    max_tasks: int | None = None,
) -> CredoWorker:
    """Return a worker for the default backend's queues (`["*"]` for every queue)."""
    queues = queues or [DEFAULT_TASK_QUEUE_NAME]
    return CredoWorker(
        queue_names=queues,
        interval=interval,
        batch=batch,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=worker_id or runs.worker_id("worker"),
        excluded_queue_names=[],
    )


class Heartbeat:
    """Refresh the worker's `WorkerHeartbeat` row every `every` seconds from a daemon thread."""

    def __init__(self, worker: CredoWorker, *, every: float = HEARTBEAT_SECONDS):
        self.worker = worker
        self.every = every
        self.started_at = timezone.now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="credo-heartbeat", daemon=True)

    def beat(self) -> None:
        """Write the row now (create it on the first beat)."""
        from credo.core.models import WorkerHeartbeat

        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker.worker_id,
            defaults={
                "hostname": socket.gethostname()[:255],
                "pid": os.getpid(),
                "started_at": self.started_at,
                "seen_at": timezone.now(),
                "tasks_done": self.worker.tasks_done,
                "running_task": self.worker.running_task_id,
            },
        )

    def start(self) -> Heartbeat:
        self.beat()
        connection.close()
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            try:
                close_old_connections()
                self.beat()
            except Exception:  # noqa: BLE001,S110 -- a missed beat is retried; /healthz sees the gap
                pass
            finally:
                connection.close()

    def stop(self) -> None:
        """Stop beating and remove the row: a worker that stopped cleanly is not a stale one."""
        from credo.core.models import WorkerHeartbeat

        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.every + 5)
        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker.worker_id).delete()
        finally:
            connection.close()


def run_worker(*, handle_signals: bool, **kwargs) -> CredoWorker:
    """Run a worker with its heartbeat until it stops (a signal, or an empty queue in batch mode).

    `handle_signals` installs django-tasks-db's handlers (SIGTERM/SIGINT finish the running task,
    then stop); only the main thread may do that.
    """
    worker = make_worker(**kwargs)
    heartbeat = Heartbeat(worker).start()
    if handle_signals:
        worker.configure_signals()
    try:
        worker.run()
    finally:
        heartbeat.stop()
    return worker
