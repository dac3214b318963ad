"""A synthetic district for benchmarks: schools, frameworks, credits, rosters and their assessments.

`build_district` fills an empty database with a network of schools that looks like a real one
at the scale of a large district: a 1–4 proficiency scale, an academic framework whose
competencies mix every calculation method, a habits framework, credit areas, mastery credits
under all three rules, graduation rules, teachers, sections and enrollments, and students in
four cohorts with a few hundred assessments each over three school years — values trending
upward, some formative, some corrected, a few retracted.

The generator is not a user write: it goes straight to the tables, assessments in large
`executemany` batches (COPY on PostgreSQL) inside one transaction, and records one audit event
that summarizes what it made. The same seed and day give the same district, row for row.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from credo.accounts.access import system_actor
from credo.core import bulkload
from credo.mastery.sql import ASSESSMENT_COLUMNS

EPOCH = dt.date(1970, 1, 1)
BATCH = 50_000
SECTION_SIZE = 25
STUDENTS_PER_TEACHER = 20

AREAS = (
    ("QR", "Quantitative Reasoning", "#1f6f8b"),
    ("SI", "Scientific Inquiry", "#3c8d2f"),
    ("CE", "Clear Expression", "#b5523b"),
    ("HG", "History and Global Perspectives", "#7a4fa3"),
    ("CD", "Creative Design", "#c28a12"),
    ("WC", "Wellness and Community", "#2d6f6a"),
)
COMPETENCIES_PER_AREA = 14
HABITS = (
    "Perseverance",
    "Collaboration",
    "Self-direction",
    "Reflection",
    "Organization",
    "Integrity",
)
# Per-competency overrides cycle through every method so each one is exercised.
METHOD_OVERRIDES = (
    ("latest", None),
    ("highest", None),
    ("average", None),
    ("mode", None),
    ("decaying_average", 75),
    ("weighted_average", 65),
    ("n_mastery", 3),
    ("power_law", None),
)
# The academic framework's own method, by school.
FRAMEWORK_METHODS = (
    ("decaying_average", 65),
    ("weighted_average", 60),
    ("power_law", None),
    ("n_mastery", 4),
)
GIVEN = (
    "Ada",
    "Bilal",
    "Chen",
    "Dara",
    "Elif",
    "Femi",
    "Gia",
    "Hugo",
    "Ines",
    "Jae",
    "Kofi",
    "Lena",
    "Mateo",
    "Nia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tariq",
    "Uma",
    "Vera",
    "Wren",
    "Yusuf",
)
FAMILY = (
    "Abara",
    "Bergstrom",
    "Castillo",
    "Dube",
    "Eriksen",
    "Fofana",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Park",
    "Quispe",
    "Rossi",
    "Silva",
    "Tanaka",
    "Usman",
    "Varga",
    "Weber",
    "Zhou",
)


@dataclass
class SchoolRoster:
    """What the benchmark needs to know about one generated school."""

    school_id: int
    registrar_id: int
    student_ids: list[int]
    academic_ids: list[int]
    habit_ids: list[int]
    # (section id, teacher user id, competency ids aligned to the section's experience)
    sections: list[tuple[int, int, list[int]]]
    # student id -> indexes into `sections`
    enrollments: dict[int, list[int]]


@dataclass
class District:
    """A generated district: its ids, what it holds, and how long it took to make."""

    network_id: int
    seed: int
    today: dt.date
    schools: list[SchoolRoster]
    students: int = 0
    assessments: int = 0
    corrections: int = 0
    retractions: int = 0
    competencies: int = 0
    credits: int = 0
    enrollments: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def school_ids(self) -> list[int]:
        return [s.school_id for s in self.schools]


def build_district(
    *,
    students: int = 20_000,
    schools: int = 4,
    seed: int = 0,
    per_student: float = 200.0,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> District:
    """Generate a district of `students` students in `schools` schools and return what was made.

    `per_student` is the district's mean number of assessments per student; seniors have
    three school years of history, freshmen a few months. Writes in one transaction.
    """
    if students < 1 or schools < 1:
        raise ValueError("A district needs at least one school and one student.")
    from credo.accounts.models import Student
    from credo.core.audit import audit_record
    from credo.mastery.models import Assessment
    from credo.schools.models import Network

    say = progress or (lambda _msg: None)
    today = today or timezone.localdate()
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    sizes = [students // schools + (1 if k < students % schools else 0) for k in range(schools)]
    sizes = [s for s in sizes if s > 0]
    calendar = _Calendar(today)
    district = District(network_id=0, seed=seed, today=today, schools=[])
    with transaction.atomic():
        network = Network.objects.create(
            name="Synthetic District",
            slug=f"synthetic-{seed}",
            description="Generated for benchmarking; not real people.",
        )
        district.network_id = network.pk
        next_assessment_id = bulkload.next_ids("mastery_assessment", 1)[0]
        next_student_id = bulkload.next_ids("accounts_student", 1)[0]
        dropped = bulkload.drop_indexes("mastery_assessment")
        for k, size in enumerate(sizes):
            t = time.perf_counter()
            roster, comp_info = _build_school(k, network, size, next_student_id, calendar, rng)
            next_student_id += size
            district.timings["setup_s"] = (
                district.timings.get("setup_s", 0.0) + time.perf_counter() - t
            )
            t = time.perf_counter()
            made = _assessments(
                k, roster, comp_info, calendar, rng, next_assessment_id, per_student
            )
            district.timings["assessments_s"] = (
                district.timings.get("assessments_s", 0.0) + time.perf_counter() - t
            )
            next_assessment_id += made["rows"]
            district.schools.append(roster)
            district.students += size
            district.assessments += made["rows"]
            district.corrections += made["corrections"]
            district.retractions += made["retractions"]
            district.competencies += len(roster.academic_ids) + len(roster.habit_ids)
            district.credits += made["credits"]
            district.enrollments += sum(len(v) for v in roster.enrollments.values())
            say(f"school {k + 1}/{len(sizes)}: {size:,} students, {made['rows']:,} assessments")
        bulkload.reset_sequences(Student, Assessment)
        t = time.perf_counter()
        bulkload.create_indexes(dropped)
        district.timings["indexes_s"] = time.perf_counter() - t
        district.seconds = time.perf_counter() - t0
        audit_record(
            actor=system_actor(),
            school=None,
            action="bench.district_generated",
            target=network,
            after={
                "seed": seed,
                "today": today,
                "schools": district.school_ids,
                "students": district.students,
                "assessments": district.assessments,
                "corrections": district.corrections,
                "retractions": district.retractions,
                "credits": district.credits,
            },
            note="Synthetic data for `credo bench`; written directly, not through the services.",
        )
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    district.timings["analyze_s"] = time.perf_counter() - t
    district.seconds = time.perf_counter() - t0
    return district


# --- calendar ---------------------------------------------------------------------------------


class _Calendar:
    """Three school years (late August to mid June) ending today, as epoch days of school days."""

    def __init__(self, today: dt.date):
        self.today = today
        first_year = today.year if today >= dt.date(today.year, 8, 25) else today.year - 1
        self.current_year = first_year
        self.years = [first_year - 2, first_year - 1, first_year]
        self.school_days: list[np.ndarray] = []
        for y in self.years:
            start, end = dt.date(y, 8, 25), min(dt.date(y + 1, 6, 15), today)
            days = np.arange(_day(start), _day(end) + 1, dtype=np.int64)
            weekday = (days + 3) % 7  # 1970-01-01 was a Thursday: 0 = Monday
            self.school_days.append(days[weekday < 5])
        low = _day(dt.date(self.years[0] - 1, 8, 1))
        high = _day(today) + 1
        self.first_day = low
        self.date_text = np.array(
            [(EPOCH + dt.timedelta(days=int(d))).isoformat() for d in range(low, high + 1)],
            dtype=object,
        )

    def days_for(self, years_of_history: int) -> np.ndarray:
        """Return the school days of the last `years_of_history` school years, up to today."""
        return np.concatenate(self.school_days[len(self.years) - years_of_history :])

    def text(self, days: np.ndarray) -> np.ndarray:
        return self.date_text[days - self.first_day]


def _day(d: dt.date) -> int:
    return (d - EPOCH).days


_TIMES = np.array(
    [f" {h:02d}:{m:02d}:{s:02d}" for h in range(7, 19) for m in range(60) for s in range(60)],
    dtype=object,
)


# --- one school -------------------------------------------------------------------------------


def _build_school(k, network, size, first_student_id, calendar, rng):
    from credo.accounts.models import Membership, Role, User
    from credo.frameworks.models import Competency, Framework, Outcome, ProficiencyScale, ScaleLevel
    from credo.schools.models import (
        ExperienceAlignment,
        LearningExperience,
        School,
        Section,
        SectionTeacher,
        Term,
    )

    school = School.objects.create(
        name=f"Synthetic High School {k + 1}",
        short_name=f"SHS {k + 1}",
        slug=f"synthetic-{network.pk}-{k + 1}",
        network=network,
        mission="A generated school for benchmarks.",
        enrollment_size=size,
        credit_policy="Credits are earned by showing every competency a credit names.",
    )
    scale = ProficiencyScale.objects.create(
        school=school,
        name="Four levels",
        mastery_threshold=Decimal("3"),
        exceeds_threshold=Decimal("4"),
        min_value=Decimal("1"),
        max_value=Decimal("4"),
    )
    ScaleLevel.objects.bulk_create(
        [
            ScaleLevel(school=school, scale=scale, value=Decimal(v), label=label)
            for v, label in ((1, "Beginning"), (2, "Developing"), (3, "Proficient"), (4, "Exceeds"))
        ]
    )
    method, param = FRAMEWORK_METHODS[k % len(FRAMEWORK_METHODS)]
    academic = Framework.objects.create(
        school=school,
        name="Graduate competencies",
        kind="academic",
        scale=scale,
        calculation_method=method,
        calculation_param=param,
        counts_formative=(k % 2 == 1),
    )
    habits = Framework.objects.create(
        school=school,
        name="Habits of work and learning",
        kind="habits",
        scale=scale,
        calculation_method="mode",
        counts_formative=True,
    )
    outcomes = Outcome.objects.bulk_create(
        [
            Outcome(school=school, framework=academic, code=code, title=name, order=i)
            for i, (code, name, _) in enumerate(AREAS)
        ]
    )
    domains = Competency.objects.bulk_create(
        [
            Competency(
                school=school,
                framework=academic,
                outcome=outcomes[i],
                kind="domain",
                code=code,
                statement=f"{name}.",
                sequence=i * 100,
            )
            for i, (code, name, _) in enumerate(AREAS)
        ]
    )
    comps = []
    for i, (code, name, _) in enumerate(AREAS):
        for j in range(COMPETENCIES_PER_AREA):
            n = i * COMPETENCIES_PER_AREA + j
            over = METHOD_OVERRIDES[(n // 3) % len(METHOD_OVERRIDES)] if n % 3 == 0 else ("", None)
            comps.append(
                Competency(
                    school=school,
                    framework=academic,
                    parent=domains[i],
                    outcome=outcomes[i],
                    kind="competency",
                    code=f"{code}.{j + 1}",
                    statement=f"Uses {name.lower()} to solve problem type {j + 1}.",
                    sequence=i * 100 + j + 1,
                    calculation_method=over[0],
                    calculation_param=over[1],
                )
            )
    comps = Competency.objects.bulk_create(comps)
    habit_comps = Competency.objects.bulk_create(
        [
            Competency(
                school=school,
                framework=habits,
                kind="competency",
                code=f"H.{j + 1}",
                statement=f"{name}: works with {name.lower()} day to day.",
                sequence=j,
            )
            for j, name in enumerate(HABITS)
        ]
    )

    # People: one registrar, teachers (who advise), students in four cohorts.
    n_teachers = max(2, math.ceil(size / STUDENTS_PER_TEACHER))
    users = [User(username=f"s{school.pk}-registrar", display_name=f"Registrar {k + 1}")] + [
        User(username=f"s{school.pk}-t{j}", display_name=f"Teacher {j + 1} of school {k + 1}")
        for j in range(n_teachers)
    ]
    for user in users:
        user.set_unusable_password()
    users = User.objects.bulk_create(users)
    registrar, teachers = users[0], users[1:]
    Membership.objects.bulk_create(
        [
            Membership(school=school, user=registrar, role=Role.REGISTRAR),
            Membership(school=school, user=registrar, role=Role.ADMIN),
        ]
        + [
            Membership(school=school, user=t, role=r)
            for t in teachers
            for r in (Role.TEACHER, Role.ADVISOR)
        ]
    )
    cohorts = [calendar.current_year + 1 + c for c in range(4)]  # seniors first
    student_ids = list(range(first_student_id, first_student_id + size))
    cohort_of = rng.integers(0, 4, size=size)
    given = rng.integers(0, len(GIVEN), size=size)
    family = rng.integers(0, len(FAMILY), size=size)
    advisor = rng.integers(0, n_teachers, size=size)
    _insert(
        "accounts_student",
        (
            "id",
            "school_id",
            "user_id",
            "given_name",
            "family_name",
            "preferred_name",
            "student_number",
            "graduation_year",
            "birth_date",
            "advisor_id",
            "source_id",
            "active",
        ),
        [
            (
                sid,
                school.pk,
                None,
                GIVEN[g],
                FAMILY[f],
                "",
                f"{k + 1}{i:06d}",
                cohorts[c],
                None,
                teachers[a].pk,
                "",
                True,
            )
            for i, (sid, c, g, f, a) in enumerate(
                zip(
                    student_ids,
                    cohort_of.tolist(),
                    given.tolist(),
                    family.tolist(),
                    advisor.tolist(),
                    strict=True,
                )
            )
        ],
    )

    # Terms, experiences aligned to competencies, current-term sections and enrollments.
    terms = []
    for y in calendar.years:
        terms += [
            Term(
                school=school,
                name=f"Fall {y}",
                school_year=f"{y}-{y + 1}",
                starts_on=dt.date(y, 8, 25),
                ends_on=dt.date(y + 1, 1, 15),
            ),
            Term(
                school=school,
                name=f"Spring {y + 1}",
                school_year=f"{y}-{y + 1}",
                starts_on=dt.date(y + 1, 1, 16),
                ends_on=dt.date(y + 1, 6, 15),
            ),
        ]
    terms = Term.objects.bulk_create(terms)
    current = (
        next(t for t in terms if t.starts_on <= calendar.today <= t.ends_on)
        if any(t.starts_on <= calendar.today <= t.ends_on for t in terms)
        else terms[-1]
    )
    half = COMPETENCIES_PER_AREA // 2
    experiences, aligned = [], []
    for i, (code, name, _) in enumerate(AREAS):
        area_comps = comps[i * COMPETENCIES_PER_AREA : (i + 1) * COMPETENCIES_PER_AREA]
        for part, chunk in enumerate((area_comps[:half], area_comps[half:])):
            experiences.append(
                LearningExperience(
                    school=school, code=f"{code}-{part + 1}", title=f"{name} {'I' * (part + 1)}"
                )
            )
            aligned.append(chunk)
    experiences.append(
        LearningExperience(school=school, kind="seminar", code="ADV", title="Advisory")
    )
    aligned.append(habit_comps)
    experiences = LearningExperience.objects.bulk_create(experiences)
    ExperienceAlignment.objects.bulk_create(
        [
            ExperienceAlignment(school=school, experience=e, competency=c)
            for e, chunk in zip(experiences, aligned, strict=True)
            for c in chunk
        ]
    )
    order = rng.permutation(size)
    plan = []  # (experience index, member student indexes)
    for i in range(len(AREAS)):
        for part in (0, 1):
            members = order[(order + i) % 2 == part]
            plan += [
                (2 * i + part, members[s : s + SECTION_SIZE])
                for s in range(0, len(members), SECTION_SIZE)
            ]
    plan += [
        (len(experiences) - 1, order[s : s + SECTION_SIZE]) for s in range(0, size, SECTION_SIZE)
    ]
    sections = Section.objects.bulk_create(
        [
            Section(school=school, experience=experiences[e], term=current, name=f"Section {j + 1}")
            for j, (e, _) in enumerate(plan)
        ]
    )
    teacher_of = [teachers[j % n_teachers].pk for j in range(len(sections))]
    SectionTeacher.objects.bulk_create(
        [
            SectionTeacher(school=school, section=s, user_id=u)
            for s, u in zip(sections, teacher_of, strict=True)
        ]
    )
    enrollments: dict[int, list[int]] = {}
    rows = []
    for j, (_, members) in enumerate(plan):
        for m in members.tolist():
            enrollments.setdefault(student_ids[m], []).append(j)
            rows.append((school.pk, sections[j].pk, student_ids[m], ""))
    _insert("schools_enrollment", ("school_id", "section_id", "student_id", "source_id"), rows)

    credits = _credits(school, comps)
    roster = SchoolRoster(
        school_id=school.pk,
        registrar_id=registrar.pk,
        student_ids=student_ids,
        academic_ids=[c.pk for c in comps],
        habit_ids=[c.pk for c in habit_comps],
        sections=[
            (s.pk, u, [c.pk for c in aligned[e]])
            for s, u, (e, _) in zip(sections, teacher_of, plan, strict=True)
        ],
        enrollments=enrollments,
    )
    comp_info = {
        "cohort_of": cohort_of,
        "cohorts": cohorts,
        "teachers": np.array([t.pk for t in teachers], dtype=np.int64),
        "step": 0.5 if k % 4 == 2 else 1.0,
        "credits": credits,
    }
    return roster, comp_info


def _credits(school, comps) -> int:
    """Make credit areas, ~25 mastery credits under all three rules, and graduation rules."""
    from credo.mastery.models import (
        CreditArea,
        CreditRequirementItem,
        GraduationRule,
        GraduationRuleCredit,
        MasteryCredit,
    )

    areas = CreditArea.objects.bulk_create(
        [
            CreditArea(school=school, code=code, name=name, colour=colour, order=i)
            for i, (code, name, colour) in enumerate(AREAS)
        ]
    )
    specs = []  # (credit, [(competency, points, required)])
    for i, area in enumerate(areas):
        c = comps[i * COMPETENCIES_PER_AREA : (i + 1) * COMPETENCIES_PER_AREA]
        code = area.code
        specs += [
            (
                MasteryCredit(
                    school=school,
                    area=area,
                    level="foundational",
                    code=f"{code}-F1",
                    order=1,
                    title=f"{area.name}: foundations",
                    rule="all",
                    standard="Shows every listed competency at the proficient level.",
                ),
                [(x, 1, False) for x in c[0:4]],
            ),
            (
                MasteryCredit(
                    school=school,
                    area=area,
                    level="foundational",
                    code=f"{code}-F2",
                    order=2,
                    title=f"{area.name}: application",
                    rule="count",
                    rule_n=3,
                    standard="Shows at least three of five competencies, including the first.",
                ),
                [(x, 1, n == 0) for n, x in enumerate(c[4:9])],
            ),
            (
                MasteryCredit(
                    school=school,
                    area=area,
                    level="foundational",
                    code=f"{code}-F3",
                    order=3,
                    title=f"{area.name}: synthesis",
                    rule="points",
                    rule_n=5,
                    standard="Earns five points from competencies weighted by depth.",
                ),
                [(x, p, False) for x, p in zip(c[9:14], (1, 1, 2, 2, 3), strict=True)],
            ),
            (
                MasteryCredit(
                    school=school,
                    area=area,
                    level="advanced",
                    code=f"{code}-A1",
                    order=4,
                    title=f"{area.name}: advanced study",
                    rule="count",
                    rule_n=3,
                    review_required=(i % 2 == 0),
                    standard="Shows three of four demanding competencies; defended before a panel.",
                ),
                [(x, 1, False) for x in (c[2], c[6], c[10], c[13])],
            ),
        ]
    specs.append(
        (
            MasteryCredit(
                school=school,
                area=areas[0],
                level="advanced",
                code="CAP",
                order=9,
                title="Capstone",
                rule="points",
                rule_n=4,
                review_required=True,
                standard="An interdisciplinary project that draws on four areas, shown in an exhibition.",
            ),
            [(comps[i * COMPETENCIES_PER_AREA + 13], 1, False) for i in range(len(areas))],
        )
    )
    credits = MasteryCredit.objects.bulk_create([c for c, _ in specs])
    CreditRequirementItem.objects.bulk_create(
        [
            CreditRequirementItem(
                school=school, credit=credit, competency=x, points=Decimal(p), required=r
            )
            for credit, (_, items) in zip(credits, specs, strict=True)
            for x, p, r in items
        ]
    )
    rules = GraduationRule.objects.bulk_create(
        [
            GraduationRule(
                school=school, kind="min_credits_in_each_area", level="foundational", n=2
            ),
            GraduationRule(school=school, kind="min_credits", level="foundational", n=15),
            GraduationRule(
                school=school,
                kind="specific_credits",
                description="Foundations of reasoning and expression",
            ),
            GraduationRule(school=school, kind="min_credits", level="advanced", n=1),
            GraduationRule(
                school=school, kind="min_credits_in_area", level="foundational", area=areas[0], n=3
            ),
        ]
    )
    by_code = {c.code: c for c in credits}
    GraduationRuleCredit.objects.bulk_create(
        [
            GraduationRuleCredit(school=school, rule=rules[2], credit=by_code[code])
            for code in ("QR-F1", "CE-F1")
        ]
    )
    return len(credits)


# --- assessments ------------------------------------------------------------------------------


def _assessments(
    k, roster: SchoolRoster, info, calendar: _Calendar, rng, first_id: int, per_student: float
):
    """Generate and insert one school's assessments; return counts."""
    size = len(roster.student_ids)
    cohort_of = info["cohort_of"]
    history = np.array([3, 3, 2, 1])[cohort_of]  # school years of history per student
    pools = [calendar.days_for(h) for h in (1, 2, 3)]
    pool_len = np.array([len(p) for p in pools])
    days_available = pool_len[history - 1]
    rate = per_student * size / max(1, int(days_available.sum()))
    counts = rng.poisson(rate * days_available)
    n = int(counts.sum())
    student_idx = np.repeat(np.arange(size), counts)

    day = np.empty(n, dtype=np.int64)
    row_hist = history[student_idx]
    for h in (1, 2, 3):
        rows = np.flatnonzero(row_hist == h)
        day[rows] = pools[h - 1][rng.integers(0, len(pools[h - 1]), size=len(rows))]

    academic = np.array(roster.academic_ids, dtype=np.int64)
    habits = np.array(roster.habit_ids, dtype=np.int64)
    popularity = rng.gamma(2.0, 1.0, size=len(academic))
    is_habit = rng.random(n) < 0.15
    comp_index = rng.choice(len(academic), size=n, p=popularity / popularity.sum())
    competency = np.where(
        is_habit, habits[rng.integers(0, len(habits), size=n)], academic[comp_index]
    )
    difficulty = np.zeros(n)
    difficulty[~is_habit] = rng.normal(0.0, 0.3, size=len(academic))[comp_index[~is_habit]]

    # Values: each student's level rises with years in school; formative work a little lower.
    entry = np.array([_day(dt.date(g - 4, 8, 25)) for g in info["cohorts"]])[cohort_of[student_idx]]
    years = (day - entry) / 365.25
    ability = rng.normal(0.0, 0.4, size=size)[student_idx]
    formative = rng.random(n) < 0.25
    mean = 1.75 + 0.45 * years + ability - difficulty - 0.25 * formative
    step = info["step"]
    value = np.clip(np.round((mean + rng.normal(0.0, 0.55, size=n)) / step) * step, 1.0, 4.0)

    today = _day(calendar.today)
    lag = np.minimum(rng.geometric(0.3, size=n) - 1, 20)
    assessed_day = np.minimum(day + lag, today)
    second = rng.integers(0, len(_TIMES), size=n)
    teachers = info["teachers"]
    assessor = teachers[rng.integers(0, len(teachers), size=n)]

    # Each student's rows in chronological order, as an import or a year of grading leaves them.
    order = np.lexsort((second, assessed_day, day, student_idx))
    student_idx, day, competency, value, formative = (
        student_idx[order],
        day[order],
        competency[order],
        value[order],
        formative[order],
    )
    assessed_day, second, assessor = assessed_day[order], second[order], assessor[order]
    ids = np.arange(first_id, first_id + n, dtype=np.int64)
    students = np.array(roster.student_ids, dtype=np.int64)[student_idx]

    # Corrections (2 %) and retractions (0.3 %) of distinct earlier rows.
    pick = rng.permutation(n)
    n_corr, n_retr = int(n * 0.02), int(n * 0.003)
    corrected, retracted = np.sort(pick[:n_corr]), np.sort(pick[n_corr : n_corr + n_retr])
    bump = np.where(rng.random(n_corr) < 0.7, step, -step)
    fixed = value[corrected] + bump
    fixed = np.where((fixed < 1.0) | (fixed > 4.0), value[corrected] - bump, fixed)
    corr_day = np.minimum(assessed_day[corrected] + rng.integers(1, 11, size=n_corr), today)
    retr_day = np.minimum(assessed_day[retracted] + rng.integers(1, 11, size=n_retr), today)

    kinds = np.where(formative, "formative", "summative").astype(object)
    school_id = roster.school_id
    base = _Rows(
        ids=ids,
        school=school_id,
        student=students,
        competency=competency,
        assessor=assessor,
        value=value,
        day=calendar.text(day),
        at=calendar.text(assessed_day) + _TIMES[second],
        kind=kinds,
        replaces=None,
        retraction=False,
        feedback="",
    )
    corr = _Rows(
        ids=np.arange(first_id + n, first_id + n + n_corr, dtype=np.int64),
        school=school_id,
        student=students[corrected],
        competency=competency[corrected],
        assessor=assessor[corrected],
        value=fixed,
        day=base.day[corrected],
        at=calendar.text(corr_day) + _TIMES[second[corrected]],
        kind=kinds[corrected],
        replaces=ids[corrected],
        retraction=False,
        feedback="Corrected after moderation.",
    )
    retr = _Rows(
        ids=np.arange(first_id + n + n_corr, first_id + n + n_corr + n_retr, dtype=np.int64),
        school=school_id,
        student=students[retracted],
        competency=competency[retracted],
        assessor=assessor[retracted],
        value=None,
        day=base.day[retracted],
        at=calendar.text(retr_day) + _TIMES[second[retracted]],
        kind=kinds[retracted],
        replaces=ids[retracted],
        retraction=True,
        feedback="Entered in error.",
    )
    for part in (base, corr, retr):
        _insert("mastery_assessment", ASSESSMENT_COLUMNS, part.batches(), batched=True)
    return {
        "rows": n + n_corr + n_retr,
        "corrections": n_corr,
        "retractions": n_retr,
        "credits": info["credits"],
    }


