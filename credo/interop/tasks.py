"""Background work for imports (django-tasks; `credo serve` runs the worker)."""

from __future__ import annotations

from django_tasks import task


@task()
def check_run(run_id: int) -> str:
    """Work out what an uploaded file would change (a dry run); return the run's new state."""
    from credo.interop.services import import_run_execute

    return import_run_execute(run_id, apply=False).state


@task()
def apply_run(run_id: int) -> str:
    """Apply a confirmed import, all or nothing; return the run's new state."""
    from credo.interop.services import import_run_execute

    return import_run_execute(run_id, apply=True).state
