"""Runs that survive a crash: who is working on a run, whether that process is still alive.

A long run (a publication of a cohort, an import checked or applied in the background) records
the process that took it — ``host/pid/start time`` — and, on PostgreSQL, a heartbeat every
`BEAT` seconds from a thread of that process. A run is *lost* when:

- it was taken, and its process is gone: on the same host, the process with that pid and start
  time no longer runs (exact, immediate); on another host, its heartbeat is older than
  `stale_after()` (``CREDO_RUN_STALE_SECONDS``, default 120);
- it waits in the queue, but its task is missing from the queue or ended without taking it.

SQLite runs are always on one host, so the process check decides there and no heartbeat is
written (an import holds SQLite's only write lock for its whole transaction).
What to do with a lost run — resume it, or mark it failed for a person to retry — is each
domain's decision (`transcripts.services`, `interop.services`); `credo.core.recovery` asks them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import socket
import threading
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import connection, models
from django.utils import timezone

log = logging.getLogger(__name__)

BEAT = 20.0  # seconds between heartbeats
DEFAULT_STALE_AFTER = 120  # seconds without a heartbeat before another host's run counts as lost


def stale_after() -> dt.timedelta:
    seconds = getattr(settings, "CREDO_RUN_STALE_SECONDS", None) or os.environ.get(
        "CREDO_RUN_STALE_SECONDS", DEFAULT_STALE_AFTER
    )
    return dt.timedelta(seconds=float(seconds))


@cache
def _host() -> str:
    return socket.gethostname()[:100]


def _start_time(pid: int) -> str | None:
    """Return the process's start time (clock ticks since boot) from /proc; "" for a zombie; None if gone."""
    try:
        data = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:
        return None
    fields = data.rsplit(")", 1)[1].split()
    if fields[0] in ("Z", "X"):  # exited, not yet reaped
        return None
    return fields[19]


def worker_identity(pid: int | None = None) -> str:
    """Return ``host/pid/start`` for this process (or `pid`), unique even when pids are reused."""
    pid = os.getpid() if pid is None else pid
    return f"{_host()}/{pid}/{_start_time(pid) or '?'}"


def process_alive(identity: str) -> bool | None:
    """Return whether the process named by `identity` still runs; None when it is on another host."""
    try:
        host, pid_text, start = identity.rsplit("/", 2)
        pid = int(pid_text)
    except ValueError:
        return None
    if host != _host():
        return None
    if Path("/proc/self/stat").exists():
        return _start_time(pid) == start
    try:  # no /proc: the pid alone
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def taken_run_lost(
    *, worker: str, heartbeat_at: dt.datetime | None, started_at=None, now=None
) -> str | None:
    """Return why a run that a process took is lost (its process is gone), or None while it lives.

    A run taken before Credo recorded the process (an older version) counts as lost once it has
    been running longer than `stale_after()` with no sign of life.
    """
    now = now or timezone.now()
    if not worker:
        last = heartbeat_at or started_at
        if last is not None and now - last > stale_after():
            return "it was started by an earlier Credo, which did not say which process ran it"
        return None
    alive = process_alive(worker)
    if alive is True:
        return None
    if alive is False:
        return f"the process working on it ({worker}) stopped"
    if heartbeat_at is None or now - heartbeat_at > stale_after():
        seen = f"since {heartbeat_at:%Y-%m-%d %H:%M:%S} UTC" if heartbeat_at else "ever"
        return f"the process working on it ({worker}) has not been heard from {seen}"
    return None


def queued_run_lost(*, task_id: str, queued_at: dt.datetime | None, now=None) -> str | None:
    """Return why a run waiting in the queue will never be taken, or None while it may be.

    Only the database queue can be asked; with another backend a queued run is never judged.
    """
    if "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]:
        return None
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    result = None
    if task_id:
        with contextlib.suppress(ValueError, DBTaskResult.DoesNotExist):
            result = DBTaskResult.objects.get(pk=task_id)
    if result is None:
        if queued_at is not None and now - queued_at > stale_after():
            return "its task is not in the queue"
        return None
    if result.status in ("SUCCESSFUL", "FAILED"):
        return f"its task ended ({result.status.lower()}) without running it"
    if result.status == "RUNNING" and result.started_at and now - result.started_at > stale_after():
        return "its task started but never took it"
    return None


def task_ended(task_id: str) -> str | None:
    """Return how the run's queued task ended (it raised, or returned early), or None if it has not."""
    if not task_id or "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]:
        return None
    from django_tasks_db.models import DBTaskResult

    status = None
    with contextlib.suppress(ValueError):
        status = DBTaskResult.objects.filter(pk=task_id).values_list("status", flat=True).first()
    if status in ("SUCCESSFUL", "FAILED"):
        return f"its task ended ({status.lower()}) before the run did"
    return None


def worker_id(label: str) -> str:
    """Return a task worker's id that says which process it is (``serve:host/pid/start``)."""
    return f"{label}:{worker_identity()}"


def fail_tasks_of_dead_workers() -> list[str]:
    """Mark failed the queue's tasks left running by a worker process that died; say which.

    Only workers whose id names their process (`worker_id`) on this host can be judged; the
    runs those tasks carried are recovered by their domains.
    """
    if "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]:
        return []
    from django_tasks_db.models import DBTaskResult

    said = []
    for result in DBTaskResult.objects.filter(status="RUNNING").only(
        "id", "worker_ids", "task_path"
    ):
        identity = (result.worker_ids or [""])[-1].split(":", 1)[-1]
        if process_alive(identity) is not False:
            continue
        changed = DBTaskResult.objects.filter(pk=result.pk, status="RUNNING").update(
            status="FAILED",
            finished_at=timezone.now(),
            exception_class_path="credo.core.runs.WorkerDied",
            traceback=f"The worker process {identity} stopped while it ran this task.",
        )
        if changed:
            said.append(f"task {result.pk} ({result.task_path}): its worker {identity} died")
    return said


class Heartbeat:
    """While open, stamp ``heartbeat_at`` on one row every `BEAT` seconds from a thread (PostgreSQL).

    On SQLite it does nothing: runs there are judged by their process, and a heartbeat would
    wait behind an import holding the database's only write lock.
    """

    def __init__(self, model: type[models.Model], pk: int, every: float = BEAT):
        self.model, self.pk, self.every = model, pk, every
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def __enter__(self):
        if connection.vendor != "sqlite":
            self.thread = threading.Thread(target=self._run, name="credo-heartbeat", daemon=True)
            self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        if self.thread is not None:
            self.thread.join(timeout=self.every + 5)
        return False

    def _run(self):
        from django.db import connection as own  # this thread's own connection

        try:
            while not self.stop.wait(self.every):
                try:
                    self.model.objects.filter(pk=self.pk).update(heartbeat_at=timezone.now())
                except Exception:  # noqa: BLE001 -- a missed beat is retried; the run goes on
                    log.warning("heartbeat of %s %s missed", self.model.__name__, self.pk)
        finally:
            own.close()
