"""Reads for the transcript: the snapshot of a student's record, versions, links, views.

`transcript_content(student)` gathers everything a transcript shows into plain JSON-ready data.
Publishing stores exactly that dict (and its hash); every page, the PDF and the exports are
drawn from it, so a published version reads the same forever. Its query count does not depend
on how much the student has done.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, Prefetch, Q
from django.utils import timezone

from credo.accounts.models import Role, Student
from credo.core import runs
from credo.mastery.models import (
    CreditArea,
    CreditAward,
    CreditProgress,
    CreditRequirementItem,
    CreditStatus,
    Decision,
    GraduationStatus,
    MasteryCredit,
    MasteryState,
)
from credo.transcripts.models import (
    GradeConversionTable,
    PublicationRun,
    RunStatus,
    ShareLink,
    ShareView,
    TranscriptComment,
    TranscriptPolicy,
    TranscriptVersion,
)

SCHEMA = 1
IN_PROGRESS = frozenset(
    {
        CreditStatus.IN_PROGRESS,
        CreditStatus.MET,
        CreditStatus.READY,
        CreditStatus.UNDER_REVIEW,
        CreditStatus.RETURNED,
    }
)
ROLE_WORDS = {
    Role.ADMIN: "School leader",
    Role.REGISTRAR: "Registrar",
    Role.TEACHER: "Teacher",
    Role.ADVISOR: "Advisor",
    Role.REVIEWER: "Reviewer",
}


def policy_of(school) -> TranscriptPolicy:
    """Return the school's transcript policy (an unsaved default when it has none yet)."""
    return TranscriptPolicy.objects.filter(school=school).first() or TranscriptPolicy(school=school)


def _file_facts(field, *, name: str = "", content_type: str = "") -> dict | None:
    """Return name, content type, size and SHA-256 of a stored evidence file, or None when there
    is none. `name` is the name it was uploaded with (it is stored under a generated one)."""
    if not field:
        return None
    digest = hashlib.sha256()
    size = 0
    try:
        with field.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 16), b""):
                digest.update(chunk)
                size += len(chunk)
    except (FileNotFoundError, OSError):
        return None
    finally:
        field.close()
    return {
        "name": name or field.name.rsplit("/", 1)[-1],
        "content_type": content_type or "application/octet-stream",
        "path": field.name,
        "size": size,
        "sha256": digest.hexdigest(),
    }


def _evidence_rows(
    student, credit_items: dict[int, set[int]]
) -> tuple[dict, dict[int, list[str]], list[str]]:
    """Return the share-safe evidence the student highlighted and an educator approved.

    Return (evidence by key, keys per credit id, keys tied to no credit). Only what the student
    chose to show is copied: title, kind, date, their text, link, file; never assessments,
    feedback or peer comments.
    """
    from credo.evidence.models import Evidence, EvidenceCompetency, EvidenceCredit

    items = (
        Evidence.objects.filter(
            school_id=student.school_id,
            student=student,
            highlighted=True,
            approved_at__isnull=False,
        )
        .select_related("section__experience", "experience", "approved_by")
        .prefetch_related(
            Prefetch(
                "credit_tags", queryset=EvidenceCredit.objects.only("evidence_id", "credit_id")
            ),
            Prefetch(
                "competency_tags",
                queryset=EvidenceCompetency.objects.only("evidence_id", "competency_id"),
            ),
        )
        .order_by("demonstrated_on", "id")
    )
    evidence: dict[str, dict] = {}
    per_credit: dict[int, list[str]] = defaultdict(list)
    loose: list[str] = []
    for n, item in enumerate(items, start=1):
        key = f"e{n}"
        experience = item.experience or (item.section.experience if item.section_id else None)
        if item.outside_school:
            where = "Outside school"
            if item.vouched_by:
                where += f" (vouched for by {item.vouched_by})"
        else:
            where = experience.title if experience else ""
        evidence[key] = {
            "title": item.title,
            "kind": item.get_kind_display(),
            "kind_key": item.kind,
            "demonstrated_on": item.demonstrated_on.isoformat(),
            "where": where,
            "body": item.body,
            "url": item.url,
            "file": _file_facts(item.file, name=item.file_name, content_type=item.file_type),
            "approved_on": timezone.localdate(item.approved_at).isoformat(),
        }
        tagged = {t.credit_id for t in item.credit_tags.all()}
        competencies = {t.competency_id for t in item.competency_tags.all()}
        tagged |= {c for c, needed in credit_items.items() if needed & competencies}
        for credit_id in sorted(tagged):
            per_credit[credit_id].append(key)
        if not tagged:
            loose.append(key)
    return evidence, per_credit, loose


