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

from credo.accounts.access import roles_in
from credo.accounts.models import MANAGER_ROLES
from credo.core.audit import audit_record
from credo.core.errors import NotAllowed, refuse
from credo.interop import oneroster
from credo.interop.common import ImportRefused, Problem, Summary, no_progress
from credo.interop.models import ImportKind, ImportRun, ImportState

MAX_UPLOAD = 50 * 1024 * 1024
BACKGROUND_BYTES = 64 * 1024  # unpacked; bigger files are checked and applied by the task worker

log = logging.getLogger(__name__)


def require_importer(actor, school) -> None:
    """Raise NotAllowed unless `actor` is an admin or registrar of `school` (None: the command line)."""
    if actor is None or getattr(actor, "is_superuser", False):
        return
    if school is None or not (roles_in(actor, school) & MANAGER_ROLES):
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

        if school is None and actor is not None and not actor.is_superuser:
            refuse("school", "Say which school the roster is for.")
        if isinstance(data, bytes):
            try:
                files = oneroster.read_zip(data)
            except ValueError as exc:
                raise ImportRefused(
                    [Problem(filename, 1, "file", f"{exc}; upload the OneRoster set as a zip")]
                ) from None
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
        _audit_run(actor, run, "import.uploaded")
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
        _audit_run(actor, locked, "import.confirmed")
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
    from credo.interop.progress import FileProgress, clear

    wanted = ImportState.APPLYING if apply else ImportState.CHECKING
    with transaction.atomic(durable=True):
        run = (
            ImportRun.objects.select_for_update(of=("self",))
            .select_related("school", "created_by", "applied_by")
            .get(pk=run_id)
        )
        if run.state != wanted or run.started_at is not None:
            return run  # already done, or taken by another worker
        run.started_at = timezone.now()
        run.save(update_fields=["started_at"])
    progress = progress or FileProgress(run.pk)
    try:
        if apply:
            _apply(run, actor=run.applied_by, progress=progress)
        else:
            _check(run, actor=run.created_by, progress=progress)
            run.finished_at = timezone.now()
            with transaction.atomic(durable=True):
                run.save(update_fields=["summary", "warnings", "problems", "state", "finished_at"])
                _audit_run(run.created_by, run, "import.previewed")
    except Exception as exc:  # noqa: BLE001 -- kept on the run for the admin; the import rolled back
        log.exception("Import run %s failed", run_id)
        run.state, run.finished_at = ImportState.FAILED, timezone.now()
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
        run.save(update_fields=["state", "finished_at", "error"])
    finally:
        clear(run.pk)
    return run


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
            action="import.applied",
            target=run,
            after={"kind": run.kind, "filename": run.filename, "changes": summary.changed},
        )


def _audit_run(actor, run: ImportRun, action: str) -> None:
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
