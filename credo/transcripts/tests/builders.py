"""Builders for transcript tests: students with earned credits, evidence, stories, comments.

Everything goes through the real services (assessments, evidence, stories, comments).
"""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from credo.evidence.services import evidence_approve, evidence_submit, story_approve, story_save
from credo.mastery.services import assessment_record
from credo.transcripts.services import comment_add


def earn(small, student, competencies, *, value="3", days_ago=10):
    """Record a proficient summative assessment on each competency."""
    when = timezone.localdate() - dt.timedelta(days=days_ago)
    for competency in competencies:
        assessment_record(
            assessor=small.teacher,
            student=student,
            competency=competency,
            value=value,
            demonstrated_on=when,
        )


def rich_student(small, student=None):
    """Return a student of `small` with two foundational credits earned, evidence, a story and a comment.

    The advanced credit needs a review, so it stays in progress.
    """
    student = student or small.students[0]
    earn(small, student, small.competencies[:5])
    actor = student.user
    when = timezone.localdate() - dt.timedelta(days=20)
    essay = evidence_submit(
        actor=actor,
        student=student,
        kind="text",
        title="River study report",
        demonstrated_on=when,
        body="We measured the river's flow at five points over a month.",
        credits=[small.credits["all"]],
        highlighted=True,
    )
    evidence_approve(actor=small.teacher, evidence=essay)
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
    hidden = evidence_submit(
        actor=actor,
        student=student,
        kind="text",
        title="Private draft notes",
        demonstrated_on=when,
        body="Not for the transcript.",
        credits=[small.credits["all"]],
    )
    evidence_approve(actor=small.teacher, evidence=hidden)
    evidence_submit(  # highlighted but never approved: not shown
        actor=actor,
        student=student,
        kind="link",
        title="Unapproved blog",
        demonstrated_on=when,
        url="https://example.org/blog",
        credits=[small.credits["all"]],
        highlighted=True,
    )
    story = story_save(
        actor=actor, student=student, body="I learn best by building things.", submit=True
    )
    story_approve(actor=small.advisor, story=story)
    comment_add(
        actor=small.teacher,
        student=student,
        credit=small.credits["all"],
        body="Careful, patient fieldwork; her report set a standard for the class.",
    )
    return student


AREA_NAMES = (
    "Communication and Expression",
    "Quantitative Reasoning",
    "Scientific Investigation",
    "Social Understanding and Civic Life",
    "Creative Design and Making",
    "Wellness, Purpose and Community",
    "World Languages and Cultures",
    "Technology and Computational Thinking",
)
COLOURS = ("#1f5f8b", "#8a4b08", "#2e6b30", "#6b3fa0", "#a3324a", "#00676b", "#5c5c00", "#7a3b00")


def crowded_school(
    slug: str = "crowded",
    *,
    areas: int = 6,
    foundational: int = 6,
    advanced: int = 3,
    earn_advanced: int = 2,
):
    """Return (small school, student) where the student earned every foundational credit of a big catalogue.

    Each credit lists one competency of its own, with long, realistic titles, so the summary
    page is as crowded as a real school's can be.
    """
    from credo.frameworks.models import Competency
    from credo.mastery.models import CreditArea, CreditRequirementItem, MasteryCredit
    from credo.schools.models import ExperienceAlignment
    from credo.testing import make_small_school

    small = make_small_school(slug, students=1)
    student = small.students[0]
    to_earn = []
    n = 0
    for a in range(areas):
        area = CreditArea.objects.create(
            school=small.school,
            code=f"X{a}",
            name=AREA_NAMES[a % len(AREA_NAMES)],
            colour=COLOURS[a % len(COLOURS)],
            order=10 + a,
        )
        for level, count in (("foundational", foundational), ("advanced", advanced)):
            for i in range(count):
                n += 1
                competency = Competency.objects.create(
                    school=small.school,
                    framework=small.framework,
                    code=f"X{n}",
                    statement=f"Competency {n}",
                    sequence=100 + n,
                )
                credit = MasteryCredit.objects.create(
                    school=small.school,
                    area=area,
                    level=level,
                    code=f"X{n}",
                    title=f"{'Advanced' if level == 'advanced' else 'Applied'} {area.name.split()[0]} {i + 1}: "
                    "evidence, argument and revision",
                    standard="Uses evidence to build, test and revise an argument that others can follow.",
                    rule="all",
                    order=i,
                )
                CreditRequirementItem.objects.create(
                    school=small.school, credit=credit, competency=competency
                )
                # taught in the student's section, so their teacher may assess it
                ExperienceAlignment.objects.create(
                    school=small.school,
                    experience_id=small.section.experience_id,
                    competency=competency,
                )
                if level == "foundational" or i < earn_advanced:
                    to_earn.append(competency)
    earn(small, student, to_earn)
    return small, student
