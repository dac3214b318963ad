"""Every write about transcripts: publishing, publication runs, share links and their views,
educators' comments, the school's transcript policy and its grade-conversion report.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone

from credo.accounts.access import require_manage_setup, roles_in, students_visible_to, system_actor
from credo.accounts.models import MANAGER_ROLES, STAFF_ROLES, Student
from credo.core import runs
from credo.core.audit import audit_record, audit_stamp, snapshot
from credo.core.errors import NotAllowed, ValidationError, refuse
from credo.transcripts import selectors
from credo.transcripts.models import (
    GradeBand,
    GradeConversionTable,
    PublicationRun,
    RunStatus,
    ShareLink,
    ShareView,
    TranscriptComment,
    TranscriptPolicy,
    TranscriptVersion,
    ViewKind,
    content_hash,
)

# Sent after the transaction that published a version commits: `version` (a TranscriptVersion).
# Verifiable credentials (CLR) hook in here.
version_published = Signal()

MAX_LINK_DAYS = 730
DEFAULT_LINK_DAYS = 90
MAX_COMMENT = 2000


def _is_self(actor, student: Student) -> bool:
    return actor is not None and student.user_id is not None and student.user_id == actor.pk


def _lock_student(student_id: int) -> None:
    from credo.mastery.services import lock_students

    lock_students([student_id])


# --- publishing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    """The outcome of publishing one transcript: the current version and whether it is new."""

    version: TranscriptVersion
    created: bool


def _same(a: dict, b: dict) -> bool:
    """Return whether two snapshots show the same record (the "as of" date aside)."""
    return {k: v for k, v in a.items() if k != "as_of"} == {
        k: v for k, v in b.items() if k != "as_of"
    }


def _publish(
    *,
    actor,
    student: Student,
    note: str,
    run: PublicationRun | None,
    force: bool,
    today: dt.date | None = None,
    published_at: dt.datetime | None = None,
    announce: bool = True,
) -> Published:
    _lock_student(student.pk)
    previous = (
        TranscriptVersion.objects.filter(student=student, superseded_by__isnull=True)
        .order_by("-number")
        .first()
    )
    content = selectors.transcript_content(student, today=today)
    if previous is not None and not force and _same(previous.content, content):
        return Published(previous, False)
    version = TranscriptVersion(
        school_id=student.school_id,
        student=student,
        number=(previous.number + 1) if previous else 1,
        supersedes=previous,
        content=content,
        content_hash=content_hash(content),
        published_at=published_at or timezone.now(),
        published_by=actor,
        run=run,
        note=note[:200],
    )
    version.full_clean(exclude=["supersedes", "published_by", "run", "student", "school"])
    version.save()
    audit_record(
        actor=actor,
        school=student.school_id,
        action="transcript.published",
        target=version,
        after={
            "student": student.pk,
            "number": version.number,
            "public_id": version.public_id,
            "content_hash": version.content_hash,
            "supersedes": previous.pk if previous else None,
            "run": run.pk if run else None,
        },
        note=note,
    )
    if announce:
        transaction.on_commit(
            lambda: version_published.send(sender=TranscriptVersion, version=version)
        )
    return Published(version, True)


def transcript_publish(
    *, actor, student: Student, note: str = "", force: bool = False
) -> Published:
    """Publish the student's transcript as a new immutable version that supersedes the last one.

    When nothing shown has changed since the current version, return it instead (``created``
    is False) unless ``force``. The PDF is rendered after the transaction commits, in the
    background.
    """
    require_manage_setup(actor, student.school_id, "publish transcripts")
    if not student.active:
        refuse(None, f"{student} is not an active student.")
    with transaction.atomic(durable=True):
        result = _publish(actor=actor, student=student, note=note, run=None, force=force)
        if result.created:
            from credo.transcripts.tasks import render_version_pdf

            version_id = result.version.pk
            transaction.on_commit(lambda: render_version_pdf.enqueue(version_id))
    return result


def transcript_publish_as_of(
    *, actor, student: Student, on: dt.date, at: dt.datetime, note: str = ""
) -> Published:
    """Publish the student's transcript as their record stood on ``on``, stamped ``at``.

    For loaders of schools whose records stop on a day (`credo demo`): it runs inside the
    caller's transaction, so a whole load stands or falls together. The signed CLR is queued when
    that transaction commits, as after any publication (reading never issues it); the PDF is
    drawn the first time someone asks for it.
    """
    require_manage_setup(actor, student.school_id, "publish transcripts")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("transcript_publish_as_of runs inside the caller's transaction.")
    if not student.active:
        refuse(None, f"{student} is not an active student.")
    if at.date() < on:
        refuse("at", "A transcript cannot be published before the day it describes.")
    return _publish(
        actor=actor,
        student=student,
        note=note,
        run=None,
        force=False,
        today=on,
        published_at=at,
        announce=True,
    )


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
            action="transcript.run_queued",
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
            action="transcript.run_finished",
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
            action, outcome = "transcript.run_interrupted", "marked failed"
        else:
            run.status, run.worker, run.task_id = RunStatus.QUEUED, "", ""
            run.heartbeat_at = timezone.now()
            run.save(update_fields=["status", "worker", "task_id", "heartbeat_at"])
            action, outcome = "transcript.run_resumed", f"resumed after {run.position} students"
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
            action="transcript.run_retried",
            target=locked,
            before=before,
            after={"status": locked.status, "reason": lost or "stopped early"},
        )
        transaction.on_commit(lambda: _enqueue_run(locked.pk))
    locked.refresh_from_db()
    return locked


# --- share links ---------------------------------------------------------------------------------


def _may_share(actor, student: Student) -> bool:
    return _is_self(actor, student) or bool(roles_in(actor, student.school_id) & MANAGER_ROLES)


def share_link_create(
    *, actor, version: TranscriptVersion, recipient: str, expires_on: dt.date | None = None
) -> ShareLink:
    """Create a read-only link to a published version for one recipient, valid through ``expires_on``."""
    student = version.student
    if not _may_share(actor, student):
        raise NotAllowed("Only the student or the registrar may share this transcript.")
    recipient = (recipient or "").strip()
    errors: dict[str, list[str]] = {}
    if not recipient:
        errors["recipient"] = ["Say who the link is for, e.g. the college's name."]
    elif len(recipient) > 120:
        errors["recipient"] = ["Keep the recipient under 120 characters."]
    today = timezone.localdate()
    if expires_on is None:
        expires_on = today + dt.timedelta(days=DEFAULT_LINK_DAYS)
    if not isinstance(expires_on, dt.date):
        errors["expires_on"] = ["Give the last day the link works."]
    elif expires_on < today:
        errors["expires_on"] = ["Choose a day from today on."]
    elif expires_on > today + dt.timedelta(days=MAX_LINK_DAYS):
        errors["expires_on"] = [
            f"A link can last at most {MAX_LINK_DAYS // 365} years; choose an earlier day."
        ]
    if errors:
        raise ValidationError(errors)
    # The link works through the whole of its last day, in the school's time zone.
    expires_at = timezone.make_aware(
        dt.datetime.combine(expires_on + dt.timedelta(days=1), dt.time.min)
    )
    token = secrets.token_urlsafe(32)
    with transaction.atomic(durable=True):
        link = ShareLink.objects.create(
            school_id=version.school_id,
            version=version,
            student=student,
            token_hash=ShareLink.hash_token(token),
            recipient=recipient,
            created_by=actor,
            expires_at=expires_at,
        )
        audit_record(
            actor=actor,
            school=version.school_id,
            action="share_link.created",
            target=link,
            after={"version": version.pk, "recipient": recipient, "expires_at": expires_at},
        )
    link.token = token  # shown to the student once; only its hash is kept
    return link


def share_link_revoke(*, actor, link: ShareLink) -> ShareLink:
    """Withdraw a share link at once; it then says plainly that it was withdrawn."""
    if not _may_share(actor, link.student):
        raise NotAllowed("Only the student or the registrar may withdraw this link.")
    if link.revoked_at is not None:
        refuse(None, "That link has already been withdrawn.")
    with transaction.atomic(durable=True):
        link = ShareLink.objects.select_for_update().get(pk=link.pk)
        audit_stamp(link, "revoked", actor=actor, action="share_link.revoked")
    return link


def share_view_record(
    *, link: ShareLink, kind: str = ViewKind.PAGE, evidence_key: str = "", user_agent: str = ""
) -> ShareView:
    """Log one opening of a share link (an anonymous reader; the student sees the log)."""
    if kind not in ViewKind.values:
        raise ValueError(f"unknown view kind {kind!r}")
    with transaction.atomic(durable=True):
        view = ShareView.objects.create(
            school_id=link.school_id,
            link=link,
            kind=kind,
            evidence_key=evidence_key[:16],
            user_agent=(user_agent or "")[:200],
        )
        audit_record(
            actor=None,
            school=link.school_id,
            action="share_link.viewed",
            target=link,
            after={"kind": kind, "evidence": evidence_key or None},
        )
    return view


# --- educators' comments ---------------------------------------------------------------------------


def comment_add(*, actor, student: Student, credit, body: str) -> TranscriptComment:
    """Add an educator's comment on the student's credit, for readers of the transcript."""
    roles = roles_in(actor, student.school_id)
    if (
        not roles & STAFF_ROLES
        or not students_visible_to(actor, student.school_id).filter(pk=student.pk).exists()
    ):
        raise NotAllowed(
            "Only an educator who works with the student may comment on their transcript."
        )
    if credit.school_id != student.school_id:
        refuse("credit", "That credit belongs to another school.")
    body = (body or "").strip()
    if not body:
        refuse("body", "Write the comment.")
    if len(body) > MAX_COMMENT:
        refuse("body", f"Keep the comment under {MAX_COMMENT:,} characters.")
    role = next(
        (
            selectors.ROLE_WORDS[r]
            for r in ("advisor", "teacher", "registrar", "admin")
            if r in roles
        ),
        "",
    )
    with transaction.atomic(durable=True):
        comment = TranscriptComment.objects.create(
            school_id=student.school_id,
            student=student,
            credit=credit,
            author=actor,
            author_name=str(actor)[:150],
            author_role=role,
            body=body,
        )
        audit_record(
            actor=actor,
            school=student.school_id,
            action="transcript_comment.added",
            target=comment,
            after={"student": student.pk, "credit": credit.pk, "body": body},
        )
    return comment


def comment_withdraw(*, actor, comment: TranscriptComment) -> TranscriptComment:
    """Withdraw a comment from future versions (published versions keep what they showed)."""
    if not (
        actor is not None
        and (comment.author_id == actor.pk or roles_in(actor, comment.school_id) & MANAGER_ROLES)
    ):
        raise NotAllowed("Only the comment's author or the registrar may withdraw it.")
    if comment.withdrawn_at is not None:
        refuse(None, "That comment has already been withdrawn.")
    with transaction.atomic(durable=True):
        audit_stamp(
            comment,
            "withdrawn",
            actor=actor,
            action="transcript_comment.withdrawn",
            before={"body": comment.body},
        )
    return comment


# --- the school's settings ---------------------------------------------------------------------------


def transcript_policy_save(*, actor, school, include_courses: bool) -> TranscriptPolicy:
    """Choose whether transcripts list the courses and experiences a student completed."""
    require_manage_setup(actor, school, "change how transcripts are made")
    with transaction.atomic(durable=True):
        policy, _ = TranscriptPolicy.objects.select_for_update().get_or_create(school=school)
        before = snapshot(policy, ["include_courses"])
        policy.include_courses = bool(include_courses)
        policy.save()
        audit_record(
            actor=actor,
            school=school,
            action="transcript_policy.saved",
            target=policy,
            before=before,
            after=snapshot(policy, ["include_courses"]),
        )
    return policy


_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 -]{0,19}")
_PHONE = re.compile(r"[0-9+()./ x-]{3,40}")
CONTACT_FIELDS = ("school_code", "counselor_name", "counselor_email", "counselor_phone")


def school_contact_save(
    *,
    actor,
    school,
    school_code: str = "",
    counselor_name: str = "",
    counselor_email: str = "",
    counselor_phone: str = "",
):
    """Set what the transcript's school profile gives admissions readers: the school's code and
    whom to ask (the counselor's name, e-mail and telephone). Each may be left blank."""
    require_manage_setup(actor, school, "change the school's contact on transcripts")
    values = {
        "school_code": " ".join((school_code or "").split()),
        "counselor_name": " ".join((counselor_name or "").split()),
        "counselor_email": (counselor_email or "").strip(),
        "counselor_phone": " ".join((counselor_phone or "").split()),
    }
    errors: dict[str, list[str]] = {}
    if values["school_code"] and not _CODE.fullmatch(values["school_code"]):
        errors["school_code"] = [
            "Give the code as letters and digits (a CEEB code has six digits), at most 20."
        ]
    if len(values["counselor_name"]) > 120:
        errors["counselor_name"] = ["Keep the name under 120 characters."]
    if values["counselor_email"]:
        try:
            validate_email(values["counselor_email"])
        except DjangoValidationError:
            errors["counselor_email"] = ["Give an e-mail address such as counselor@school.org."]
    if values["counselor_phone"] and not _PHONE.fullmatch(values["counselor_phone"]):
        errors["counselor_phone"] = [
            "Give a telephone number in digits, with + ( ) - . or spaces, at most 40 characters."
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        before = snapshot(school, list(CONTACT_FIELDS))
        for field, value in values.items():
            setattr(school, field, value)
        school.save(update_fields=list(CONTACT_FIELDS))
        audit_record(
            actor=actor,
            school=school,
            action="school.transcript_contact_saved",
            target=school,
            before=before,
            after=snapshot(school, list(CONTACT_FIELDS)),
        )
    return school


def grade_conversion_set_enabled(*, actor, school, enabled: bool):
    """Turn the separate grade-conversion report on or off for the school (off by default)."""
    require_manage_setup(actor, school, "turn grade conversion on or off")
    if enabled and not GradeConversionTable.objects.filter(school=school).exists():
        refuse("enabled", "Define the conversion table first.")
    with transaction.atomic(durable=True):
        before = {"grade_conversion_enabled": school.grade_conversion_enabled}
        school.grade_conversion_enabled = bool(enabled)
        school.save(update_fields=["grade_conversion_enabled"])
        audit_record(
            actor=actor,
            school=school,
            action="school.grade_conversion_set",
            target=school,
            before=before,
            after={"grade_conversion_enabled": school.grade_conversion_enabled},
        )
    return school


def _band_errors(
    bands: Sequence[tuple], low: Decimal, high: Decimal
) -> tuple[list[tuple], list[str]]:
    parsed, errors = [], []
    for n, (min_score, label, points) in enumerate(bands, start=1):
        if not str(min_score).strip() and not str(label).strip() and not str(points).strip():
            continue
        try:
            m, p = Decimal(str(min_score).strip()), Decimal(str(points).strip())
            if not (m.is_finite() and p.is_finite()):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.append(f"Row {n}: the lowest level and the points must be numbers.")
            continue
        if not str(label).strip():
            errors.append(f"Row {n}: give the grade it converts to.")
        if not low <= m <= high:
            errors.append(f"Row {n}: {m} is outside the scale ({low}–{high}).")
        if not Decimal(0) <= p <= Decimal(20):
            errors.append(f"Row {n}: points must be between 0 and 20.")
        parsed.append((m, str(label).strip()[:20], p))
    minimums = [m for m, _, _ in parsed]
    if len(set(minimums)) != len(minimums):
        errors.append("Two rows start at the same level; each row needs its own lowest level.")
    if len(parsed) < 2:
        errors.append("A conversion needs at least two rows.")
    elif min(minimums) > low:
        errors.append(
            f"The lowest row must start at the bottom of the scale ({low}) so every level converts."
        )
    return parsed, errors


def grade_table_save(
    *, actor, school, name: str, purpose: str = "", bands: Iterable[tuple]
) -> GradeConversionTable:
    """Define (or replace) the school's conversion from mastery levels to grades.

    ``bands`` are (lowest level, grade, points) rows. The table feeds a separate report only.
    """
    require_manage_setup(actor, school, "define a grade conversion")
    from credo.frameworks.models import Framework

    scales = [
        f.scale
        for f in Framework.objects.filter(school=school, kind="academic").select_related("scale")
    ]
    low = min((s.min_value for s in scales), default=Decimal(0))
    high = max((s.max_value for s in scales), default=Decimal(4))
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["Name the conversion, e.g. “Athletics eligibility”."]
    parsed, band_errors = _band_errors(list(bands), low, high)
    if band_errors:
        errors["bands"] = band_errors
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        table = GradeConversionTable.objects.select_for_update().filter(school=school).first()
        before = None
        if table is None:
            table = GradeConversionTable(school=school)
        else:
            before = {
                "name": table.name,
                "bands": [(str(b.min_score), b.label, str(b.points)) for b in table.bands.all()],
            }
        table.name, table.purpose = name[:120], purpose or ""
        table.full_clean(validate_unique=False)
        table.save()
        GradeBand.objects.filter(table=table).delete()
        GradeBand.objects.bulk_create(
            [
                GradeBand(school=school, table=table, min_score=m, label=lbl, points=p)
                for m, lbl, p in parsed
            ]
        )
        audit_record(
            actor=actor,
            school=school,
            action="grade_table.saved",
            target=table,
            before=before,
            after={"name": name, "bands": [(str(m), lbl, str(p)) for m, lbl, p in parsed]},
        )
    return table
