"""Builders for the Django-side credential tests: students with awarded credits, published.

Everything goes through the real services (assessments, evidence, comments, publishing).
"""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from credo.evidence.services import evidence_approve, evidence_submit
from credo.frameworks.models import Competency, Framework
from credo.mastery.services import assessment_record

CASE_DOC = "6b9a6f8e-2f1c-4c55-9d0e-5a1b2c3d4e5f"
CASE_BASE = "https://case.example.org/ims/case/v1p0"


def from_case(small) -> None:
    """Mark the academic framework as imported from CASE, with item identifiers."""
    Framework.objects.filter(pk=small.framework.pk).update(
        case_identifier=CASE_DOC, case_uri=f"{CASE_BASE}/CFDocuments/{CASE_DOC}"
    )
    for n, competency in enumerate(small.competencies, start=1):
        Competency.objects.filter(pk=competency.pk).update(
            case_identifier=f"00000000-0000-4000-8000-{n:012d}", code=f"SCI.{n}"
        )
        competency.refresh_from_db()
    small.framework.refresh_from_db()


def earn(small, student, competencies, *, value="3", days_ago=10):
    when = timezone.localdate() - dt.timedelta(days=days_ago)
    for competency in competencies:
        assessment_record(
            assessor=small.teacher,
            student=student,
            competency=competency,
            value=value,
            demonstrated_on=when,
        )


def awarded_student(small, student=None, *, case: bool = True):
    """Return a student of ``small`` with the two foundational credits earned and evidence."""
    from credo.transcripts.services import comment_add

    if case:
        from_case(small)
    student = student or small.students[0]
    earn(small, student, small.competencies[:5])
    when = timezone.localdate() - dt.timedelta(days=20)
    actor = student.user
    report = evidence_submit(
        actor=actor,
        student=student,
        kind="text",
        title="River study report",
        demonstrated_on=when,
        body="We measured the river's flow at five points over a month.",
        credits=[small.credits["all"]],
        highlighted=True,
    )
    evidence_approve(actor=small.teacher, evidence=report)
    film = evidence_submit(
        actor=actor,
        student=student,
        kind="file",
        title="Short film on the water cycle",
        demonstrated_on=when,
        file=ContentFile(b"not really a film", name="film.txt"),
        credits=[small.credits["count"]],
        highlighted=True,
    )
    evidence_approve(actor=small.teacher, evidence=film)
    link = evidence_submit(
        actor=actor,
        student=student,
        kind="link",
        title="Field notebook online",
        demonstrated_on=when,
        url="https://example.org/notebook",
        credits=[small.credits["count"]],
        highlighted=True,
    )
    evidence_approve(actor=small.teacher, evidence=link)
    comment_add(
        actor=small.teacher,
        student=student,
        credit=small.credits["all"],
        body="Careful, patient fieldwork; the report set a standard for the class.",
    )
    return student


def publish(small, student):
    from credo.transcripts.services import transcript_publish

    return transcript_publish(actor=small.registrar, student=student, force=True).version