def _reviews(award_review_ids: set[int]) -> dict[int, dict]:
    """Return, per review id, how the panel decided: format, date, panel size, outside experts."""
    if not award_review_ids:
        return {}
    from credo.mastery.models import CreditReview

    reviews = CreditReview.objects.filter(pk__in=award_review_ids).annotate(
        seats=Count("panel", distinct=True),
        guests=Count("panel", filter=Q(panel__user__isnull=True), distinct=True),
        decided=Max("decisions__decided_at", filter=Q(decisions__decision=Decision.AWARD)),
    )
    return {
        r.pk: {
            "format": r.get_format_display(),
            "decided_on": timezone.localdate(r.decided).isoformat() if r.decided else None,
            "panel": r.seats,
            "outside_experts": r.guests,
        }
        for r in reviews
    }


def _courses(student, today: dt.date) -> list[dict]:
    from credo.schools.models import Enrollment

    rows = (
        Enrollment.objects.filter(
            school_id=student.school_id, student=student, section__term__ends_on__lt=today
        )
        .select_related("section__experience", "section__term")
        .order_by("section__term__starts_on", "section__experience__title", "id")
    )
    seen = set()
    courses = []
    for e in rows:
        experience, term = e.section.experience, e.section.term
        key = (experience.pk, term.pk)
        if key in seen:
            continue
        seen.add(key)
        courses.append(
            {
                "title": experience.title,
                "kind": experience.get_kind_display(),
                "term": term.name,
                "school_year": term.school_year,
            }
        )
    return courses


