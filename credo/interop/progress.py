"""Progress of an import that runs in the background, for the page that polls it.

An import is one transaction; on SQLite that transaction holds the database's only write lock
until it ends, so its progress cannot be written to the database while it runs. It goes to a small
file beside the database instead (`$CREDO_VAR_DIR/import-progress/<run>.json`), which the worker
and every web process can see.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from django.conf import settings

EVERY = 0.25  # seconds between writes; the last step of a stage is always written


def _path(run_id: int) -> Path:
    return Path(settings.VAR_DIR) / "import-progress" / f"{int(run_id)}.json"


class FileProgress:
    """A `Progress` callback that keeps the latest (stage, done, total) of one run."""

    def __init__(self, run_id: int):
        self.path = _path(run_id)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.last = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < EVERY:
            return
        self.last = now
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps({"stage": stage, "done": done, "total": total}))
        os.replace(partial, self.path)  # readers see the old state or the new, never half of one


def read(run_id: int) -> dict | None:
    """Return the latest progress of a run ({stage, done, total}), or None before the first step."""
    try:
        return json.loads(_path(run_id).read_text())
    except (OSError, ValueError):
        return None


def clear(run_id: int) -> None:
    _path(run_id).unlink(missing_ok=True)
