"""Publishing a student's transcript: an immutable version, then the `version_published` signal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from credo.accounts.access import require_manage_setup
from credo.accounts.models import Student
from credo.core.audit import audit_record
from credo.core.errors import refuse
from credo.transcripts import selectors
from credo.transcripts.events import TRANSCRIPT_PUBLISHED
from credo.transcripts.models import PublicationRun, TranscriptVersion, content_hash
from credo.transcripts.services.common import _lock_student

# Sent after the transaction that published a version commits: `version` (a TranscriptVersion).
# Verifiable credentials (CLR) hook in here.
version_published = Signal()


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
        action=TRANSCRIPT_PUBLISHED,
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
