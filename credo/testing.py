"""Builders for tests: a small, complete school set up through the same models the services use."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from credo.accounts.models import Membership, Role, Student, User
from credo.accounts.services import student_create
from credo.frameworks.models import (
    Competency,
    Framework,
    FrameworkKind,
    ProficiencyScale,
    ScaleLevel,
)
from credo.mastery.models import CreditArea, CreditRequirementItem, GraduationRule, MasteryCredit
from credo.schools.models import (
    Enrollment,
    ExperienceAlignment,
    LearningExperience,
    School,
    Section,
    SectionTeacher,
    Term,
)

_counter = itertools.count(1)


def make_user(username: str | None = None, *, school=None, role=None, **extra) -> User:
    username = username or f"user{next(_counter)}"
    user = User.objects.create_user(username=username, password="pw-for-tests-only", **extra)
    if school is not None and role is not None:
        Membership.objects.create(school=school, user=user, role=role)
    return user


@dataclass
class SmallSchool:
    school: School
    scale: ProficiencyScale
    framework: Framework
    habits: Framework
    competencies: list[Competency]
    habit: Competency
    areas: list[CreditArea]
    credits: dict[str, MasteryCredit]
    admin: User
    registrar: User
    teacher: User
    advisor: User
    section: Section
    students: list[Student] = field(default_factory=list)


def make_scale(school, *, low=1, high=4, threshold="3", exceeds="4") -> ProficiencyScale:
    scale = ProficiencyScale.objects.create(
        school=school,
        name="Four-level scale",
        mastery_threshold=Decimal(threshold),
        exceeds_threshold=Decimal(exceeds) if exceeds else None,
        min_value=Decimal(low),
        max_value=Decimal(high),
    )
    labels = ["Beginning", "Developing", "Proficient", "Exceeding"]
    for value in range(low, high + 1):
        ScaleLevel.objects.create(
            school=school, scale=scale, value=value, label=labels[(value - low) % 4]
        )
    return scale


def make_student(
    school,
    *,
    n: int | None = None,
    graduation_year: int = 2027,
    user=True,
    section=None,
    advisor=None,
) -> Student:
    n = n or next(_counter)
    account = make_user(f"student{n}-{school.slug}") if user else None
    student = student_create(
        actor=None,
        school=school,
        user=account,
        given_name=f"Student{n}",
        family_name="Tester",
        student_number=f"S{n:05d}",
        graduation_year=graduation_year,
        advisor=advisor,
    )
    if section is not None:
        Enrollment.objects.create(school=school, section=section, student=student)
    return student


def make_small_school(
    slug: str = "hill", *, method: str = "latest", param=None, students: int = 3
) -> SmallSchool:
    """Return a school with one scale, a framework of 6 competencies, 2 areas and 3 credits."""
    school = School.objects.create(name=f"{slug.title()} School", slug=slug)
    scale = make_scale(school)
    framework = Framework.objects.create(
        school=school,
        name="Academic framework",
        scale=scale,
        calculation_method=method,
        calculation_param=param,
    )
    habits = Framework.objects.create(
        school=school,
        name="Habits of work",
        kind=FrameworkKind.HABITS,
        scale=scale,
        calculation_method="latest",
    )
    competencies = [
        Competency.objects.create(
            school=school,
            framework=framework,
            code=f"C{i}",
            statement=f"Competency {i}",
            sequence=i,
        )
        for i in range(1, 7)
    ]
    habit = Competency.objects.create(
        school=school, framework=habits, code="H1", statement="Perseveres"
    )
    areas = [
        CreditArea.objects.create(
            school=school, code="A", name="Inquiry", colour="#1f77b4", order=1
        ),
        CreditArea.objects.create(
            school=school, code="B", name="Expression", colour="#d62728", order=2
        ),
    ]
    credits = {
        "all": MasteryCredit.objects.create(
            school=school,
            area=areas[0],
            code="F1",
            title="Inquiry I",
            standard="Shows inquiry.",
            rule="all",
        ),
        "count": MasteryCredit.objects.create(
            school=school,
            area=areas[1],
            code="F2",
            title="Expression I",
            standard="Expresses ideas.",
            rule="count",
            rule_n=2,
        ),
        "advanced": MasteryCredit.objects.create(
            school=school,
            area=areas[0],
            code="A1",
            title="Inquiry II",
            standard="Leads inquiry.",
            level="advanced",
            rule="points",
            rule_n=3,
            review_required=True,
        ),
    }
    for c in competencies[:2]:
        CreditRequirementItem.objects.create(school=school, credit=credits["all"], competency=c)
    for i, c in enumerate(competencies[2:5]):
        CreditRequirementItem.objects.create(
            school=school, credit=credits["count"], competency=c, required=i == 0
        )
    for c, pts in zip(competencies[3:6], (1, 2, 2), strict=True):
        CreditRequirementItem.objects.create(
            school=school, credit=credits["advanced"], competency=c, points=pts
        )
    GraduationRule.objects.create(school=school, kind="min_credits", level="foundational", n=2)
    term = Term.objects.create(
        school=school,
        name="Fall",
        school_year="2025-26",
        starts_on=dt.date(2025, 8, 25),
        ends_on=dt.date(2025, 12, 19),
    )
    experience = LearningExperience.objects.create(school=school, code="SCI9", title="Science 9")
    for c in competencies:
        ExperienceAlignment.objects.create(school=school, experience=experience, competency=c)
    section = Section.objects.create(
        school=school, experience=experience, term=term, name="Block A"
    )
    admin = make_user(f"admin-{slug}", school=school, role=Role.ADMIN)
    registrar = make_user(f"registrar-{slug}", school=school, role=Role.REGISTRAR)
    teacher = make_user(f"teacher-{slug}", school=school, role=Role.TEACHER)
    advisor = make_user(f"advisor-{slug}", school=school, role=Role.ADVISOR)
    SectionTeacher.objects.create(school=school, section=section, user=teacher)
    result = SmallSchool(
        school,
        scale,
        framework,
        habits,
        competencies,
        habit,
        areas,
        credits,
        admin,
        registrar,
        teacher,
        advisor,
        section,
    )
    result.students = [
        make_student(school, section=section, advisor=advisor) for _ in range(students)
    ]
    return result


def submit_evidence(student, n: int, *, title: str, day: dt.date, **extra) -> list:
    """Have `student` submit `n` text pieces, "<title> 00", "<title> 01"…, through the service."""
    from credo.evidence.services import evidence_submit

    return [
        evidence_submit(
            actor=student.user,
            student=student,
            kind="text",
            title=f"{title} {i:02d}",
            body="b",
            demonstrated_on=day,
            **extra,
        )
        for i in range(n)
    ]
