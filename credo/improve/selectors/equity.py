"""The equity view: outcomes by demographic group and by term, with small cells suppressed."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from credo.improve import stats
from credo.improve.access import Scope
from credo.improve.selectors.columns import read_awards, read_pairs, read_states
from credo.improve.selectors.scope import (
    NOT_RECORDED,
    _day,
    demographic_groups,
    scope_competencies,
    scope_credits,
    scope_students,
)


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
