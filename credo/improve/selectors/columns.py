"""The columns every aggregate reads: assessment pairs, each school's milestones (kept per process
until its assessments change), states and awards.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from credo.improve.access import Scope
from credo.improve.selectors.scope import days, raw_rows


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
# school's assessments and its targets' thresholds are unchanged. Assessments are only ever added
# (an assessment, a correction or a retraction is a new row; nothing updates or deletes one but
# the deletion of its student, who is then in no scope, or of its target, which changes the
# thresholds), so the school's largest assessment id says whether anything moved — read from the
# (school, id) index at once, on SQLite and PostgreSQL alike (a COUNT walked a million index
# entries, and on PostgreSQL, before VACUUM, the rows too).
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
        cursor.execute("SELECT MAX(id) FROM mastery_assessment WHERE school_id = %s", [school_id])
        (newest,) = cursor.fetchone()
    thresholds = tuple(
        (c, str(configs[c].threshold), configs[c].counts_formative) for c in sorted(configs)
    )
    return (newest, hash(thresholds))


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
    """Return per student (by position) the targets with evidence and those now proficient.

    The database counts them per student (a row per student, not per student × target: a
    5,000-student school's 450,000 states were most of the equity view's time)."""
    from django.db import connection

    from credo.mastery.models import MasteryStatus

    n = len(students)
    sql = (
        "SELECT student_id, COUNT(*), SUM(CASE WHEN status = %s THEN 0 ELSE 1 END) "
        "FROM mastery_masterystate WHERE school_id = %s AND assessment_count > 0"
    )
    params: list = [MasteryStatus.NOT_YET, scope.school.pk]
    if competencies is not None:
        wanted = sorted({int(c) for c in competencies})
        if not wanted:
            return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.float64)
        sql += f" AND competency_id IN ({', '.join(['%s'] * len(wanted))})"
        params += wanted
    sql += " GROUP BY student_id"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, 3)
    pos = np.searchsorted(students, rows[:, 0])
    ok = (pos < n) & (students[np.minimum(pos, max(n - 1, 0))] == rows[:, 0]) if n else pos < 0
    begun = np.bincount(pos[ok], weights=rows[ok, 1], minlength=n).astype(np.int64)
    proficient = np.bincount(pos[ok], weights=rows[ok, 2], minlength=n)
    return begun, proficient


def read_awards(scope: Scope, students: np.ndarray, credits: np.ndarray | None):
    """Return the awards in scope as (student position, credit id, day awarded)."""
    from credo.mastery.models import CreditAward

    qs = CreditAward.objects.filter(school=scope.school, revoked_at__isnull=True)
    if credits is not None:
        qs = qs.filter(credit_id__in=credits.tolist())
    rows = raw_rows(qs.values_list("student_id", "credit_id", "awarded_on"))
    n = len(students)
    sid = np.array([r[0] for r in rows], dtype=np.int64)
    cid = np.array([r[1] for r in rows], dtype=np.int64)
    day = days(r[2] for r in rows)
    pos = np.searchsorted(students, sid)
    ok = (pos < n) & (students[np.minimum(pos, max(n - 1, 0))] == sid) if n else pos < 0
    return pos[ok], cid[ok], day[ok]
