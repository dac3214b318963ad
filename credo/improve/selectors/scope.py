"""Reading a scope: its students, credits and competencies, and the students' demographic groups."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from credo.improve.access import Scope

EPOCH = dt.date(1970, 1, 1)

RACE_FIELDS = (
    ("american_indian_or_alaska_native", "American Indian or Alaska Native"),
    ("asian", "Asian"),
    ("black_or_african_american", "Black or African American"),
    ("native_hawaiian_or_other_pacific_islander", "Native Hawaiian or Other Pacific Islander"),
    ("white", "White"),
)
FLAG_FIELDS = (
    ("economically_disadvantaged", "Economically disadvantaged"),
    ("english_learner", "English learner"),
    ("disability", "Disability (IEP or plan)"),
)
NOT_RECORDED = "Not recorded"


def _day(d: dt.date) -> int:
    return (d - EPOCH).days


def raw_rows(qs) -> list[tuple]:
    """Return a `values_list` query's rows as the database driver gives them, without Django's
    per-value converters (a column at a time is cheaper in numpy): booleans may come back as 0/1
    and dates as ISO text on SQLite — see `days` and `flags`."""
    from django.db import connections

    sql, params = qs.query.sql_with_params()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def days(values) -> np.ndarray:
    """Return dates (date objects or ISO text) as days since 1970-01-01, like `_day`."""
    return np.array(list(values), dtype="datetime64[D]").astype(np.int64)


def flags(values) -> np.ndarray:
    """Return a nullable boolean column as int8: 1 yes, 0 no, -1 not recorded."""
    out = np.array(list(values), dtype=object)
    known = np.not_equal(out, None)
    flag = np.full(len(out), -1, dtype=np.int8)
    flag[known] = out[known].astype(bool)
    return flag


def scope_students(scope: Scope) -> np.ndarray:
    """Return the sorted ids of the students in scope."""
    from credo.accounts.models import Student
    from credo.schools.models import Enrollment

    if scope.sections is not None:
        qs = Enrollment.objects.filter(school=scope.school, section_id__in=scope.sections)
        if scope.cohort:
            qs = qs.filter(student__graduation_year=scope.cohort)
        ids = qs.values_list("student_id", flat=True)
    else:
        qs = Student.objects.filter(school=scope.school)
        if scope.cohort:
            qs = qs.filter(graduation_year=scope.cohort)
        ids = qs.values_list("id", flat=True)
    return np.unique(np.fromiter(ids, dtype=np.int64))


def scope_credits(scope: Scope) -> np.ndarray | None:
    """Return the credits in scope, or None for every credit of the school."""
    from credo.mastery.models import CreditRequirementItem, MasteryCredit

    if scope.credit is not None:
        return np.array([scope.credit.pk], dtype=np.int64)
    if scope.area is not None:
        ids = MasteryCredit.objects.filter(school=scope.school, area=scope.area)
        return np.fromiter(ids.values_list("id", flat=True), dtype=np.int64)
    if scope.framework is not None:
        ids = CreditRequirementItem.objects.filter(
            school=scope.school, competency__framework=scope.framework
        ).values_list("credit_id", flat=True)
        return np.unique(np.fromiter(ids, dtype=np.int64))
    return None


def scope_competencies(scope: Scope) -> np.ndarray | None:
    """Return the targets in scope, or None for every competency of the school."""
    from credo.frameworks.models import Competency
    from credo.mastery.models import CreditRequirementItem
    from credo.schools.models import ExperienceAlignment

    if scope.credit is not None or scope.area is not None:
        credits = scope_credits(scope)
        ids = CreditRequirementItem.objects.filter(
            school=scope.school, credit_id__in=credits.tolist()
        ).values_list("competency_id", flat=True)
    elif scope.framework is not None:
        ids = Competency.objects.filter(school=scope.school, framework=scope.framework).values_list(
            "id", flat=True
        )
    elif scope.section is not None:
        ids = ExperienceAlignment.objects.filter(
            school=scope.school, experience_id=scope.section.experience_id
        ).values_list("competency_id", flat=True)
    else:
        return None
    return np.unique(np.fromiter(ids, dtype=np.int64))


@dataclass
class Groups:
    """Each student in scope (by position in `students`) in each category's cells."""

    students: np.ndarray
    # category name → list of (cell label, boolean mask over students)
    categories: list[tuple[str, list[tuple[str, np.ndarray]]]] = field(default_factory=list)


def demographic_groups(scope: Scope, students: np.ndarray) -> Groups:
    """Split the students in scope by each demographic category, every split a partition (a
    "not recorded" cell holds whoever has no value), so a category's cells add up to the total."""
    from credo.interop.models import Demographics

    n = len(students)
    names = ["sex", "hispanic_or_latino", "two_or_more_races"]
    names += [f for f, _ in RACE_FIELDS] + [f for f, _ in FLAG_FIELDS]
    rows = raw_rows(
        Demographics.objects.filter(school=scope.school).values_list("student_id", *names)
    )
    # Each student's position among `students`; rows of students out of scope are dropped.
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    pos = np.searchsorted(students, ids)
    ok = (pos < n) & (students[np.minimum(pos, max(n - 1, 0))] == ids) if n else pos < 0
    keep = np.flatnonzero(ok)
    pos = pos[keep]
    sex = np.full(n, "", dtype=object)
    sex[pos] = [(rows[i][1] or "").strip().lower() for i in keep]
    col: dict[str, np.ndarray] = {}
    for k, name in enumerate(names[1:], start=2):
        values = np.full(n, -1, dtype=np.int8)
        values[pos] = flags(rows[i][k] for i in keep)
        col[name] = values
    groups = Groups(students)

    def is_(name, value):
        return col[name] == int(value)

    cells = []
    for value in sorted({v for v in sex if v}):
        cells.append((value.capitalize(), sex == value))
    cells.append((NOT_RECORDED, sex == ""))
    groups.categories.append(("Sex", cells))

    # Race and ethnicity as one partition: Hispanic or Latino of any race; else two or more
    # races (flagged, or more than one race marked); else the one race marked; else not recorded.
    hispanic = is_("hispanic_or_latino", True)
    marks = np.zeros(n, dtype=np.int64)
    for name, _ in RACE_FIELDS:
        marks += is_(name, True)
    multi = ~hispanic & (is_("two_or_more_races", True) | (marks > 1))
    race_cells = [("Hispanic or Latino", hispanic)]
    for name, label in RACE_FIELDS:
        race_cells.append((label, ~hispanic & ~multi & is_(name, True)))
    race_cells.append(("Two or more races", multi))
    covered = np.zeros(n, dtype=bool)
    for _, mask in race_cells:
        covered |= mask
    race_cells.append((NOT_RECORDED, ~covered))
    groups.categories.append(("Race and ethnicity", race_cells))

    for name, label in FLAG_FIELDS:
        yes, no = is_(name, True), is_(name, False)
        groups.categories.append((label, [("Yes", yes), ("No", no), (NOT_RECORDED, ~(yes | no))]))
    return groups
