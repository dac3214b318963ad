"""Every write about evidence: submitting it, sharing and highlighting it, approving it, peer
feedback on it, and the student's own story for the transcript."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from credo.accounts.access import roles_in
from credo.accounts.models import MANAGER_ROLES, STAFF_ROLES, Role, Student
from credo.core.audit import audit_record, audit_stamp, snapshot
from credo.core.errors import NotAllowed, ValidationError, refuse
from credo.core.limits import LONG_TEXT_LIMIT, demonstration_date_problem, text_problem
from credo.evidence import files
from credo.evidence.events import (
    EVIDENCE_APPROVED,
    EVIDENCE_SHARING_CHANGED,
    EVIDENCE_SUBMITTED,
    PEER_FEEDBACK_GIVEN,
    STORY_APPROVED,
    STORY_SAVED,
)
from credo.evidence.models import (
    Evidence,
    EvidenceCompetency,
    EvidenceCredit,
    EvidenceKind,
    PeerFeedback,
    StudentStory,
)
from credo.notify import events as notify_events

EDUCATOR_ROLES = frozenset({Role.ADMIN, Role.REGISTRAR, Role.TEACHER, Role.ADVISOR})


def _is_self(actor, student: Student) -> bool:
    return actor is not None and student.user_id is not None and student.user_id == actor.pk


def _require_self_or_staff(actor, student: Student, what: str) -> None:
    if _is_self(actor, student):
        return
    if roles_in(actor, student.school_id) & STAFF_ROLES:
        return
    raise NotAllowed(f"Only the student or their school's staff may {what}.")


def evidence_submit(
    *,
    actor,
    student: Student,
    kind: str,
    title: str,
    demonstrated_on: dt.date | None,
    body: str = "",
    url: str = "",
    file=None,
    section=None,
    outside_school: bool = False,
    vouched_by: str = "",
    competencies: Iterable = (),
    credits: Iterable = (),
    shared_with_peers: bool = False,
    highlighted: bool = False,
    revision_of: Evidence | None = None,
    responds_to=None,
    within_transaction: bool = False,
) -> Evidence:
    """Store a piece of evidence with the competencies and credits it is put forward for.

    A student submits their own work (from a section they are enrolled in, or from anywhere,
    naming who can vouch for it); staff may add evidence for a student, e.g. an observation.
    Raise ValidationError naming each bad field; nothing is written then. `within_transaction`:
    another service's transaction holds this write with its own (an observation, credo/growth).
    """
    _require_self_or_staff(actor, student, "add evidence to a student's record")
    competencies, credits = list(competencies), list(credits)
    errors: dict[str, list[str]] = {}

    def bad(field, message):
        errors.setdefault(field, []).append(message)

    title = (title or "").strip()
    body, url, vouched_by = (body or "").strip(), (url or "").strip(), (vouched_by or "").strip()
    for field, value, limit in (
        ("title", title, 200),
        ("body", body, LONG_TEXT_LIMIT),
        ("url", url, 500),
        ("vouched_by", vouched_by, 200),
    ):
        problem = text_problem(value, limit=limit)
        if problem:
            bad(field, problem)
    if kind not in EvidenceKind.values:
        bad("kind", "Choose what kind of evidence this is.")
    elif kind == EvidenceKind.FILE and not file:
        bad("file", "Attach the file.")
    elif kind == EvidenceKind.LINK and not url:
        bad("url", "Give the link to the work.")
    elif kind in (EvidenceKind.TEXT, EvidenceKind.OBSERVATION) and not body:
        bad("body", "Write the reflection or the notes.")
    if kind == EvidenceKind.OBSERVATION and _is_self(actor, student):
        bad("kind", "Observations are written by staff; choose text or reflection.")
    sniffed = None
    if file:
        try:
            sniffed = files.sniff(file)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if not isinstance(demonstrated_on, dt.date):
        bad("demonstrated_on", "Give the date the work was done.")
    else:
        problem = demonstration_date_problem(
            demonstrated_on, student=student, today=timezone.localdate()
        )
        if problem:
            bad("demonstrated_on", problem)
    if section is not None:
        if (
            section.school_id != student.school_id
            or not section.enrollments.filter(student=student).exists()
        ):
            bad("section", "Choose one of the student's own sections.")
        if outside_school:
            bad("outside_school", "Work from a section is done in school; untick “outside school”.")
    if outside_school and not vouched_by:
        bad("vouched_by", "Name someone who can vouch for work done outside school.")
    if any(c.school_id != student.school_id for c in competencies):
        bad("competencies", "Some of those competencies belong to another school.")
    if any(c.school_id != student.school_id for c in credits):
        bad("credits", "Some of those credits belong to another school.")
    if revision_of is not None and revision_of.student_id != student.pk:
        bad("revision_of", "A revision must revise the same student's work.")
    if responds_to is not None and responds_to.student_id != student.pk:
        bad("responds_to", "That feedback was given to another student.")
    evidence = Evidence(
        school_id=student.school_id,
        student=student,
        kind=kind,
        title=title,
        body=body,
        url=url,
        demonstrated_on=demonstrated_on if isinstance(demonstrated_on, dt.date) else None,
        section=section,
        experience_id=section.experience_id if section is not None else None,
        outside_school=outside_school,
        vouched_by=vouched_by,
        revision_of=revision_of,
        responds_to=responds_to,
        submitted_by=actor,
        shared_with_peers=shared_with_peers,
        highlighted=highlighted,
    )
    if sniffed is not None:
        # Stored under a generated name with the extension of what the file really is.
        evidence.file = File(file, name=f"upload.{sniffed.extension}")
        evidence.file_name = files.original_name(getattr(file, "name", ""))
        evidence.file_type = sniffed.content_type
    try:
        evidence.full_clean(exclude=[*errors, "file"] if errors else ["file"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=not within_transaction):
        evidence.save()
        EvidenceCompetency.objects.bulk_create(
            [
                EvidenceCompetency(school_id=student.school_id, evidence=evidence, competency=c)
                for c in dict.fromkeys(competencies)
            ]
        )
        EvidenceCredit.objects.bulk_create(
            [
                EvidenceCredit(school_id=student.school_id, evidence=evidence, credit=c)
                for c in dict.fromkeys(credits)
            ]
        )
        audit_record(
            actor=actor,
            school=student.school_id,
            action=EVIDENCE_SUBMITTED,
            target=evidence,
            after={
                **snapshot(
                    evidence,
                    [
                        "student_id",
                        "kind",
                        "title",
                        "demonstrated_on",
                        "section_id",
                        "outside_school",
                        "vouched_by",
                        "revision_of_id",
                        "responds_to_id",
                    ],
                ),
                "competencies": [c.pk for c in competencies],
                "credits": [c.pk for c in credits],
            },
        )
        if competencies:
            notify_events.new_work(evidence)
    return evidence


def evidence_set_sharing(
    *, actor, evidence: Evidence, shared_with_peers: bool, highlighted: bool
) -> Evidence:
    """Let the student choose whether classmates may see the work and whether to highlight it on
    the transcript (where it shows once an educator has approved it)."""
    if not _is_self(actor, evidence.student):
        raise NotAllowed("Only the student chooses how their work is shared.")
    before = snapshot(evidence, ["shared_with_peers", "highlighted"])
    with transaction.atomic(durable=True):
        evidence.shared_with_peers, evidence.highlighted = (
            bool(shared_with_peers),
            bool(highlighted),
        )
        evidence.save(update_fields=["shared_with_peers", "highlighted"])
        audit_record(
            actor=actor,
            school=evidence.school_id,
            action=EVIDENCE_SHARING_CHANGED,
            target=evidence,
            before=before,
            after=snapshot(evidence, ["shared_with_peers", "highlighted"]),
        )
    return evidence


def evidence_approve(*, actor, evidence: Evidence) -> Evidence:
    """Approve a piece of evidence (an educator vouches for it): it then counts toward its credits."""
    from credo.accounts.access import students_visible_to

    if not (roles_in(actor, evidence.school_id) & EDUCATOR_ROLES):
        raise NotAllowed("Only an educator may approve evidence.")
    if not students_visible_to(actor, evidence.school_id).filter(pk=evidence.student_id).exists():
        raise NotAllowed("You may approve only the evidence of students you teach or advise.")
    if evidence.approved_at is not None:
        refuse(None, "That evidence is already approved.")
    with transaction.atomic(durable=True):
        audit_stamp(evidence, "approved", actor=actor, action=EVIDENCE_APPROVED)
        _refresh_credit_counts(evidence, actor)
    return evidence


def _refresh_credit_counts(evidence: Evidence, actor) -> None:
    from credo.mastery import engine
    from credo.mastery.services import lock_students

    credit_ids = list(
        EvidenceCredit.objects.filter(evidence=evidence).values_list("credit_id", flat=True)
    )
    if credit_ids:
        lock_students([evidence.student_id])
        _, new_awards = engine.refresh_credits(evidence.student, credit_ids, actor=actor)
        if new_awards:
            engine.refresh_graduation(evidence.student)


def peer_feedback_give(*, actor, evidence: Evidence, body: str) -> PeerFeedback:
    """Record a classmate's comment on work its author chose to share."""
    from credo.evidence.selectors import classmate_ids

    author = (
        Student.objects.filter(school_id=evidence.school_id, user=actor).first() if actor else None
    )
    if author is None:
        raise NotAllowed("Only a student of this school may give peer feedback.")
    if author.pk == evidence.student_id:
        raise NotAllowed("Peer feedback is for classmates' work, not your own.")
    if not evidence.shared_with_peers or evidence.student_id not in classmate_ids(author):
        raise NotAllowed("That work is not shared with you.")
    body = (body or "").strip()
    if not body:
        refuse("body", "Write your feedback.")
    if len(body) > 4000:
        refuse("body", "Keep peer feedback under 4,000 characters.")
    problem = text_problem(body)
    if problem:
        refuse("body", problem)
    with transaction.atomic(durable=True):
        feedback = PeerFeedback.objects.create(
            school_id=evidence.school_id, evidence=evidence, author=author, body=body
        )
        audit_record(
            actor=actor,
            school=evidence.school_id,
            action=PEER_FEEDBACK_GIVEN,
            target=feedback,
            after={"evidence": evidence.pk, "author": author.pk},
        )
    return feedback


