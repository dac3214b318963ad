"""Builders for tests: a small, complete school set up through the same models the services use."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from credo.accounts.access import system_actor
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
        actor=system_actor(),
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


def apply_change(service, /, **kwargs):
    """Preview a consequential setup change, then apply exactly that effect (every class)."""
    from credo.mastery.changes import preview_of

    effect = preview_of(service, **kwargs)
    return service(**kwargs, confirm=effect.fingerprint, reach_protected=True)


def totp_code(key: str, *, at: float | None = None) -> str:
    """Return the 6-digit code an authenticator app holding `key` (hex) shows now (or at `at`)."""
    from binascii import unhexlify

    from django_otp.oath import TOTP

    totp = TOTP(unhexlify(key), step=30, t0=0, digits=6)
    if at is not None:
        totp.time = at
    return f"{totp.token():06d}"


def two_factor_on(user):
    """Turn on `user`'s two-step sign-in through the service; return (device, recovery codes)."""
    from django_otp.util import random_hex

    from credo.accounts.services import two_factor_enable

    key = random_hex(20)
    return two_factor_enable(user=user, key=key, code=totp_code(key))


def login_verified(client, user) -> None:
    """Sign `user` in on the test client as if they had typed their password and a code."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user).first() or two_factor_on(user)[0]
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def row_counts() -> dict[str, int]:
    """Return the number of rows of every Credo model: compare before and after a refusal to
    show that nothing was written."""
    from django.apps import apps

    return {
        m._meta.label: m._base_manager.count()
        for m in apps.get_models()
        if m.__module__.startswith("credo.")
    }


def materialized(school=None) -> tuple[list, list, list]:
    """Return the engine's materialized tables (states, credit progress, graduation) as sorted
    rows, of one school or of all: compare them before and after a recompute, or with a replay."""
    from credo.mastery.models import CreditProgress, GraduationStatus, MasteryState

    def rows(model, *fields):
        qs = model.objects.all() if school is None else model.objects.filter(school=school)
        return sorted(qs.values_list(*fields))

    return (
        rows(
            MasteryState,
            "student_id",
            "competency_id",
            "score",
            "status",
            "assessment_count",
            "counted_count",
            "first_demonstrated_on",
            "last_demonstrated_on",
        ),
        rows(
            CreditProgress,
            "student_id",
            "credit_id",
            "status",
            "proficient_count",
            "points",
            "evidence_count",
        ),
        rows(
            GraduationStatus,
            "student_id",
            "foundational_awarded",
            "advanced_awarded",
            "rules_met",
            "rules_total",
            "eligible",
        ),
    )


def meet_credit(student, credit, *, actor, day=None) -> None:
    """Assess `student` at the top of the scale on every competency the credit lists (through
    the real service), so the credit's requirement is met and a review may be requested."""
    import datetime as dt

    from credo.mastery.services import assessment_record

    for item in credit.items.select_related("competency"):
        _, high = item.competency.effective_scale.bounds
        assessment_record(
            assessor=actor,
            student=student,
            competency=item.competency,
            value=high,
            demonstrated_on=day or dt.date(2025, 10, 1),
        )
