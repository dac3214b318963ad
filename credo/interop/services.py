"""The front door of every import: who may, which importer, and the web's upload → preview → confirm.

`import_data` is what the command line, the web app and the API call. Each import is
all-or-nothing in one transaction; a dry run reports what would change and writes nothing.
"""

from __future__ import annotations

import io
import logging
import zipfile

from django.db import transaction
from django.utils import timezone

from credo.accounts.access import system_actor
from credo.core import runs
from credo.core.audit import Event, audit_record
from credo.core.errors import NotAllowed, refuse
from credo.interop import oneroster
from credo.interop.access import may_import
from credo.interop.common import ImportRefused, Problem, Summary, no_progress
from credo.interop.events import (
    IMPORT_APPLIED,
    IMPORT_CONFIRMED,
    IMPORT_INTERRUPTED,
    IMPORT_PREVIEWED,
    IMPORT_RETRIED,
    IMPORT_UPLOADED,
)
from credo.interop.models import ImportKind, ImportRun, ImportState

MAX_UPLOAD = 50 * 1024 * 1024
BACKGROUND_BYTES = 64 * 1024  # unpacked; bigger files are checked and applied by the task worker

log = logging.getLogger(__name__)


def require_importer(actor, school) -> None:
    """Raise NotAllowed unless `actor` may import into `school` (see `interop.access.may_import`).

    A roster that names its own schools (`school` None) takes the installation's operator: a
    superuser or the system actor the command line acts as.
    """
    if actor is None:
        raise NotAllowed("Nobody is acting: only a school admin or registrar may import data.")
    if school is None:
        if not actor.is_superuser:
            raise NotAllowed(
                "Only the installation's operator may import a roster of several schools."
            )
        return
    if not may_import(actor, school):
        raise NotAllowed("Only a school admin or registrar may import data.")


def import_data(
    *,
    actor,
    school,
    kind: str,
    data: bytes | dict,
    filename: str,
    dry_run: bool = False,
    options: dict | None = None,
    progress=None,
) -> Summary:
    """Import `data` of `kind` into `school`; return the summary. Raise ImportRefused listing every problem.

    For OneRoster, `data` is the zip's bytes or {file name: bytes}; `school` may be None only on the
    command line, where each school organisation of the set becomes (or updates) a school.
    """
    options = options or {}
    require_importer(actor, school)
    if kind == ImportKind.ONEROSTER:
        from credo.interop.importers.oneroster import import_oneroster

        if school is None and not actor.is_superuser:
            refuse("school", "Say which school the roster is for.")
        if isinstance(data, bytes):
            try:
                files = oneroster.read_zip(data)
            except ValueError as exc:  # not a zip, or one that would unpack too big
                raise ImportRefused([Problem(filename, 1, "file", str(exc))]) from None
        else:
            files = data
        roster = oneroster.parse(files, progress=progress)
        return import_oneroster(
            actor=actor, roster=roster, school=school, dry_run=dry_run, progress=progress
        )
    if school is None:
        refuse("school", "Say which school to import into.")
    if kind == ImportKind.CASE:
        from credo.interop.importers.case import import_case

        return import_case(
            actor=actor, school=school, name=filename, data=data, dry_run=dry_run, progress=progress
        )
    if kind == ImportKind.CANVAS:
        from credo.interop.importers.canvas import import_canvas

        return import_canvas(
            actor=actor,
            school=school,
            name=filename,
            data=data,
            dry_run=dry_run,
            framework_name=options.get("framework", ""),
            progress=progress,
        )
    if kind == ImportKind.SCORES:
        from credo.interop.importers.scores import import_scores

        return import_scores(
            actor=actor, school=school, name=filename, data=data, dry_run=dry_run, progress=progress
        )
    refuse("kind", f"“{kind}” is not one of {', '.join(ImportKind.values)}.")
    raise AssertionError  # refuse raises


def needs_background(kind: str, content: bytes) -> bool:
    """Whether a file is big enough to check and apply in the background rather than in the request.

    Measured on rosters, the slowest kind, on a busy two-core machine: a 200-student set (120 KB
    of CSV) took 6 s to preview against a school of 5,000 students, a 5,000-student set (4 MB)
    about 20 s. A few hundred scores or a framework stay well under a second.
    """
    return _unpacked_size(kind, content) > BACKGROUND_BYTES


