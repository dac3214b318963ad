"""The synthetic district's assessments: values trending upward over three school years, written in
large batches (COPY on PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from credo.analytics.synthetic.plan import _TIMES, BATCH, SchoolRoster, _Calendar, _day, _insert
from credo.mastery.sql import ASSESSMENT_COLUMNS


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
