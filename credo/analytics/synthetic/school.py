"""One synthetic school: its scale, frameworks, competencies, credits, people, sections and enrollments."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import numpy as np

from credo.analytics.synthetic.plan import (
    AREAS,
    COMPETENCIES_PER_AREA,
    FAMILY,
    FRAMEWORK_METHODS,
    GIVEN,
    HABITS,
    METHOD_OVERRIDES,
    SECTION_SIZE,
    STUDENTS_PER_TEACHER,
    SchoolRoster,
    _insert,
)


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