def _unpacked_size(kind: str, content: bytes) -> int:
    if kind == ImportKind.ONEROSTER and content[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                return sum(info.file_size for info in archive.infolist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return len(content)  # unreadable: refused at once, in the request
    return len(content)


def import_run_start(
    *,
    actor,
    school,
    kind: str,
    filename: str,
    content: bytes,
    options: dict | None = None,
    background: bool | None = None,
) -> ImportRun:
    """Keep an uploaded file and find out what importing it would change, or why it cannot be imported.

    A small file is checked at once; a big one (or any, with `background=True`) is checked by a
    background task, and the run's page follows its progress.
    """
    require_importer(actor, school)
    if kind not in ImportKind.values:
        refuse("kind", "Choose what kind of file this is.")
    if not content:
        refuse("file", "The file is empty.")
    if len(content) > MAX_UPLOAD:
        refuse("file", f"The file is larger than {MAX_UPLOAD // (1024 * 1024)} MB.")
    if background is None:
        background = needs_background(kind, content)
    run = ImportRun(
        school=school,
        kind=kind,
        filename=filename[:255],
        content=content,
        options=options or {},
        created_by=actor,
        state=ImportState.CHECKING,
        queued_at=timezone.now() if background else None,
    )
    with transaction.atomic(durable=True):
        run.save()
        _audit_run(actor, run, IMPORT_UPLOADED)
        if background:
            run_id = run.pk
            transaction.on_commit(lambda: _enqueue(run_id, apply=False))
    if background:
        return run
    return import_run_execute(run.pk, apply=False, progress=no_progress)


def import_run_confirm(*, actor, run: ImportRun, background: bool | None = None) -> ImportRun:
    """Apply a previewed import. The file is checked again: the school may have changed since.

    A big file is applied by a background task (the run's page follows it); a small one at once.
    """
    require_importer(actor, run.school)
    if background is None:
        background = needs_background(run.kind, bytes(run.content))
    with transaction.atomic(durable=True):
        # Locked, so that a second click (or a second admin) cannot apply the same file twice.
        locked = ImportRun.objects.select_for_update().get(pk=run.pk)
        if locked.state != ImportState.PREVIEWED:
            refuse(None, "Only a previewed import that has not been applied can be confirmed.")
        locked.state, locked.applied_by = ImportState.APPLYING, actor
        locked.queued_at, locked.started_at, locked.finished_at = timezone.now(), None, None
        locked.save(update_fields=["state", "applied_by", "queued_at", "started_at", "finished_at"])
        _audit_run(actor, locked, IMPORT_CONFIRMED)
        if background:
            run_id = locked.pk
            transaction.on_commit(lambda: _enqueue(run_id, apply=True))
    if background:
        return locked
    return import_run_execute(run.pk, apply=True, progress=no_progress)


def import_run_execute(run_id: int, *, apply: bool, progress=None) -> ImportRun:
    """Check (a dry run) or apply a run queued for the background; return it in its new state.

    Runs in the task worker. Progress goes to `credo.interop.progress` as the import goes, for
    the run's page; a failure that is not a problem of the file is kept on the run as its error.
    """
    from credo.interop.progress import FileProgress

    wanted = ImportState.APPLYING if apply else ImportState.CHECKING
    with transaction.atomic(durable=True):
        run = (
            ImportRun.objects.select_for_update(of=("self",))
            .select_related("school", "created_by", "applied_by")
            .get(pk=run_id)
        )
        if run.state != wanted or run.started_at is not None:
            return run  # already done, or taken by another worker
        run.started_at = run.heartbeat_at = timezone.now()
        run.worker = runs.worker_identity()
        run.save(update_fields=["started_at", "worker", "heartbeat_at"])
    progress = progress or FileProgress(run.pk)
    with runs.Heartbeat(ImportRun, run.pk):
        return _execute(run, apply=apply, progress=progress)


def _execute(run: ImportRun, *, apply: bool, progress) -> ImportRun:
    from credo.interop.progress import clear

    run_id = run.pk
    try:
        if apply:
            _apply(run, actor=run.applied_by, progress=progress)
        else:
            _check(run, actor=run.created_by, progress=progress)
            run.finished_at = timezone.now()
            with transaction.atomic(durable=True):
                run.save(update_fields=["summary", "warnings", "problems", "state", "finished_at"])
                _audit_run(run.created_by, run, IMPORT_PREVIEWED)
    except Exception as exc:  # kept on the run for the admin; the import rolled back
        log.exception("Import run %s failed", run_id)
        run.state, run.finished_at = ImportState.FAILED, timezone.now()
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
        run.save(update_fields=["state", "finished_at", "error"])
    finally:
        clear(run.pk)
    return run


def import_run_lost(run: ImportRun) -> str | None:
    """Return why a run still checking or importing will never finish (its worker died), or None."""
    if not run.working:
        return None
    if run.started_at is not None:
        return runs.taken_run_lost(
            worker=run.worker, heartbeat_at=run.heartbeat_at, started_at=run.started_at
        )
    if run.queued_at is not None:
        return runs.queued_run_lost(task_id=run.task_id, queued_at=run.queued_at)
    return None


def import_runs_recover() -> list[str]:
    """Mark failed every import whose worker died (nothing of it was written); say which."""
    said = []
    working = ImportRun.objects.filter(state__in=[ImportState.CHECKING, ImportState.APPLYING])
    for run in working.defer("content"):
        reason = import_run_lost(run)
        if reason and import_run_recover(run_id=run.pk, reason=reason):
            said.append(f"import run {run.pk} ({run.school_id}): marked failed")
    return said


def import_run_recover(*, run_id: int, reason: str) -> bool:
    """Mark a lost run failed, saying why, so that a person may retry it; return whether it was.

    An import is one transaction: a worker that died mid-way wrote nothing. The run is looked
    at again under a lock, so one that another process took meanwhile is left alone.
    """
    with transaction.atomic(durable=True):
        run = ImportRun.objects.select_for_update().defer("content").get(pk=run_id)
        if import_run_lost(run) is None:
            return False
        step = "importing" if run.state == ImportState.APPLYING else "checking"
        before = {"state": run.state, "worker": run.worker}
        run.state, run.finished_at = ImportState.FAILED, timezone.now()
        run.error = (
            f"The work stopped while {step} the file: {reason}. Nothing was changed; "
            "retry it when the worker runs again."
        )
        run.save(update_fields=["state", "finished_at", "error"])
        audit_record(
            actor=system_actor(),
            school=run.school_id,
            action=IMPORT_INTERRUPTED,
            target=run,
            before=before,
            after={"state": run.state, "reason": reason},
        )
    from credo.interop.progress import clear

    clear(run_id)
    return True


def import_run_retry(*, actor, run: ImportRun, background: bool | None = None) -> ImportRun:
    """Check or import a failed run's file again: importing if it had been confirmed, else checking."""
    require_importer(actor, run.school)
    if background is None:
        background = needs_background(run.kind, bytes(run.content))
    with transaction.atomic(durable=True):
        locked = ImportRun.objects.select_for_update().get(pk=run.pk)
        lost = import_run_lost(locked)
        if locked.state != ImportState.FAILED and not lost:
            refuse(None, "Only an import that stopped with an error can be retried.")
        if lost:  # its worker died: nothing of it was written
            locked.error = f"The work stopped: {lost}."
        before = {"state": locked.state, "error": locked.error}
        confirmed = locked.applied_by_id is not None or locked.state == ImportState.APPLYING
        locked.state = ImportState.APPLYING if confirmed else ImportState.CHECKING
        locked.queued_at = timezone.now() if background else None
        locked.started_at = locked.finished_at = None
        locked.error, locked.worker, locked.task_id = "", "", ""
        locked.save(
            update_fields=[
                "state",
                "queued_at",
                "started_at",
                "finished_at",
                "error",
                "worker",
                "task_id",
            ]
        )
        audit_record(
            actor=actor,
            school=locked.school_id,
            action=IMPORT_RETRIED,
            target=locked,
            before=before,
            after={"state": locked.state},
        )
        apply = locked.state == ImportState.APPLYING
        if background:
            transaction.on_commit(lambda: _enqueue(locked.pk, apply=apply))
    if background:
        return locked
    return import_run_execute(locked.pk, apply=apply, progress=no_progress)


def _check(run: ImportRun, *, actor, progress=None) -> None:
    """Dry-run the run's file; set its summary or its problems (not saved)."""
    try:
        summary = import_data(
            actor=actor,
            school=run.school,
            kind=run.kind,
            data=bytes(run.content),
            filename=run.filename,
            dry_run=True,
            options=run.options,
            progress=progress,
        )
        run.summary, run.warnings, run.state = (
            summary.as_dict(),
            summary.warnings,
            ImportState.PREVIEWED,
        )
    except ImportRefused as exc:
        run.problems = [p.as_dict() for p in exc.problems]
        run.state = ImportState.REFUSED


def _apply(run: ImportRun, *, actor, progress=None) -> None:
    """Import the run's file for real, all or nothing, and save the run's outcome."""
    try:
        summary = import_data(
            actor=actor,
            school=run.school,
            kind=run.kind,
            data=bytes(run.content),
            filename=run.filename,
            options=run.options,
            progress=progress,
        )
    except ImportRefused as exc:
        run.problems = [p.as_dict() for p in exc.problems]
        run.state, run.finished_at = ImportState.REFUSED, timezone.now()
        run.save(update_fields=["problems", "state", "started_at", "finished_at"])
        return
    with transaction.atomic(durable=True):
        run.summary, run.warnings, run.state = (
            summary.as_dict(),
            summary.warnings,
            ImportState.APPLIED,
        )
        run.applied_by, run.applied_at = actor, timezone.now()
        run.finished_at = run.applied_at
        run.save(
            update_fields=[
                "summary",
                "warnings",
                "state",
                "applied_by",
                "applied_at",
                "started_at",
                "finished_at",
            ]
        )
        audit_record(
            actor=actor,
            school=run.school,
            action=IMPORT_APPLIED,
            target=run,
            after={"kind": run.kind, "filename": run.filename, "changes": summary.changed},
        )


def _audit_run(actor, run: ImportRun, action: Event) -> None:
    audit_record(
        actor=actor,
        school=run.school,
        action=action,
        target=run,
        after={
            "kind": run.kind,
            "filename": run.filename,
            "state": run.state,
            "problems": len(run.problems),
            "changes": run.summary.get("changed", 0),
        },
    )


def _enqueue(run_id: int, *, apply: bool) -> None:
    from credo.interop.tasks import apply_run, check_run

    result = (apply_run if apply else check_run).enqueue(run_id)
    # The immediate backend (tests) has run the whole task by now; the run is finished.
    ImportRun.objects.filter(pk=run_id).update(task_id=str(result.id)[:64])
