"""Checking the materialized rows against a fresh computation (`credo check`): every
difference, by school, student and competency."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.db import connection

from credo.mastery import engine
from credo.mastery.bulk.compute import (
    STATUS_CODES,
    States,
    _in_clause,
    _sql,
    compute,
)
from credo.mastery.models import (
    CreditProgress,
    CreditStatus,
    GraduationStatus,
)

# --- check ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    table: str
    key: tuple
    stored: object
    fresh: object

    def __str__(self) -> str:
        return f"{self.table} {self.key}: stored {self.stored!r}, recomputed {self.fresh!r}"


def check(school_ids: Sequence[int] | None = None) -> list[Difference]:
    """Recompute everything from the assessments and return every stored row that differs."""
    from credo.schools.models import School

    school_ids = (
        list(school_ids)
        if school_ids is not None
        else list(School.objects.values_list("id", flat=True))
    )
    result = compute(school_ids)
    diffs: list[Difference] = []

    diffs += _state_differences(school_ids, result.states)

    stored_credit = {
        (s, c): tuple(rest)
        for s, c, *rest in CreditProgress.objects.filter(school_id__in=school_ids).values_list(
            "student_id", "credit_id", *engine.CREDIT_FIELDS
        )
    }
    pending = {(s, c) for s, c, _ in result.new_awards}
    for key, row in result.credits.items():
        fresh = row.as_tuple()
        if key in pending:  # met but never awarded: the stored state is behind
            fresh = (CreditStatus.MET, *fresh[1:])
        have = stored_credit.pop(key, None)
        if have != fresh:
            diffs.append(Difference("credit_progress", key, have, fresh))
    diffs += [Difference("credit_progress", key, v, None) for key, v in stored_credit.items()]

    stored_grad = {
        s: tuple(rest)
        for s, *rest in GraduationStatus.objects.filter(school_id__in=school_ids).values_list(
            "student_id", *engine.GRADUATION_FIELDS
        )
    }
    for student_id, row in result.graduation.items():
        fresh = row.as_tuple()
        have = stored_grad.pop(student_id, None)
        if have is None or _canonical(have) != _canonical(fresh):
            diffs.append(Difference("graduation_status", (student_id,), have, fresh))
    diffs += [Difference("graduation_status", key, v, None) for key, v in stored_grad.items()]
    return diffs


def stored_states(school_ids: Sequence[int]) -> States:
    """Return the materialized states as arrays, sorted by student and competency."""
    sql = f"""
        SELECT student_id, competency_id, {_sql("hundredths", "score")}, status, assessment_count,
               counted_count, {_sql("day", "first_demonstrated_on")}, {_sql("day", "last_demonstrated_on")}
        FROM mastery_masterystate WHERE school_id IN ({_in_clause(school_ids)})
    """  # noqa: S608 -- ids are integers
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    code = {s: i for i, s in enumerate(STATUS_CODES)}
    if not rows:
        e = np.zeros(0, dtype=np.int64)
        return States(e, e, e, np.zeros(0, dtype=bool), np.zeros(0, dtype=np.int8), e, e, e, e)
    student, competency, score, status, count, counted, first, last = zip(*rows, strict=True)
    as_int = lambda seq: np.array([-1 if v is None else v for v in seq], dtype=np.int64)  # noqa: E731
    score_arr = as_int(score)
    st = States(
        student=np.array(student, dtype=np.int64),
        competency=np.array(competency, dtype=np.int64),
        hundredths=np.where(score_arr < 0, 0, score_arr),
        none=score_arr < 0,
        status=np.array([code.get(x, -1) for x in status], dtype=np.int8),
        count=np.array(count, dtype=np.int64),
        counted=np.array(counted, dtype=np.int64),
        first_day=as_int(first),
        last_day=as_int(last),
    )
    order = np.lexsort((st.competency, st.student))
    return States(*(getattr(st, f.name)[order] for f in dataclasses.fields(States)))


def _state_differences(school_ids: Sequence[int], fresh: States) -> list[Difference]:
    """Compare fresh and stored states column by column; describe only the rows that differ."""
    stored = stored_states(school_ids)
    width = int(max(fresh.competency.max(initial=0), stored.competency.max(initial=0))) + 1
    fresh_key = fresh.student * width + fresh.competency
    stored_key = stored.student * width + stored.competency
    common, fi, si = np.intersect1d(fresh_key, stored_key, assume_unique=True, return_indices=True)
    differ = np.zeros(len(common), dtype=bool)
    for name in ("none", "status", "count", "counted", "first_day", "last_day"):
        differ |= getattr(fresh, name)[fi] != getattr(stored, name)[si]
    differ |= ~fresh.none[fi] & (fresh.hundredths[fi] != stored.hundredths[si])
    diffs = [
        Difference(
            "mastery_state",
            (int(fresh.student[i]), int(fresh.competency[i])),
            stored.row(j),
            fresh.row(i),
        )
        for i, j in zip(fi[differ].tolist(), si[differ].tolist(), strict=True)
    ]
    missing = np.setdiff1d(np.arange(len(fresh_key)), fi, assume_unique=True)
    extra = np.setdiff1d(np.arange(len(stored_key)), si, assume_unique=True)
    diffs += [
        Difference(
            "mastery_state", (int(fresh.student[i]), int(fresh.competency[i])), None, fresh.row(i)
        )
        for i in missing.tolist()
    ]
    diffs += [
        Difference(
            "mastery_state",
            (int(stored.student[j]), int(stored.competency[j])),
            stored.row(j),
            None,
        )
        for j in extra.tolist()
    ]
    return diffs


def _canonical(row) -> str:
    # JSON columns come back with their keys reordered on PostgreSQL (jsonb).
    return json.dumps(row, default=str, sort_keys=True)