def transcript_content(student: Student, *, today: dt.date | None = None) -> dict:
    """Return everything the student's transcript shows, as plain JSON-ready data.

    Credits are listed for every area of the school in the school's order, each with its state
    for this student ("earned", "in_progress", "not_started"). Earned credits carry their
    standard, award date, the panel review that decided them, the highlighted evidence that
    speaks to them and educators' comments. No scores, grades or ranks are included.
    """
    school = student.school
    today = today or school.today()
    policy = policy_of(school)
    areas = list(CreditArea.objects.filter(school=school).order_by("order", "name", "id"))
    level_rank = {"foundational": 0, "advanced": 1}
    credits = sorted(
        MasteryCredit.objects.filter(school=school),
        key=lambda c: (level_rank.get(c.level, 2), c.order, c.code, c.pk),
    )
    credit_items: dict[int, set[int]] = defaultdict(set)
    for credit_id, competency_id in CreditRequirementItem.objects.filter(school=school).values_list(
        "credit_id", "competency_id"
    ):
        credit_items[credit_id].add(competency_id)
    progress = dict(
        CreditProgress.objects.filter(student=student).values_list("credit_id", "status")
    )
    awards = {
        a.credit_id: a
        for a in CreditAward.objects.filter(student=student, revoked_at__isnull=True).only(
            "credit_id", "awarded_on", "review_id"
        )
    }
    reviews = _reviews({a.review_id for a in awards.values() if a.review_id})
    earned_items = {cid: credit_items.get(cid, set()) for cid in awards}
    evidence, evidence_per_credit, loose = _evidence_rows(student, earned_items)
    comments: dict[int, list[dict]] = defaultdict(list)
    for c in TranscriptComment.objects.filter(student=student, withdrawn_at__isnull=True).order_by(
        "created_at", "id"
    ):
        comments[c.credit_id].append(
            {
                "author": c.author_name,
                "role": c.author_role,
                "body": c.body,
                "date": timezone.localdate(c.created_at).isoformat(),
            }
        )

    outcomes, served = _graduate_profile(school)
    by_area: dict[int, list[dict]] = defaultdict(list)
    used_evidence: set[str] = set()
    summary = {
        level: {"earned": 0, "in_progress": 0, "not_started": 0, "total": 0}
        for level in ("foundational", "advanced")
    }
    for credit in credits:
        award = awards.get(credit.pk)
        if award is not None:
            state = "earned"
        elif progress.get(credit.pk) in IN_PROGRESS:
            state = "in_progress"
        else:
            state = "not_started"
        summary[credit.level][state] += 1
        summary[credit.level]["total"] += 1
        entry = {
            "code": credit.code,
            "title": credit.title,
            "level": credit.level,
            "standard": credit.standard,
            "review_required": credit.review_required,
            "min_evidence": credit.min_evidence,
            "state": state,
            "awarded_on": award.awarded_on.isoformat() if award else None,
            "review": reviews.get(award.review_id) if award and award.review_id else None,
            "evidence": evidence_per_credit.get(credit.pk, []) if award else [],
            "comments": comments.get(credit.pk, []) if award else [],
            "outcomes": served.get(credit.pk, []),
        }
        used_evidence.update(entry["evidence"])
        by_area[credit.area_id].append(entry)
    # Evidence tied only to credits not (yet) earned is still the student's chosen work.
    loose = loose + [k for k in evidence if k not in used_evidence and k not in loose]

    from credo.evidence.models import StudentStory

    story = StudentStory.objects.filter(student=student, approved_at__isnull=False).first()
    graduation = GraduationStatus.objects.filter(student=student).first()
    return {
        "schema": SCHEMA,
        "as_of": today.isoformat(),
        "school": {
            "name": school.name,
            "short_name": school.short_name,
            "slug": school.slug,
            "city": school.city,
            "website": school.website,
            "mission": school.mission,
            "context": school.context,
            "credit_policy": school.credit_policy,
            "enrollment_size": school.enrollment_size,
            "school_code": school.school_code,
            "counselor": {
                "name": school.counselor_name,
                "email": school.counselor_email,
                "phone": school.counselor_phone,
            },
            "outcomes": outcomes,
        },
        "scales": scales_of(school),
        "student": {
            "name": student.full_name,
            "given_name": student.preferred_name or student.given_name,
            "family_name": student.family_name,
            "graduation_year": student.graduation_year,
        },
        "summary": summary,
        "graduation": {
            "requirements_met": bool(graduation and graduation.eligible),
        },
        "areas": [
            {
                "code": area.code,
                "name": area.name,
                "colour": area.colour,
                "description": area.description,
                "credits": by_area.get(area.pk, []),
            }
            for area in areas
        ],
        "evidence": evidence,
        "other_evidence": loose,
        "story": (
            {"text": story.body, "approved_on": timezone.localdate(story.approved_at).isoformat()}
            if story and story.body.strip()
            else None
        ),
        "courses": _courses(student, today) if policy.include_courses else None,
    }


def _graduate_profile(school) -> tuple[list[dict], dict[int, list[str]]]:
    """Return the school's outcomes in use, and for each credit the titles of those it serves."""
    from credo.frameworks.models import Outcome

    rows = list(
        Outcome.objects.filter(school=school, retired_on__isnull=True).order_by(
            "order", "code", "id"
        )
    )
    titles = {o.pk: o.title for o in rows}
    served: dict[int, list[str]] = defaultdict(list)
    links = MasteryCredit.outcomes.through.objects.filter(outcome_id__in=titles).order_by(
        "outcome__order", "outcome__code", "outcome_id"
    )
    for credit_id, outcome_id in links.values_list("masterycredit_id", "outcome_id"):
        served[credit_id].append(titles[outcome_id])
    profile = [{"code": o.code, "title": o.title, "description": o.description} for o in rows]
    return profile, served


