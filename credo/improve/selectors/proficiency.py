"""Time to proficiency per target, credit, section, teacher and group."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from credo.improve import stats
from credo.improve.access import Scope
from credo.improve.selectors.columns import read_awards, read_pairs
from credo.improve.selectors.scope import (
    demographic_groups,
    scope_competencies,
    scope_credits,
    scope_students,
)


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


def _distinct_per_label(labels: np.ndarray, values: np.ndarray) -> dict[int, int]:
    """Return, per label, how many distinct values go with it (one sort, no loop over labels)."""
    labels = np.asarray(labels, dtype=np.int64)
    values = np.asarray(values, dtype=np.int64)
    if not len(labels):
        return {}
    order = np.lexsort((values, labels))
    lab, val = labels[order], values[order]
    first = np.ones(len(lab), dtype=bool)
    first[1:] = (lab[1:] != lab[:-1]) | (val[1:] != val[:-1])
    label_ids, counts = np.unique(lab[first], return_counts=True)
    return {int(k): int(c) for k, c in zip(label_ids, counts, strict=True)}


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
    # The counted assessments grouped by target once, so a credit reads only its targets' rows.
    by_comp = np.argsort(pairs.row_competency, kind="stable")
    rows_s, rows_d = pairs.row_student[by_comp], pairs.row_day[by_comp]
    comp_ids, comp_at, comp_n = np.unique(
        pairs.row_competency[by_comp], return_index=True, return_counts=True
    )
    comp_slice = {
        int(c): (int(at), int(at + k)) for c, at, k in zip(comp_ids, comp_at, comp_n, strict=True)
    }
    for cid in sorted(by_credit, key=lambda c: titles.get(c, "")):
        sel = a_credit == cid
        award_day = np.full(n, -1, dtype=np.int64)
        award_day[a_student[sel]] = a_day[sel]
        spans = [comp_slice[c] for c in by_credit[cid] if c in comp_slice]
        take = np.concatenate([np.arange(lo, hi) for lo, hi in spans]) if spans else []
        c_s, c_d = rows_s[take], rows_d[take]
        on = (award_day[c_s] >= 0) & (c_d <= award_day[c_s])
        start = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(start, c_s[on], c_d[on])
        counts = np.bincount(c_s[on], minlength=n)
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
        # lo[i], lo[i] + 1, …, hi[i] - 1 for every enrolment i, side by side.
        a_idx = np.arange(len(e_idx)) - np.repeat(np.cumsum(reps) - reps - lo, reps)
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
    students_per = _distinct_per_label(links_sec, r_student[links_pair])
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
            uniq = np.unique(t_lab * (1 << 32) + t_pair)
            t_lab, t_pair = uniq >> 32, uniq & ((1 << 32) - 1)
        d, a = _by_label(t_lab, r_days[t_pair], r_attempts[t_pair])
        teacher_students = _distinct_per_label(t_lab, r_student[t_pair])
        people = {u.pk: str(u) for u in User.objects.filter(pk__in=list(d))}
        teacher_rows = [
            _row(
                people.get(uid, "?"),
                teacher_students[uid],
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
