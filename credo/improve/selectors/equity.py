"""The improvement pages' reads: attainment, pace and time to proficiency by group of students.

Everything is read as columns in a handful of queries (`values_list` into numpy arrays, the
engine's column loader for assessments) and aggregated with numpy; no loop runs over students or
assessments. What leaves here is aggregates only, already suppressed (`stats.suppress`).

Definitions the pages state:
- *attainment*: of the targets in scope on which the students have evidence, the share the
  engine now marks proficient or beyond (`MasteryState`);
- *credits*: credits awarded (not revoked) per student, among the credits in scope;
- *reaching proficiency*: the first counted assessment at or above the scale's proficiency level;
  *days* run from the first counted assessment of that student on that target, *attempts* count
  the counted assessments up to and including it;
- *by term*: at each term's end, the share of the targets begun by then that had reached
  proficiency by then.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from credo.improve import stats
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


# --- reading the scope ----------------------------------------------------------------------


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
    rows = list(Demographics.objects.filter(school=scope.school).values_list("student_id", *names))
    has = np.zeros(n, dtype=bool)
    col: dict[str, np.ndarray] = {}
    if rows:
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        pos = np.searchsorted(students, ids)
        ok = (pos < n) & (students[np.minimum(pos, n - 1)] == ids) if n else np.zeros(0, bool)
        pos, rows = pos[ok], [r for r, keep in zip(rows, ok, strict=True) if keep]
        has[pos] = True
        for k, name in enumerate(names, start=1):
            values = np.full(n, None, dtype=object)
            values[pos] = [r[k] for r in rows]
            col[name] = values
    else:
        col = {name: np.full(n, None, dtype=object) for name in names}
    groups = Groups(students)

    def is_(name, value):
        return np.array([v is value for v in col[name]], dtype=bool) if n else np.zeros(0, bool)

    sex = np.array([(v or "").strip().lower() for v in col["sex"]], dtype=object)
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


# --- the columns every aggregate reads ------------------------------------------------------


@dataclass
class Pairs:
    """One row per student × target with counted evidence in scope."""

    student: np.ndarray  # position in the scope's students
    competency: np.ndarray
    first_day: np.ndarray
    proficient_day: np.ndarray  # -1 when not reached
    attempts: np.ndarray  # counted assessments up to reaching it (0 when not reached)
    # The counted assessments themselves (student position, competency, day), for credits.
    row_student: np.ndarray | None = None
    row_competency: np.ndarray | None = None
    row_day: np.ndarray | None = None


# The school-wide milestones, kept per process for the last few schools and used again while the
# school's assessments and its targets' thresholds are unchanged (an assessment, a correction or
# a retraction is always a new row, so the count and the largest id say whether anything moved).
_MILESTONES: OrderedDict = OrderedDict()
_MILESTONES_KEPT = 4


@dataclass
class _Milestones:
    student: np.ndarray  # student id per pair
    competency: np.ndarray
    first_day: np.ndarray
    proficient_day: np.ndarray
    attempts: np.ndarray
    row_student: np.ndarray  # the counted assessments: student id, competency, day (int32 each)
    row_competency: np.ndarray
    row_day: np.ndarray


def _fingerprint(school_id: int, configs: dict) -> tuple:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), MIN(id), MAX(id), SUM(id), SUM(student_id) "
            "FROM mastery_assessment WHERE school_id = %s",
            [school_id],
        )
        summary = cursor.fetchone()
    thresholds = tuple(
        (c, str(configs[c].threshold), configs[c].counts_formative) for c in sorted(configs)
    )
    return (*summary, hash(thresholds))


def school_milestones(school_id: int) -> _Milestones:
    """Return, for every student × target of the school with counted evidence, when it began, when
    (if) it first reached proficiency and in how many attempts; read as columns once, then kept
    until the school's assessments change."""
    from credo.mastery import bulk

    configs = bulk.competency_configs([school_id])
    key = _fingerprint(school_id, configs)
    cached = _MILESTONES.get(school_id)
    if cached is not None and cached[0] == key:
        _MILESTONES.move_to_end(school_id)
        return cached[1]
    cols = bulk.load_columns([school_id])
    comp_ids = np.array(sorted(configs), dtype=np.int64)
    threshold = np.array([float(configs[c].threshold) for c in comp_ids])
    formative_ok = np.array([configs[c].counts_formative for c in comp_ids], dtype=bool)
    cpos = np.searchsorted(comp_ids, cols.competency)
    cpos = np.minimum(cpos, max(len(comp_ids) - 1, 0))
    if len(comp_ids):
        keep = (comp_ids[cpos] == cols.competency) & (cols.summative | formative_ok[cpos])
    else:
        keep = np.zeros(len(cols), dtype=bool)
    s, c, v, d, cp = (
        cols.student[keep],
        cols.competency[keep],
        cols.value[keep],
        cols.day[keep],
        cpos[keep],
    )
    empty = np.zeros(0, dtype=np.int64)
    if not len(s):
        out = _Milestones(empty, empty, empty, empty, empty, empty, empty, empty)
    else:
        # Rows come ordered by student, competency, then chronology.
        new = np.ones(len(s), dtype=bool)
        new[1:] = (s[1:] != s[:-1]) | (c[1:] != c[:-1])
        starts = np.flatnonzero(new)
        pair_of = np.cumsum(new) - 1
        hits = np.flatnonzero(v >= threshold[cp] - 1e-9)
        first_hit_pairs, first = np.unique(pair_of[hits], return_index=True)
        first_hit = hits[first]
        proficient_day = np.full(len(starts), -1, dtype=np.int64)
        attempts = np.zeros(len(starts), dtype=np.int64)
        proficient_day[first_hit_pairs] = d[first_hit]
        attempts[first_hit_pairs] = first_hit - starts[first_hit_pairs] + 1
        out = _Milestones(
            s[starts],
            c[starts],
            d[starts],
            proficient_day,
            attempts,
            s.astype(np.int32),
            c.astype(np.int32),
            d.astype(np.int32),
        )
    _MILESTONES[school_id] = (key, out)
    _MILESTONES.move_to_end(school_id)
    while len(_MILESTONES) > _MILESTONES_KEPT:
        _MILESTONES.popitem(last=False)
    return out


