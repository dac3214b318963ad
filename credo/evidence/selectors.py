"""Reads about evidence. Every selector takes the student (or school) it is about."""

from __future__ import annotations

from django.db.models import Count, Prefetch

from credo.evidence.models import (
    Evidence,
    EvidenceCompetency,
    EvidenceCredit,
    PeerFeedback,
    StudentStory,
)
from credo.schools.models import Enrollment, Term


def latest_term_of(student) -> Term | None:
    """Return the most recent term (by start date) in which the student has a section, or None."""
    return (
        Term.objects.filter(school_id=student.school_id, sections__enrollments__student=student)
        .order_by("-starts_on", "-id")
        .first()
    )


def classmate_ids(student, *, term: Term | None = None) -> set[int]:
    """Return the ids of the students who share a section with `student` (not the student);
    with `term`, only the sections of that term."""
    sections = Enrollment.objects.filter(student=student)
    if term is not None:
        sections = sections.filter(section__term=term)
    sections = sections.values("section_id")
    ids = set(
        Enrollment.objects.filter(school_id=student.school_id, section_id__in=sections).values_list(
            "student_id", flat=True
        )
    )
    ids.discard(student.pk)
    return ids


def _with_tags(qs):
    return qs.select_related("section__experience").prefetch_related(
        Prefetch(
            "competency_tags", queryset=EvidenceCompetency.objects.select_related("competency")
        ),
        Prefetch("credit_tags", queryset=EvidenceCredit.objects.select_related("credit")),
    )


def evidence_of(student):
    """Return the student's evidence, newest first, with its tags and how often it was assessed."""
    return _with_tags(
        Evidence.objects.filter(school_id=student.school_id, student=student).annotate(
            assessment_count=Count("assessments", distinct=True)
        )
    ).order_by("-demonstrated_on", "-id")


def shared_by_classmates(student, *, term: Term | None = None):
    """Return the work classmates (of `term`'s sections, or of every section) chose to share with
    their peers, newest first."""
    return (
        Evidence.objects.filter(
            school_id=student.school_id,
            student_id__in=classmate_ids(student, term=term),
            shared_with_peers=True,
        )
        .select_related("student")
        .annotate(feedback_count=Count("peer_feedback", distinct=True))
        .order_by("-submitted_at", "-id")
    )


def evidence_for_credit(student, credit):
    """Return the student's evidence that speaks to `credit`: tagged to it or to one of its competencies."""
    from django.db.models import Q

    competency_ids = credit.items.values("competency_id")
    return (
        Evidence.objects.filter(school_id=student.school_id, student=student)
        .filter(
            Q(credit_tags__credit=credit) | Q(competency_tags__competency_id__in=competency_ids)
        )
        .distinct()
        .order_by("-demonstrated_on", "-id")
    )


def peer_feedback_on(evidence):
    return (
        PeerFeedback.objects.filter(evidence=evidence)
        .select_related("author")
        .order_by("created_at", "id")
    )


def revision_chain(evidence) -> list[Evidence]:
    """Return the earlier versions this evidence revises, oldest first (a few queries at most)."""
    chain, seen, current = [], {evidence.pk}, evidence
    while current.revision_of_id and current.revision_of_id not in seen and len(chain) < 20:
        current = Evidence.objects.select_related(
            "responds_to__assessor", "responds_to__competency"
        ).get(pk=current.revision_of_id)
        seen.add(current.pk)
        chain.append(current)
    return list(reversed(chain))


def story_of(student) -> StudentStory | None:
    return StudentStory.objects.filter(student=student).select_related("approved_by").first()
