"""Educators' comments on a student's earned credits, shown on the transcript."""

from __future__ import annotations

from django.db import transaction

from credo.accounts.access import roles_in, students_visible_to
from credo.accounts.models import MANAGER_ROLES, STAFF_ROLES, Role, Student
from credo.core.audit import audit_record, audit_stamp
from credo.core.errors import NotAllowed, refuse
from credo.transcripts import selectors
from credo.transcripts.events import TRANSCRIPT_COMMENT_ADDED, TRANSCRIPT_COMMENT_WITHDRAWN
from credo.transcripts.models import TranscriptComment

MAX_COMMENT = 2000


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
            for r in (Role.ADVISOR, Role.TEACHER, Role.REGISTRAR, Role.ADMIN)
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
            action=TRANSCRIPT_COMMENT_ADDED,
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
            action=TRANSCRIPT_COMMENT_WITHDRAWN,
            before={"body": comment.body},
        )
    return comment