def read_pairs(
    scope: Scope, students: np.ndarray, competencies: np.ndarray | None, *, rows: bool = False
) -> Pairs:
    """Return the school's milestones for the students (sorted ids) and targets in scope, students
    given by their position in `students`; with `rows`, the counted assessments too."""
    m = school_milestones(scope.school.pk)
    keep = np.isin(m.student, students)
    if competencies is not None:
        keep &= np.isin(m.competency, competencies)
    out = Pairs(
        student=np.searchsorted(students, m.student[keep]),
        competency=m.competency[keep],
        first_day=m.first_day[keep],
        proficient_day=m.proficient_day[keep],
        attempts=m.attempts[keep],
    )
    if rows:
        keep = np.isin(m.row_student, students)
        if competencies is not None:
            keep &= np.isin(m.row_competency, competencies)
        out.row_student = np.searchsorted(students, m.row_student[keep].astype(np.int64))
        out.row_competency = m.row_competency[keep].astype(np.int64)
        out.row_day = m.row_day[keep].astype(np.int64)
    return out


def read_states(scope: Scope, students: np.ndarray, competencies: np.ndarray | None):
    """Return per student (by position) the targets with evidence and those now proficient."""
    from django.db import connection

    from credo.mastery.models import MasteryStatus

    sql = (
        "SELECT student_id, competency_id, CASE WHEN status = %s THEN 0 ELSE 1 END "
        "FROM mastery_masterystate WHERE school_id = %s AND assessment_count > 0"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [MasteryStatus.NOT_YET, scope.school.pk])
        rows = np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, 3)
    if competencies is not None:
        rows = rows[np.isin(rows[:, 1], competencies)]
    n = len(students)
    pos = np.searchsorted(students, rows[:, 0])
    ok = (pos < n) & (students[np.minimum(pos, max(n - 1, 0))] == rows[:, 0]) if n else pos < 0
    begun = np.bincount(pos[ok], minlength=n)
    proficient = np.bincount(pos[ok], weights=rows[ok, 2], minlength=n)
    return begun, proficient


