"""Find the runs whose worker died and hand each to its domain: resumed, or failed for a retry.

`recover_runs` is one pass; `credo serve` (and any long-running worker) runs `watch` in a thread,
and `credo runs recover` runs one pass from the command line or a timer. Which runs are lost is
decided in `credo.core.runs`; what happens to them in `transcripts.services` (a publication goes
on where it stopped) and `interop.services` (an import, all or nothing, is marked failed).
"""

from __future__ import annotations

import logging
import threading

from django.db import connection

log = logging.getLogger(__name__)

EVERY = 30.0  # seconds between passes of the watchdog


def recover_runs() -> list[str]:
    """Resume or fail every run whose worker died, and fail its tasks; return one line for each."""
    from credo.core.runs import fail_tasks_of_dead_workers
    from credo.interop.services import import_runs_recover
    from credo.transcripts.services import publication_runs_recover

    return [*fail_tasks_of_dead_workers(), *publication_runs_recover(), *import_runs_recover()]


def watch(every: float = EVERY, stop: threading.Event | None = None) -> None:
    """Run `recover_runs` now and then every `every` seconds until `stop` is set (or for ever)."""
    stop = stop or threading.Event()
    while True:
        try:
            for line in recover_runs():
                log.warning("recovered %s", line)
        except Exception:  # a failed pass is retried at the next one
            log.exception("recovering interrupted runs failed")
        finally:
            connection.close()
        if stop.wait(every):
            return


def start_watchdog(every: float = EVERY, stop: threading.Event | None = None) -> threading.Thread:
    """Start `watch` in a daemon thread of this process (until `stop` is set); return the thread."""
    thread = threading.Thread(
        target=watch, kwargs={"every": every, "stop": stop}, name="credo-run-watchdog", daemon=True
    )
    thread.start()
    return thread
