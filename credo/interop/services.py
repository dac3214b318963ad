"""The front door of every import: who may, which importer, and the web's upload → preview → confirm.

`import_data` is what the command line, the web app and the API call. Each import is
all-or-nothing in one transaction; a dry run reports what would change and writes nothing.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from credo.accounts.access import roles_in
from credo.accounts.models import MANAGER_ROLES
from credo.core.audit import audit_record
from credo.core.errors import NotAllowed, refuse
from credo.interop import oneroster
from credo.interop.common import ImportRefused, Problem, Summary
from credo.interop.models import ImportKind, ImportRun, ImportState

MAX_UPLOAD = 50 * 1024 * 1024


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


def import_run_preview(
    *, actor, school, kind: str, filename: str, content: bytes, options: dict | None = None
) -> ImportRun:
    """Keep an uploaded file and what importing it would change (or why it cannot be imported)."""
    require_importer(actor, school)
    if kind not in ImportKind.values:
        refuse("kind", "Choose what kind of file this is.")
    if not content:
        refuse("file", "The file is empty.")
    if len(content) > MAX_UPLOAD:
        refuse("file", f"The file is larger than {MAX_UPLOAD // (1024 * 1024)} MB.")
    run = ImportRun(
        school=school,
        kind=kind,
        filename=filename[:255],
        content=content,
        options=options or {},
        created_by=actor,
    )
    try:
        summary = import_data(
            actor=actor,
            school=school,
            kind=kind,
            data=content,
            filename=filename,
            dry_run=True,
            options=options,
        )
        run.summary, run.warnings, run.state = (
            summary.as_dict(),
            summary.warnings,
            ImportState.PREVIEWED,
        )
    except ImportRefused as exc:
        run.problems = [p.as_dict() for p in exc.problems]
        run.state = ImportState.REFUSED
    with transaction.atomic(durable=True):
        run.save()
        audit_record(
            actor=actor,
            school=school,
            action="import.previewed",
            target=run,
            after={
                "kind": kind,
                "filename": run.filename,
                "state": run.state,
                "problems": len(run.problems),
                "changes": run.summary.get("changed", 0),
            },
        )
    return run


def import_run_confirm(*, actor, run: ImportRun) -> ImportRun:
    """Apply a previewed import. The file is checked again: the school may have changed since."""
    require_importer(actor, run.school)
    if run.state != ImportState.PREVIEWED:
        refuse(None, "Only a previewed import that has not been applied can be confirmed.")
    try:
        summary = import_data(
            actor=actor,
            school=run.school,
            kind=run.kind,
            data=bytes(run.content),
            filename=run.filename,
            options=run.options,
        )
    except ImportRefused as exc:
        run.problems = [p.as_dict() for p in exc.problems]
        run.state = ImportState.REFUSED
        run.save(update_fields=["problems", "state"])
        return run
    with transaction.atomic(durable=True):
        run.summary, run.warnings, run.state = (
            summary.as_dict(),
            summary.warnings,
            ImportState.APPLIED,
        )
        run.applied_by, run.applied_at = actor, timezone.now()
        run.save(update_fields=["summary", "warnings", "state", "applied_by", "applied_at"])
        audit_record(
            actor=actor,
            school=run.school,
            action="import.applied",
            target=run,
            after={"kind": run.kind, "filename": run.filename, "changes": summary.changed},
        )
    return run