def read_awards(scope: Scope, students: np.ndarray, credits: np.ndarray | None):
    """Return the awards in scope as (student position, credit id, day awarded)."""
    from credo.mastery.models import CreditAward

    qs = CreditAward.objects.filter(school=scope.school, revoked_at__isnull=True)
    if credits is not None:
        qs = qs.filter(credit_id__in=credits.tolist())
    rows = list(qs.values_list("student_id", "credit_id", "awarded_on"))
    n = len(students)
    sid = np.array([r[0] for r in rows], dtype=np.int64)
    cid = np.array([r[1] for r in rows], dtype=np.int64)
    day = np.array([_day(r[2]) for r in rows], dtype=np.int64)
    pos = np.searchsorted(students, sid)
    ok = (pos < n) & (students[np.minimum(pos, max(n - 1, 0))] == sid) if n else pos < 0
    return pos[ok], cid[ok], day[ok]


# --- the equity view ------------------------------------------------------------------------


@dataclass
class Cell:
    label: str
    n: int | None  # None when hidden
    attainment: float | None = None
    credits: float | None = None
    pace_days: float | None = None
    gap: float | None = None  # attainment vs the rest of the scope, percentage points
    credit_gap: float | None = None
    hidden: bool = False
    terms: list = field(default_factory=list)  # per term: (rate | None, gap | None, hidden)


@dataclass
class Equity:
    scope: Scope
    min_n: int
    total: int | None
    overall: Cell
    terms: list  # (name, ends_on)
    categories: list  # (name, [Cell])
    credit_count: int | None


def equity(scope: Scope, *, pairs_cache: dict | None = None) -> Equity:
    """Attainment, credits and pace of the students in scope, by each demographic cell, with the
    gap to the rest of the scope now and at each term's end; every cell below the school's
    smallest group hidden, with one more where a hidden one could be worked out."""
    from credo.schools.models import Term

    school = scope.school
    min_n = school.improve_min_cell
    students = scope_students(scope)
    competencies = scope_competencies(scope)
    credits = scope_credits(scope)
    n = len(students)
    begun, proficient = read_states(scope, students, competencies)
    a_student, _a_credit, _a_day = read_awards(scope, students, credits)
    awards = np.bincount(a_student, minlength=n).astype(float)
    pairs = read_pairs(scope, students, competencies)
    groups = demographic_groups(scope, students)
    terms = list(
        Term.objects.filter(school=school, starts_on__lte=school.today())
        .order_by("starts_on", "id")
        .values_list("name", "school_year", "ends_on")
    )
    # Per term: per student, targets begun by its end and those proficient by then.
    term_begun, term_prof = [], []
    for _name, _year, ends_on in terms:
        end = _day(min(ends_on, school.today()))
        term_begun.append(np.bincount(pairs.student[pairs.first_day <= end], minlength=n))
        reached = (pairs.proficient_day >= 0) & (pairs.proficient_day <= end)
        term_prof.append(np.bincount(pairs.student[reached], minlength=n))
    reached = pairs.proficient_day >= 0
    pace = (pairs.proficient_day - pairs.first_day).astype(float)

    def measures(mask: np.ndarray) -> tuple:
        att = stats.rate(float(proficient[mask].sum()), float(begun[mask].sum()))
        cred = stats.rate(float(awards[mask].sum()), float(mask.sum()))
        sel = reached & mask[pairs.student] if len(pairs.student) else reached
        p = stats.spread(pace[sel]).median
        by_term = [
            stats.rate(float(tp[mask].sum()), float(tb[mask].sum()))
            for tb, tp in zip(term_begun, term_prof, strict=True)
        ]
        return att, cred, p, by_term

    everyone = np.ones(n, dtype=bool)
    att, cred, p, by_term = measures(everyone)
    overall = Cell("All students", n, att, cred, p, terms=[(r, None, False) for r in by_term])
    total_hidden = False
    categories = []
    for name, cells in groups.categories:
        counts = [int(mask.sum()) for _, mask in cells]
        hide = stats.suppress(counts, min_n)
        total_hidden |= hide.total_hidden
        out = []
        for (label, mask), count, hidden in zip(cells, counts, hide.hidden, strict=True):
            if count == 0:
                continue  # an empty cell says nothing; leave the row out
            if hidden or hide.total_hidden:
                out.append(Cell(label, None, hidden=True, terms=[(None, None, True)] * len(terms)))
                continue
            att, cred, p, by_term = measures(mask)
            rest = ~mask
            r_att, r_cred, _rp, r_terms = measures(rest)
            # The rest is hidden too when it is itself a small group.
            small_rest = 0 < int(rest.sum()) < min_n
            is_known = label != NOT_RECORDED
            out.append(
                Cell(
                    label,
                    count,
                    att,
                    cred,
                    p,
                    gap=stats.gap(att, r_att) if is_known and not small_rest else None,
                    credit_gap=(
                        round((cred - r_cred), 2)
                        if is_known and not small_rest and cred is not None and r_cred is not None
                        else None
                    ),
                    terms=[
                        (r, stats.gap(r, rr) if is_known and not small_rest else None, False)
                        for r, rr in zip(by_term, r_terms, strict=True)
                    ],
                )
            )
        categories.append((name, out))
    if total_hidden or 0 < n < min_n:
        # The scope itself is too small to publish anything.
        overall = Cell("All students", None, hidden=True, terms=[(None, None, True)] * len(terms))
        categories = [
            (name, [Cell(c.label, None, hidden=True, terms=c.terms) for c in cells])
            for name, cells in categories
        ]
    return Equity(
        scope=scope,
        min_n=min_n,
        total=overall.n,
        overall=overall,
        terms=[(f"{name} {year}".strip(), ends) for name, year, ends in terms],
        categories=categories,
        credit_count=None if credits is None else len(credits),
    )