def scales_of(school) -> list[dict]:
    """Return the proficiency scales of the school's academic frameworks in use, with their levels.

    This is the scale a reader needs to understand what "shown at mastery" means on a credit.
    """
    from credo.frameworks.models import FrameworkKind, ProficiencyScale, ScaleLevel

    scales = list(
        ProficiencyScale.objects.filter(
            school=school,
            frameworks__kind=FrameworkKind.ACADEMIC,
            frameworks__until_cohort__isnull=True,
        )
        .distinct()
        .order_by("id")[:3]
    )
    levels: dict[int, list[dict]] = defaultdict(list)
    for level in ScaleLevel.objects.filter(scale__in=scales).order_by("scale_id", "value"):
        levels[level.scale_id].append(
            {"level": _number(level.value), "name": level.label, "meaning": level.description}
        )
    return [
        {
            "name": scale.name,
            "counts_from": _number(scale.mastery_threshold),
            "levels": levels.get(scale.pk, []),
        }
        for scale in scales
    ]


def _number(value: Decimal) -> str:
    """Return a decimal as a reader writes it: 3 not 3.00, 2.5 not 2.50."""
    text = format(value.normalize(), "f")
    return text


# --- versions, links and views ------------------------------------------------------------------


def versions_of(student):
    """Return the student's published versions, newest first."""
    return (
        TranscriptVersion.objects.filter(school_id=student.school_id, student=student)
        .select_related("published_by", "supersedes")
        .order_by("-number")
    )


def current_version(student) -> TranscriptVersion | None:
    return versions_of(student).filter(superseded_by__isnull=True).first()


def links_of(student):
    """Return the student's share links with their version, view count and last view."""
    return (
        ShareLink.objects.filter(school_id=student.school_id, student=student)
        .select_related("version", "created_by", "revoked_by")
        .annotate(view_count=Count("views"), last_viewed=Max("views__viewed_at"))
        .order_by("-created_at", "-id")
    )


def views_of(student, *, limit: int = 200) -> list[ShareView]:
    """Return the most recent views of the student's links, newest first, each with the title
    of the evidence it opened (``evidence_title``, blank for the transcript and PDF)."""
    views = list(
        ShareView.objects.filter(school_id=student.school_id, link__student=student)
        .select_related("link__version")
        .order_by("-viewed_at", "-id")[:limit]
    )
    for view in views:
        item = view.link.version.content.get("evidence", {}).get(view.evidence_key, {})
        view.evidence_title = item.get("title", "")
    return views


