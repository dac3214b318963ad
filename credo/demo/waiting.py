"""The last stage of the demo: revisions left waiting in `teacher1`'s "to assess" list."""

from __future__ import annotations

import datetime as dt

from credo.accounts.models import User
from credo.core.audit import audit_record
from credo.demo.tables import _at, _weekday
from credo.evidence.events import EVIDENCE_SUBMITTED
from credo.evidence.models import Evidence, EvidenceCompetency
from credo.schools.models import School, Section

WAITING_PER_SECTION = 4


def leave_work_waiting(school: School, *, per_section: int = WAITING_PER_SECTION) -> int:
    """Have a few students of `teacher1`'s running sections revise work in answer to feedback, in
    the last days of the records, and leave the revisions unassessed: on a fresh demo the teacher's
    "to assess" list shows what a Monday morning looks like. Rows and audit events are written as
    `evidence_submit` writes them. Return how many revisions were left."""
    from credo.mastery.models import Assessment
    from credo.notify.models import Kind
    from credo.notify.services import notify_event

    teacher = User.objects.filter(username=f"teacher1@{school.slug}").first()
    today = school.today()
    if teacher is None:
        return 0
    made, revisions = 0, []
    sections = Section.objects.filter(
        school=school,
        teacher_links__user=teacher,
        term__starts_on__lte=today,
        term__ends_on__gte=today,
    ).select_related("term")
    for section in sections.order_by("pk")[:2]:
        recent = (
            Assessment.objects.filter(
                school=school,
                student__enrollments__section=section,
                competency__alignments__experience_id=section.experience_id,
                evidence__isnull=False,
                replaced_by__isnull=True,
                retraction=False,
                # The feedback may come from the term before, on the same course.
                demonstrated_on__gte=today - dt.timedelta(days=120),
            )
            .exclude(feedback="")
            .select_related("evidence", "student__user", "competency")
            .order_by("-demonstrated_on", "-id")
        )
        # Work from this course first; a small demo may have none, then work on its targets.
        prompts = list(recent.filter(evidence__experience_id=section.experience_id)[:400]) or list(
            recent[:400]
        )
        seen: set[int] = set()
        for prompt in prompts:
            if prompt.student_id in seen or prompt.student.user_id is None:
                continue
            seen.add(prompt.student_id)
            # After the feedback it answers, within the running term, never after the school's today.
            day = max(
                _weekday(today - dt.timedelta(days=len(seen))),
                section.term.starts_on,
                prompt.demonstrated_on + dt.timedelta(days=1),
            )
            if day > today:
                continue
            revision = Evidence.objects.create(
                school=school,
                student=prompt.student,
                kind="text",
                title=f"{prompt.evidence.title.removesuffix(' (revised)')} (revised)",
                body=f"I reworked this after your feedback on {prompt.competency.code}.",
                demonstrated_on=day,
                section=section,
                experience_id=section.experience_id,
                revision_of=prompt.evidence,
                responds_to=prompt,
                submitted_by=prompt.student.user,
            )
            Evidence.objects.filter(pk=revision.pk).update(submitted_at=_at(day, 19))
            EvidenceCompetency.objects.create(
                school=school, evidence=revision, competency=prompt.competency
            )
            audit_record(
                actor=prompt.student.user,
                school=school.pk,
                action=EVIDENCE_SUBMITTED,
                target=revision,
                after={
                    "student_id": prompt.student_id,
                    "kind": "text",
                    "title": revision.title,
                    "demonstrated_on": day.isoformat(),
                    "section_id": section.pk,
                    "revision_of_id": prompt.evidence_id,
                    "responds_to_id": prompt.pk,
                    "competencies": [prompt.competency_id],
                    "credits": [],
                },
            )
            made += 1
            revisions.append(revision.pk)
            if len(seen) >= per_section:
                break
    # The teacher hears of them as the task queue would have told them (the loader writes directly).
    notify_event(kind=Kind.NEW_WORK, source_ids=revisions)
    return made