def scope_choices(user, school, *, managers: bool) -> dict:
    """Return what the scope form offers `user`: frameworks, areas, credits, classes, sections."""
    from credo.accounts.models import Student
    from credo.frameworks.models import Framework
    from credo.improve.access import teacher_section_ids
    from credo.mastery.models import CreditArea, MasteryCredit
    from credo.schools.models import Section

    sections = Section.objects.filter(school=school).select_related("term", "experience")
    if not managers:
        sections = sections.filter(pk__in=teacher_section_ids(user, school))
    return {
        "frameworks": list(Framework.objects.filter(school=school).order_by("name")),
        "areas": list(CreditArea.objects.filter(school=school).order_by("order", "name")),
        "credits": list(MasteryCredit.objects.filter(school=school).order_by("code")),
        "cohorts": sorted(
            set(Student.objects.filter(school=school).values_list("graduation_year", flat=True))
        ),
        "sections": list(sections.order_by("-term__starts_on", "name")),
    }


# --- time to proficiency --------------------------------------------------------------------


@dataclass
class SpreadRow:
    label: str
    n: int | None  # students (None when hidden)
    days: stats.Spread | None = None
    attempts: stats.Spread | None = None
    hidden: bool = False
    key: object = None


@dataclass
class TimeToProficiency:
    scope: Scope
    min_n: int
    targets: list  # SpreadRow per target
    credits: list  # SpreadRow per credit
    sections: list  # SpreadRow per section
    teachers: list | None  # SpreadRow per teacher (managers only), else None
    categories: list  # (category, [SpreadRow])


def _row(label, n, days, attempts, min_n, key=None) -> SpreadRow:
    if 0 < n < min_n:
        return SpreadRow(label, None, hidden=True, key=key)
    return SpreadRow(label, n, days, attempts, key=key)


def _by_label(labels, days, attempts):
    d = stats.grouped_spreads(labels, days)
    a = stats.grouped_spreads(labels, attempts)
    return d, a


