"""Import a scores CSV as assessments (append-only), then recompute the school's records.

Idempotent: a line equal to an assessment that already counts (same student, competency, date,
value, kind and feedback) is left alone, so importing a file twice, or importing an export of
the same school, adds nothing.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Q
from django.utils import timezone

from credo.accounts.models import MANAGER_ROLES, Membership, Role, Student, User
from credo.frameworks.models import Competency
from credo.interop import scores as scores_csv
from credo.interop.common import Summary
from credo.interop.importers.base import Writer, refuse_if, run_atomically
from credo.mastery.models import Assessment

ASSESSOR_ROLES = MANAGER_ROLES | {Role.TEACHER}


def import_scores(
    *, actor, school, name: str, data: bytes, dry_run: bool = False, progress=None
) -> Summary:
    """Import the scores in `data`; return what changed. Raise ImportRefused listing every problem."""
    rows, problems = scores_csv.parse(name, data, today=timezone.localdate())
    students = {s.student_number: s for s in Student.objects.filter(school=school)}
    competencies: dict[str, list[Competency]] = defaultdict(list)
    for c in Competency.objects.filter(school=school).select_related("framework__scale", "scale"):
        competencies[c.code].append(c)
    usernames = {r.assessor for r in rows if r.assessor}
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    users.update({u.email: u for u in User.objects.filter(email__in=usernames).exclude(email="")})
    staff = set(
        Membership.objects.filter(school=school, role__in=ASSESSOR_ROLES).values_list(
            "user_id", flat=True
        )
    )

    # What counts already: a line equal to one of these is left alone, whoever assessed it.
    existing: Counter = Counter()
    student_ids = sorted({students[r.student].pk for r in rows if r.student in students})
    for i in range(0, len(student_ids), 500):
        existing.update(
            Assessment.objects.filter(
                Q(school=school)
                & Q(student_id__in=student_ids[i : i + 500])
                & Q(retraction=False)
                & Q(replaced_by__isnull=True)
            ).values_list(
                "student_id", "competency_id", "demonstrated_on", "value", "kind", "feedback"
            )
        )

    plan = []
    unchanged = 0
    for r in rows:
        student = students.get(r.student) if r.student else None
        if student is None and r.student:
            problems.add(
                name, r.line, "student_id", f"no student of {school} has the number “{r.student}”"
            )
        options = competencies.get(r.code, []) if r.code else [None]
        if r.framework and r.code:
            options = [c for c in options if c.framework.name == r.framework]
        if not options:
            where = f" in framework “{r.framework}”" if r.framework else ""
            problems.add(
                name, r.line, "competency_code", f"no competency has the code “{r.code}”{where}"
            )
            competency = None
        elif len(options) > 1:
            problems.add(
                name,
                r.line,
                "competency_code",
                f"“{r.code}” is a code in several frameworks; add a framework column to say which",
            )
            competency = None
        else:
            competency = options[0]
        if r.ok and student is not None and competency is not None:
            key = (student.pk, competency.pk, r.date, r.value, r.kind, r.feedback)
            if existing[key] > 0:
                existing[key] -= 1
                unchanged += 1
                continue  # already recorded: the assessor named does not matter
        assessor = actor
        if r.assessor:
            assessor = users.get(r.assessor)
            if assessor is None:
                problems.add(name, r.line, "assessor", f"no user is called “{r.assessor}”")
            elif assessor.pk not in staff:
                problems.add(
                    name,
                    r.line,
                    "assessor",
                    f"{r.assessor} is not a teacher, admin or registrar of {school}",
                )
        if competency is not None and r.value is not None:
            low, high = competency.effective_scale.bounds
            if not low <= r.value <= high:
                problems.add(
                    name,
                    r.line,
                    "value",
                    f"{r.value} is outside the scale of {competency.code} ({low}–{high})",
                )
        if r.ok and student is not None and competency is not None:
            plan.append((r, student, competency, assessor))
    refuse_if(problems)

    summary = Summary()

    def apply() -> Summary:
        summary["assessment"].unchanged += unchanged
        creates = []
        now = timezone.now()
        for r, student, competency, assessor in plan:
            creates.append(
                Assessment(
                    school=school,
                    student=student,
                    competency=competency,
                    assessor=assessor,
                    value=r.value,
                    demonstrated_on=r.date,
                    assessed_at=now,
                    kind=r.kind,
                    feedback=r.feedback,
                    source_id=f"scores:{name}"[:128],
                )
            )
        if progress:
            progress("writing", 0, 2)
        writer = Writer(actor=actor, school=school, summary=summary, source=f"scores:{name}")
        writer.create("assessment", creates)
        writer.flush()
        if progress:
            progress("recomputing", 1, 2)
        if creates and not dry_run:
            from credo.mastery import bulk

            bulk.recompute(school_ids=[school.pk], actor=actor)
            summary.notes["recomputed"] = True
        if progress:
            progress("recomputing", 2, 2)
        return summary

    return run_atomically(apply, dry_run=dry_run)