def story_save(*, actor, student: Student, body: str, submit: bool = False) -> StudentStory:
    """Save the student's draft of their own story; `submit` asks an educator to approve it.

    Any change after approval withdraws the approval: what is approved is what is shown.
    """
    if not _is_self(actor, student):
        raise NotAllowed("Only the student writes their own story.")
    body = (body or "").strip()
    if submit and not body:
        refuse("body", "Write your story before asking for approval.")
    if len(body) > 6000:
        refuse("body", "Keep your story under 6,000 characters (about a page).")
    problem = text_problem(body)
    if problem:
        refuse("body", problem)
    with transaction.atomic(durable=True):
        story, _ = StudentStory.objects.select_for_update().get_or_create(
            school_id=student.school_id, student=student
        )
        before = snapshot(story, ["body", "submitted_at", "approved_at"])
        now = timezone.now()
        changed = body != story.body
        story.body, story.updated_at = body, now
        if changed:
            story.approved_at, story.approved_by = None, None
        if submit:
            story.submitted_at = now
        elif changed:
            story.submitted_at = None
        story.save()
        audit_record(
            actor=actor,
            school=student.school_id,
            action=STORY_SAVED,
            target=story,
            before=before,
            after=snapshot(story, ["body", "submitted_at", "approved_at"]),
        )
    return story


def story_approve(*, actor, story: StudentStory) -> StudentStory:
    """Approve the student's story for the transcript (an advisor, admin or registrar)."""
    roles = roles_in(actor, story.school_id)
    student = story.student
    if not (roles & MANAGER_ROLES or (Role.ADVISOR in roles and student.advisor_id == actor.pk)):
        raise NotAllowed(
            "Only the student's advisor, an admin or the registrar may approve their story."
        )
    if not story.body.strip():
        refuse("body", "There is no story to approve yet.")
    if story.approved_at is not None:
        refuse(None, "That story is already approved.")
    with transaction.atomic(durable=True):
        audit_stamp(story, "approved", actor=actor, action=STORY_APPROVED)
    return story