def time_to_proficiency(scope: Scope, *, with_teachers: bool) -> TimeToProficiency:
    """The spread of days and attempts from first evidence to proficiency: per target, per credit
    (first evidence on any of its targets to the award), per section and teacher (students of the
    section on the targets it teaches), and per demographic group; small groups hidden."""
    from credo.accounts.models import User
    from credo.frameworks.models import Competency
    from credo.mastery.models import CreditRequirementItem, MasteryCredit
    from credo.schools.models import Enrollment, ExperienceAlignment, Section, SectionTeacher

    school = scope.school
    min_n = school.improve_min_cell
    students = scope_students(scope)
    competencies = scope_competencies(scope)
    pairs = read_pairs(scope, students, competencies, rows=True)
    n = len(students)
    reached = pairs.proficient_day >= 0
    r_comp = pairs.competency[reached]
    r_student = pairs.student[reached]
    r_days = (pairs.proficient_day - pairs.first_day)[reached].astype(float)
    r_attempts = pairs.attempts[reached].astype(float)

    # Per target.
    d, a = _by_label(r_comp, r_days, r_attempts)
    names = dict(Competency.objects.filter(school=school, pk__in=list(d)).values_list("id", "code"))
    targets = [
        _row(names.get(cid, str(cid)), d[cid].n, d[cid], a[cid], min_n, key=cid)
        for cid in sorted(d, key=lambda c: names.get(c, ""))
    ]

    # Per credit: first evidence on any of its targets to the award, and the counted assessments
    # on its targets up to the award.
    credit_ids = scope_credits(scope)
    a_student, a_credit, a_day = read_awards(scope, students, credit_ids)
    items = list(
        CreditRequirementItem.objects.filter(
            school=school, credit_id__in=np.unique(a_credit).tolist()
        ).values_list("credit_id", "competency_id")
    )
    credit_rows = []
    titles = dict(
        MasteryCredit.objects.filter(
            school=school, pk__in=np.unique(a_credit).tolist()
        ).values_list("id", "code")
    )
    by_credit: dict[int, list[int]] = {}
    for cid, comp in items:
        by_credit.setdefault(cid, []).append(comp)
    rows_s, rows_c, rows_d = pairs.row_student, pairs.row_competency, pairs.row_day
    for cid in sorted(by_credit, key=lambda c: titles.get(c, "")):
        sel = a_credit == cid
        award_day = np.full(n, -1, dtype=np.int64)
        award_day[a_student[sel]] = a_day[sel]
        on = np.isin(rows_c, by_credit[cid]) & (award_day[rows_s] >= 0)
        on &= rows_d <= award_day[rows_s]
        start = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(start, rows_s[on], rows_d[on])
        counts = np.bincount(rows_s[on], minlength=n)
        who = np.flatnonzero(counts > 0)
        days = (award_day[who] - start[who]).astype(float)
        credit_rows.append(
            _row(
                titles.get(cid, str(cid)),
                len(who),
                stats.spread(days),
                stats.spread(counts[who].astype(float)),
                min_n,
                key=cid,
            )
        )

    # Per section (and teacher): the section's students on the targets its experience teaches.
    sections_qs = Section.objects.filter(school=school)
    if scope.sections is not None:
        sections_qs = sections_qs.filter(pk__in=scope.sections)
    sec = dict(sections_qs.values_list("id", "experience_id"))
    sec_names = dict(sections_qs.values_list("id", "name"))
    enrol = np.array(
        list(
            Enrollment.objects.filter(school=school, section_id__in=list(sec)).values_list(
                "section_id", "student_id"
            )
        ),
        dtype=np.int64,
    ).reshape(-1, 2)
    align = np.array(
        list(
            ExperienceAlignment.objects.filter(
                school=school, experience_id__in=set(sec.values())
            ).values_list("experience_id", "competency_id")
        ),
        dtype=np.int64,
    ).reshape(-1, 2)
    section_rows, teacher_rows = [], None
    pair_key = r_student.astype(np.int64) * (1 << 32) + r_comp
    order = np.argsort(pair_key)
    sorted_keys = pair_key[order]
    # (section, pair index) for every reached pair the section is responsible for.
    links_sec, links_pair = [], []
    if len(enrol) and len(align) and len(sorted_keys):
        spos = np.searchsorted(students, enrol[:, 1])
        ok = (spos < n) & (students[np.minimum(spos, max(n - 1, 0))] == enrol[:, 1])
        enrol, spos = enrol[ok], spos[ok]
        exp_of = np.array([sec[s] for s in enrol[:, 0]], dtype=np.int64)
        a_order = np.argsort(align[:, 0], kind="stable")
        align = align[a_order]
        lo = np.searchsorted(align[:, 0], exp_of, side="left")
        hi = np.searchsorted(align[:, 0], exp_of, side="right")
        reps = hi - lo
        e_idx = np.repeat(np.arange(len(enrol)), reps)
        a_idx = (
            np.concatenate([np.arange(x, y) for x, y in zip(lo, hi, strict=True)])
            if len(reps)
            else np.zeros(0, dtype=np.int64)
        )
        keys = spos[e_idx].astype(np.int64) * (1 << 32) + align[a_idx, 1]
        at = np.searchsorted(sorted_keys, keys)
        found = (at < len(sorted_keys)) & (
            sorted_keys[np.minimum(at, len(sorted_keys) - 1)] == keys
        )
        links_sec = enrol[e_idx[found], 0]
        links_pair = order[at[found]]
    links_sec = np.asarray(links_sec, dtype=np.int64)
    links_pair = np.asarray(links_pair, dtype=np.int64)
    d, a = _by_label(links_sec, r_days[links_pair], r_attempts[links_pair])
    students_per = {int(s): int(len(np.unique(r_student[links_pair[links_sec == s]]))) for s in d}
    for sid in sorted(d, key=lambda s: sec_names.get(s, "")):
        section_rows.append(_row(sec_names[sid], students_per[sid], d[sid], a[sid], min_n, sid))
    if with_teachers:
        teach = np.array(
            list(
                SectionTeacher.objects.filter(school=school, section_id__in=list(sec)).values_list(
                    "section_id", "user_id"
                )
            ),
            dtype=np.int64,
        ).reshape(-1, 2)
        t_lab, t_pair = [], []
        for section_id, user_id in teach:
            sel = links_pair[links_sec == section_id]
            t_lab.append(np.full(len(sel), user_id, dtype=np.int64))
            t_pair.append(sel)
        t_lab = np.concatenate(t_lab) if t_lab else np.zeros(0, dtype=np.int64)
        t_pair = np.concatenate(t_pair) if t_pair else np.zeros(0, dtype=np.int64)
        # A pair counts once per teacher even when two of their sections share it.
        if len(t_lab):
            uniq = np.unique(np.stack([t_lab, t_pair]), axis=1)
            t_lab, t_pair = uniq[0], uniq[1]
        d, a = _by_label(t_lab, r_days[t_pair], r_attempts[t_pair])
        people = {u.pk: str(u) for u in User.objects.filter(pk__in=list(d))}
        teacher_rows = [
            _row(
                people.get(uid, "?"),
                int(len(np.unique(r_student[t_pair[t_lab == uid]]))),
                d[uid],
                a[uid],
                min_n,
                uid,
            )
            for uid in sorted(d, key=lambda u: people.get(u, ""))
        ]

    # Per demographic group, suppressed as the equity view is.
    groups = demographic_groups(scope, students)
    categories = []
    for name, cells in groups.categories:
        counts = [int(mask.sum()) for _, mask in cells]
        hide = stats.suppress(counts, min_n)
        out = []
        for (label, mask), count, hidden in zip(cells, counts, hide.hidden, strict=True):
            if count == 0:
                continue
            if hidden or hide.total_hidden or 0 < n < min_n:
                out.append(SpreadRow(label, None, hidden=True))
                continue
            sel = mask[r_student] if len(r_student) else np.zeros(0, dtype=bool)
            out.append(
                SpreadRow(label, count, stats.spread(r_days[sel]), stats.spread(r_attempts[sel]))
            )
        categories.append((name, out))
    return TimeToProficiency(
        scope, min_n, targets, credit_rows, section_rows, teacher_rows, categories
    )


