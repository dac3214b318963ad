"""Publication runs: publishing many students' transcripts on the task queue, recovering and retrying runs."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from credo.accounts.access import require_manage_setup, system_actor
from credo.accounts.models import Student
from credo.core import runs
from credo.core.audit import audit_record
from credo.core.errors import ValidationError, refuse
from credo.transcripts import selectors
from credo.transcripts.events import (
    TRANSCRIPT_RUN_FINISHED,
    TRANSCRIPT_RUN_INTERRUPTED,
    TRANSCRIPT_RUN_QUEUED,
    TRANSCRIPT_RUN_RESUMED,
    TRANSCRIPT_RUN_RETRIED,
)
from credo.transcripts.models import PublicationRun, RunStatus
from credo.transcripts.services.publishing import _publish


def publication_run_start(
    *,
    actor,
    school,
    cohort: int | None = None,
    student_ids: Sequence[int] | None = None,
    note: str = "",
    render_pdf: bool = True,
    enqueue: bool = True,
) -> PublicationRun:
    """Queue the publication of a cohort's (or some students') transcripts as a background task.

    Give ``cohort`` (a graduation year) or ``student_ids``. Return the run, whose progress the
    task updates as it goes.
    """
    require_manage_setup(actor, school, "publish transcripts")
    if (cohort is None) == (student_ids is None):
        refuse("cohort", "Choose a cohort or a list of students.")
    students = Student.objects.filter(school=school, active=True)
    if cohort is not None:
        if not isinstance(cohort, int):
            refuse("cohort", "Give a graduation year.")
        students = students.filter(graduation_year=cohort)
    else:
        assert student_ids is not None  # one of the two was given (checked above)
        wanted = sorted({int(i) for i in student_ids})
        students = students.filter(pk__in=wanted)
        found = set(students.values_list("pk", flat=True))
        missing = [i for i in wanted if i not in found]
        if missing:
            refuse(
                "student_ids",
                f"No active student of this school has the id {', '.join(map(str, missing))}.",
            )
    ids = list(students.order_by("family_name", "given_name", "id").values_list("pk", flat=True))
    if not ids:
        refuse(
            "cohort",
            f"The class of {cohort} has no active students." if cohort else "No students chosen.",
        )
    with transaction.atomic(durable=True):
        run = PublicationRun.objects.create(
            school=school,
            requested_by=actor,
            cohort=cohort,
            student_ids=ids,
            note=note[:200],
            render_pdf=render_pdf,
            total=len(ids),
        )
        audit_record(
            actor=actor,
            school=school,
            action=TRANSCRIPT_RUN_QUEUED,
            target=run,
            after={"cohort": cohort, "students": len(ids), "render_pdf": render_pdf},
            note=note,
        )
        if enqueue:
            run_id = run.pk
            transaction.on_commit(lambda: _enqueue_run(run_id))
    return run


def _enqueue_run(run_id: int) -> None:
    from credo.transcripts.tasks import publish_run

    result = publish_run.enqueue(run_id)
    # The immediate backend has already run the whole task by now; the row is finished.
    PublicationRun.objects.filter(pk=run_id).update(task_id=str(result.id)[:64])


def publication_run_execute(
    run_id: int, *, progress: Callable[[PublicationRun], None] | None = None
) -> PublicationRun:
    """Publish every transcript of a run, one student per transaction, updating its progress.

    Each new version's HTML is rendered (and its PDF, when the run asks) as it is published, so
    the run's timings say what a transcript costs. A student whose publication fails is
    recorded in the run's errors; the others go on. A run re-queued after its worker died
    resumes after the students it had dealt with (`publication_runs_recover`).
    """
    with transaction.atomic(durable=True):
        run = PublicationRun.objects.select_for_update().get(pk=run_id)
        if run.finished or run.status == RunStatus.RUNNING:
            return run  # done, or another worker has it (a dead one's run is re-queued first)
        run.status, run.started_at = RunStatus.RUNNING, run.started_at or timezone.now()
        run.worker, run.heartbeat_at = runs.worker_identity(), timezone.now()
        run.attempts += 1
        run.save(update_fields=["status", "started_at", "worker", "heartbeat_at", "attempts"])
    with runs.Heartbeat(PublicationRun, run.pk):
        return _publish_students(run, progress)


def _publish_students(run: PublicationRun, progress) -> PublicationRun:
    from credo.transcripts import render
    from credo.transcripts.pdf import store_pdf

    students = {
        s.pk: s
        for s in Student.objects.filter(
            school_id=run.school_id, pk__in=run.student_ids
        ).select_related("school")
    }
    actor = run.requested_by
    # A resumed run goes on after the students already dealt with. One published but not yet
    # counted when the worker died is published again: unchanged, it keeps its version.
    for student_id in run.student_ids[run.position :]:
        student = students.get(student_id)
        error = None
        timings = {"publish": 0.0, "html": 0.0, "pdf": 0.0}
        try:
            if student is None or not student.active:
                raise ValidationError("not an active student of this school")
            t = time.perf_counter()
            with transaction.atomic(durable=True):
                result = _publish(actor=actor, student=student, note=run.note, run=run, force=False)
            timings["publish"] = time.perf_counter() - t
            t = time.perf_counter()
            render.render_html(result.version)
            timings["html"] = time.perf_counter() - t
            if run.render_pdf:
                t = time.perf_counter()
                store_pdf(result.version)
                timings["pdf"] = time.perf_counter() - t
        except Exception as exc:  # noqa: BLE001 -- one student's failure must not stop the cohort
            error = f"{student or student_id}: {'; '.join(getattr(exc, 'messages', [str(exc)]))}"
        with transaction.atomic(durable=True):
            changes = {
                "heartbeat_at": timezone.now(),
                "publish_seconds": F("publish_seconds") + timings["publish"],
                "html_seconds": F("html_seconds") + timings["html"],
                "pdf_seconds": F("pdf_seconds") + timings["pdf"],
            }
            if error:
                run = PublicationRun.objects.select_for_update().get(pk=run.pk)
                run.errors = [*run.errors, error]
                run.save(update_fields=["errors"])
                PublicationRun.objects.filter(pk=run.pk).update(failed=F("failed") + 1, **changes)
            else:
                PublicationRun.objects.filter(pk=run.pk).update(done=F("done") + 1, **changes)
        run.refresh_from_db()
        if progress is not None:
            progress(run)
    with transaction.atomic(durable=True):
        run = PublicationRun.objects.select_for_update().get(pk=run.pk)
        run.status = RunStatus.FAILED if run.failed else RunStatus.DONE
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])
        audit_record(
            actor=actor,
            school=run.school_id,
            action=TRANSCRIPT_RUN_FINISHED,
            target=run,
            after={"done": run.done, "failed": run.failed, "status": run.status},
        )
    return run


MAX_ATTEMPTS = 3  # a run whose worker died this many times is left for a person to retry


def publication_runs_recover() -> list[str]:
    """Resume every publication run whose worker died, or fail it after `MAX_ATTEMPTS`; say what was done."""
    said = []
    for run in PublicationRun.objects.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]):
        reason = selectors.publication_run_lost(run)
        if reason:
            outcome = publication_run_recover(run_id=run.pk, reason=reason)
            if outcome:
                said.append(f"publication run {run.pk} ({run.school_id}): {outcome}")
    return said


def publication_run_recover(*, run_id: int, reason: str) -> str:
    """Re-queue a lost run to resume where it stopped, or mark it failed; return which ("" if neither).

    The run is looked at again under a lock: if another process took it meanwhile, nothing changes.
    """
    with transaction.atomic(durable=True):
        run = PublicationRun.objects.select_for_update().get(pk=run_id)
        if selectors.publication_run_lost(run) is None:
            return ""
        before = {"status": run.status, "position": run.position, "worker": run.worker}
        if run.attempts >= MAX_ATTEMPTS:
            run.status, run.finished_at = RunStatus.FAILED, timezone.now()
            run.stopped_reason = (
                f"Stopped after {run.position} of {run.total} students: {reason}. It had been "
                f"started {run.attempts} times, so it is not resumed again by itself."
            )
            run.save(update_fields=["status", "finished_at", "stopped_reason"])
            action, outcome = TRANSCRIPT_RUN_INTERRUPTED, "marked failed"
        else:
            run.status, run.worker, run.task_id = RunStatus.QUEUED, "", ""
            run.heartbeat_at = timezone.now()
            run.save(update_fields=["status", "worker", "task_id", "heartbeat_at"])
            action, outcome = TRANSCRIPT_RUN_RESUMED, f"resumed after {run.position} students"
            transaction.on_commit(lambda: _enqueue_run(run_id))
        audit_record(
            actor=system_actor(),
            school=run.school_id,
            action=action,
            target=run,
            before=before,
            after={"status": run.status, "reason": reason, "attempts": run.attempts},
        )
    return outcome


def publication_run_retry(*, actor, run: PublicationRun) -> PublicationRun:
    """Queue a run that stopped before the end to go on from where it stopped."""
    require_manage_setup(actor, run.school_id, "publish transcripts")
    with transaction.atomic(durable=True):
        locked = PublicationRun.objects.select_for_update().get(pk=run.pk)
        lost = selectors.publication_run_lost(locked)
        if not locked.stopped_early and not lost:
            refuse(None, "Only a run that stopped before the end can be retried.")
        before = {"status": locked.status, "position": locked.position}
        locked.status, locked.finished_at, locked.worker = RunStatus.QUEUED, None, ""
        locked.attempts, locked.stopped_reason, locked.task_id = 0, "", ""
        locked.heartbeat_at = timezone.now()
        locked.save(
            update_fields=[
                "status",
                "finished_at",
                "worker",
                "attempts",
                "stopped_reason",
                "task_id",
                "heartbeat_at",
            ]
        )
        audit_record(
            actor=actor,
            school=locked.school_id,
            action=TRANSCRIPT_RUN_RETRIED,
            target=locked,
            before=before,
            after={"status": locked.status, "reason": lost or "stopped early"},
        )
        transaction.on_commit(lambda: _enqueue_run(locked.pk))
    locked.refresh_from_db()
    return locked
