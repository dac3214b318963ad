"""Health of an installation, for monitoring: the database, the task worker, the queue."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone


def health_report() -> tuple[bool, dict]:
    """Return (healthy, report): healthy when the database answers and a task worker is alive.

    Reads only. A worker is alive when its heartbeat is younger than CREDO_WORKER_STALE_SECONDS.
    """
    report: dict = {"database": {"ok": False, "vendor": connection.vendor}}
    t = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 -- any failure to answer is "down", and said so
        report["database"]["error"] = type(exc).__name__
        report["status"] = "down"
        return False, report
    report["database"].update(ok=True, ms=round((time.perf_counter() - t) * 1000, 2))

    try:
        return _worker_and_queue(report)
    except DatabaseError as exc:  # it answers, but without Credo's tables: not migrated
        report["database"].update(ok=False, error=f"{type(exc).__name__}: run `credo migrate`")
        report["status"] = "down"
        return False, report


def _worker_and_queue(report: dict) -> tuple[bool, dict]:
    from django_tasks_db.models import DBTaskResult

    from credo.core.models import WorkerHeartbeat

    now = timezone.now()
    stale = settings.CREDO_WORKER_STALE_SECONDS
    beats = list(WorkerHeartbeat.objects.order_by("-seen_at")[:50])
    alive = [b for b in beats if (now - b.seen_at).total_seconds() <= stale]
    report["worker"] = {
        "ok": bool(alive),
        "alive": len(alive),
        "stale": len(beats) - len(alive),
        "last_heartbeat_s": round((now - beats[0].seen_at).total_seconds(), 1) if beats else None,
        "stale_after_s": stale,
        "running_tasks": sum(1 for b in alive if b.running_task),
    }
    ready = DBTaskResult.objects.ready()
    oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    report["queue"] = {
        "ready": ready.count(),
        "running": DBTaskResult.objects.running().count(),
        "oldest_ready_s": round((now - oldest).total_seconds(), 1) if oldest else None,
    }
    healthy = report["worker"]["ok"]
    report["status"] = "ok" if healthy else "degraded"
    return healthy, report