# --- moderation -----------------------------------------------------------------------------


@dataclass
class Agreement:
    label: str
    n: int
    exact: float | None
    adjacent: float | None
    kappa: float | None


@dataclass
class Calibration:
    levels: list  # (value, label)
    assessors: list  # users
    items: list  # ModerationItem with .evidence
    scores: dict  # (item id, user id) → Decimal
    pairs: list  # Agreement per assessor pair
    versus: list  # Agreement per assessor against the consensus
    consensus: dict  # item id → level value
    shares: list  # (label, [share per level]) for each assessor, then the school
    school_n: int


def _agree(label, a, b, index) -> Agreement:
    ia = [index[v] for v in a]
    ib = [index[v] for v in b]
    if not ia:
        return Agreement(label, 0, None, None, None)
    exact, adjacent = stats.agreement(ia, ib, step=1)
    kappa = stats.weighted_kappa(ia, ib, list(range(len(index))))
    return Agreement(label, len(ia), exact, adjacent, kappa)


def session_progress(session) -> dict[int, int]:
    """Return how many pieces each assessor has scored (counts only: no values while open)."""
    from django.db.models import Count

    from credo.improve.models import ModerationScore

    return dict(
        ModerationScore.objects.filter(item__session=session)
        .values("assessor_id")
        .annotate(n=Count("id"))
        .values_list("assessor_id", "n")
    )