@dataclass
class _Rows:
    """Columns of assessment rows, turned into tuples one batch at a time."""

    ids: np.ndarray
    school: int
    student: np.ndarray
    competency: np.ndarray
    assessor: np.ndarray
    value: np.ndarray | None
    day: np.ndarray
    at: np.ndarray
    kind: np.ndarray
    replaces: np.ndarray | None
    retraction: bool
    feedback: str

    def batches(self) -> Iterable[list[tuple]]:
        from itertools import repeat

        n = len(self.ids)
        for a in range(0, n, BATCH):
            b = min(n, a + BATCH)
            m = b - a
            yield list(
                zip(
                    self.ids[a:b].tolist(),
                    repeat(self.school, m),
                    self.student[a:b].tolist(),
                    self.competency[a:b].tolist(),
                    repeat(None, m),
                    self.assessor[a:b].tolist(),
                    self.value[a:b].tolist() if self.value is not None else repeat(None, m),
                    self.day[a:b].tolist(),
                    self.at[a:b].tolist(),
                    self.kind[a:b].tolist(),
                    repeat(self.feedback, m),
                    repeat(False, m),
                    repeat(False, m),
                    self.replaces[a:b].tolist() if self.replaces is not None else repeat(None, m),
                    repeat(self.retraction, m),
                    repeat("", m),
                    repeat("", m),
                    strict=False,
                )
            )


def _insert(table: str, columns: Sequence[str], rows, *, batched: bool = False) -> None:
    """Insert plain rows (or, when `batched`, an iterable of row lists) into `table`."""
    with connection.cursor() as cursor:
        bulkload.insert_rows(
            cursor, table, columns, itertools.chain.from_iterable(rows) if batched else rows
        )