def cohort_rows(school, *, cohort: int | None = None) -> list[dict]:
    """Return one row per active student (optionally of one cohort) with their current version.

    Four queries whatever the number of students.
    """
    students = Student.objects.filter(school=school, active=True).select_related("graduation")
    if cohort is not None:
        students = students.filter(graduation_year=cohort)
    current = {
        v.student_id: v
        for v in TranscriptVersion.objects.filter(school=school, superseded_by__isnull=True).only(
            "student_id", "number", "published_at", "public_id", "school_id"
        )
    }
    links = dict(
        ShareLink.objects.filter(
            school=school, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        .values("student_id")
        .annotate(n=Count("id"))
        .values_list("student_id", "n")
    )
    return [
        {
            "student": s,
            "version": current.get(s.pk),
            "active_links": links.get(s.pk, 0),
            "graduation": getattr(s, "graduation", None),
        }
        for s in students.order_by("graduation_year", "family_name", "given_name", "id")
    ]


def cohorts_of(school) -> list[dict]:
    """Return each graduation year with its number of active students and of published transcripts."""
    years = (
        Student.objects.filter(school=school, active=True)
        .values("graduation_year")
        .annotate(n=Count("id"))
        .order_by("graduation_year")
    )
    published = dict(
        TranscriptVersion.objects.filter(
            school=school, superseded_by__isnull=True, student__active=True
        )
        .values("student__graduation_year")
        .annotate(n=Count("id"))
        .values_list("student__graduation_year", "n")
    )
    return [
        {
            "year": y["graduation_year"],
            "students": y["n"],
            "published": published.get(y["graduation_year"], 0),
        }
        for y in years
    ]


def runs_of(school, *, limit: int = 10):
    return PublicationRun.objects.filter(school=school).select_related("requested_by")[:limit]


# --- grade conversion ---------------------------------------------------------------------------


def grade_table_of(school) -> GradeConversionTable | None:
    return GradeConversionTable.objects.filter(school=school).prefetch_related("bands").first()


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def grade_report(student, table: GradeConversionTable) -> dict:
    """Return the grade-conversion report: per credit area, the mean current level of the
    competencies its credits name, converted through the school's table; and the mean of the
    converted points. This is a separate document, never part of the transcript.
    """
    bands = sorted(table.bands.all(), key=lambda b: b.min_score, reverse=True)

    def convert(score: Decimal | None):
        if score is None:
            return None
        return next((b for b in bands if score >= b.min_score), None)

    competencies: dict[int, set[int]] = defaultdict(set)
    for area_id, competency_id in CreditRequirementItem.objects.filter(
        school_id=student.school_id
    ).values_list("credit__area_id", "competency_id"):
        competencies[area_id].add(competency_id)
    scores = dict(
        MasteryState.objects.filter(student=student, score__isnull=False).values_list(
            "competency_id", "score"
        )
    )
    awarded = dict(
        CreditAward.objects.filter(student=student, revoked_at__isnull=True)
        .values("credit__area_id")
        .annotate(n=Count("id"))
        .values_list("credit__area_id", "n")
    )
    rows = []
    for area in CreditArea.objects.filter(school_id=student.school_id).order_by(
        "order", "name", "id"
    ):
        values = [scores[c] for c in competencies.get(area.pk, ()) if c in scores]
        mean = _round(sum(values, Decimal(0)) / len(values)) if values else None
        band = convert(mean)
        rows.append(
            {
                "area": area.name,
                "competencies": len(values),
                "mean": mean,
                "label": band.label if band else "—",
                "points": band.points if band else None,
                "credits": awarded.get(area.pk, 0),
            }
        )
    points = [r["points"] for r in rows if r["points"] is not None]
    overall = _round(sum(points, Decimal(0)) / len(points)) if points else None
    return {"rows": rows, "overall_points": overall, "bands": bands}


def revocations_since(version) -> list[dict]:
    """Return the credits this version shows as earned that the school has revoked since.

    A published version is never changed; readers are told beside it instead. A credit that was
    revoked and then awarded again (by a review) is not listed.
    """
    from credo.mastery.models import CreditAward

    earned = {
        credit.get("code")
        for area in version.content.get("areas", [])
        for credit in area.get("credits", [])
        if credit.get("state") == "earned"
    }
    if not earned:
        return []
    active = set(
        CreditAward.objects.filter(
            student_id=version.student_id, revoked_at__isnull=True, credit__code__in=earned
        ).values_list("credit__code", flat=True)
    )
    rows = (
        CreditAward.objects.filter(
            student_id=version.student_id,
            credit__code__in=earned - active,
            revoked_at__gt=version.published_at,
        )
        .select_related("credit")
        .order_by("revoked_at", "id")
    )
    seen, out = set(), []
    for award in rows:
        if award.credit.code in seen:
            continue
        seen.add(award.credit.code)
        out.append(
            {
                "code": award.credit.code,
                "title": award.credit.title,
                "revoked_on": award.revoked_at,
                "reason": award.revoke_reason,
            }
        )
    return out


def publication_run_lost(run: PublicationRun) -> str | None:
    """Return why an unfinished run will never finish by itself (its worker died), or None."""
    if run.status == RunStatus.RUNNING:
        return runs.taken_run_lost(
            worker=run.worker, heartbeat_at=run.heartbeat_at, started_at=run.started_at
        ) or runs.task_ended(run.task_id)
    if run.status == RunStatus.QUEUED:
        # heartbeat_at: when it was last re-queued (a new run: when it was made)
        return runs.queued_run_lost(
            task_id=run.task_id, queued_at=run.heartbeat_at or run.created_at
        )
    return None