def calibration(session) -> Calibration:
    """Agreement of a closed session: per assessor pair and against the consensus (the median
    level of the assessors' scores, the lower one on a tie), exact, within one level, and
    quadratic-weighted kappa; each assessor's share of each level beside the school's own."""
    from django.db.models import Count, Q

    from credo.improve.models import ModerationItem, ModerationScore
    from credo.mastery.models import Assessment

    scale = session.competency.effective_scale
    levels = list(scale.levels.order_by("value").values_list("value", "label"))
    index = {v: k for k, (v, _) in enumerate(levels)}
    items = list(ModerationItem.objects.filter(session=session).select_related("evidence"))
    assessors = [a.user for a in session.assessors.select_related("user").order_by("user__id")]
    scores = {
        (i, u): v
        for i, u, v in ModerationScore.objects.filter(item__session=session).values_list(
            "item_id", "assessor_id", "value"
        )
        if v in index
    }
    consensus = {}
    for item in items:
        given = sorted(index[v] for (i, _u), v in scores.items() if i == item.pk)
        if given:
            consensus[item.pk] = levels[given[(len(given) - 1) // 2]][0]
    pairs, versus = [], []
    for k, a in enumerate(assessors):
        for b in assessors[k + 1 :]:
            common = [it.pk for it in items if (it.pk, a.pk) in scores and (it.pk, b.pk) in scores]
            pairs.append(
                _agree(
                    f"{a} and {b}",
                    [scores[(i, a.pk)] for i in common],
                    [scores[(i, b.pk)] for i in common],
                    index,
                )
            )
        mine = [it.pk for it in items if (it.pk, a.pk) in scores and it.pk in consensus]
        versus.append(
            _agree(str(a), [scores[(i, a.pk)] for i in mine], [consensus[i] for i in mine], index)
        )
    values = [v for v, _ in levels]
    shares = []
    for a in assessors:
        given = [float(v) for (_i, u), v in scores.items() if u == a.pk]
        shares.append((str(a), stats.level_shares(given, [float(v) for v in values])))
    school_counts = dict(
        Assessment.objects.filter(school=session.school, retraction=False, value__isnull=False)
        .filter(
            Q(competency__scale=scale)
            | Q(competency__scale__isnull=True, competency__framework__scale=scale)
        )
        .values("value")
        .annotate(n=Count("id"))
        .values_list("value", "n")
    )
    school_n = sum(school_counts.values())
    shares.append(
        (
            "The school's assessments on this scale",
            [school_counts.get(v, 0) / school_n if school_n else 0.0 for v in values],
        )
    )
    return Calibration(levels, assessors, items, scores, pairs, versus, consensus, shares, school_n)
