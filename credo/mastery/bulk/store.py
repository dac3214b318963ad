"""Writing a bulk result: the materialized rows of the schools replaced in one transaction,
automatic credit awards audited, and `recompute`, which computes and writes."""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from credo.core.audit import audit_record, registered
from credo.core.bulkload import insert_rows
from credo.core.models import AuditEvent
from credo.mastery import engine, sql
from credo.mastery.bulk.compute import (
    STATUS_CODES,
    Result,
    States,
    _in_clause,
    _school_of_students,
    _schools_of,
    _vendor,
    compute,
)
from credo.mastery.events import CREDIT_AWARDED_AUTOMATICALLY, MASTERY_RECOMPUTED
from credo.mastery.models import (
    CreditAward,
)

# A whole state row: its keys, then the values the incremental path writes too.
STATE_COLUMNS = ("school_id", "student_id", "competency_id", *sql.STATE_COLUMNS)


def _state_rows(st: States, school_of: dict[int, int], now) -> Iterator[tuple]:
    """Yield the INSERT parameters of every state, built column-wise (no per-row conversions).

    Dates go in as ISO text. Scores go in as hundredths / 100: a float on SQLite (what SQLite
    itself would store for `? / 100.0`), exact decimal text on PostgreSQL.
    """
    if _vendor() == "sqlite":
        scores = np.where(st.none, None, st.hundredths / 100.0).tolist()
    else:
        scores = [
            None if none else f"{'-' if h < 0 else ''}{abs(h) // 100}.{abs(h) % 100:02d}"
            for h, none in zip(st.hundredths.tolist(), st.none.tolist(), strict=True)
        ]
    return zip(
        _schools_of(st.student, school_of),
        st.student.tolist(),
        st.competency.tolist(),
        scores,
        np.array(STATUS_CODES, dtype=object)[st.status].tolist(),
        st.count.tolist(),
        st.counted.tolist(),
        st.first_day.astype("datetime64[D]").astype(str).tolist(),
        st.last_day.astype("datetime64[D]").astype(str).tolist(),
        itertools.repeat(now, len(st)),
        strict=True,
    )


def materialize(
    school_ids: Sequence[int], result: Result, *, actor=None, only_credits: bool = False
) -> None:
    """Replace the materialized rows of these schools with `result`, in one transaction."""
    school_of = _school_of_students(school_ids)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    ids = _in_clause(school_ids)
    with connection.cursor() as cursor:
        if not only_credits:
            cursor.execute(f"DELETE FROM mastery_masterystate WHERE school_id IN ({ids})")  # noqa: S608
            insert_rows(
                cursor,
                "mastery_masterystate",
                STATE_COLUMNS,
                _state_rows(result.states, school_of, now),
            )
        if result.new_awards:
            awards = CreditAward.objects.bulk_create(
                [
                    CreditAward(school_id=school_of[s], student_id=s, credit_id=c, awarded_on=day)
                    for s, c, day in result.new_awards
                ],
                batch_size=5000,
            )
            AuditEvent.objects.bulk_create(
                [
                    AuditEvent(
                        school_id=a.school_id,
                        actor_id=getattr(actor, "pk", None),
                        action=registered(CREDIT_AWARDED_AUTOMATICALLY).action,
                        target_type="mastery.creditaward",
                        target_id=str(a.pk or ""),
                        after={
                            "student": a.student_id,
                            "credit": a.credit_id,
                            "awarded_on": a.awarded_on.isoformat(),
                        },
                        note="bulk recompute",
                    )
                    for a in awards
                ],
                batch_size=5000,
            )
        cursor.execute(f"DELETE FROM mastery_creditprogress WHERE school_id IN ({ids})")  # noqa: S608
        insert_rows(
            cursor,
            "mastery_creditprogress",
            ("school_id", "student_id", "credit_id", *engine.CREDIT_FIELDS, "updated_at"),
            (
                (
                    school_of[s],
                    s,
                    c,
                    row.status,
                    row.proficient_count,
                    str(row.points),
                    row.evidence_count,
                    now,
                )
                for (s, c), row in result.credits.items()
            ),
        )
        cursor.execute(f"DELETE FROM mastery_graduationstatus WHERE school_id IN ({ids})")  # noqa: S608
        insert_rows(
            cursor,
            "mastery_graduationstatus",
            ("school_id", "student_id", *engine.GRADUATION_FIELDS, "updated_at"),
            (
                (
                    school_of[s],
                    s,
                    *row.as_tuple()[:-1],
                    connection.ops.adapt_json_value(row.detail, None),
                    now,
                )
                for s, row in result.graduation.items()
            ),
        )
    per_school_states = defaultdict(int)
    for s in result.states.student.tolist():
        per_school_states[school_of[s]] += 1
    for school_id in school_ids:
        audit_record(
            actor=actor,
            school=school_id,
            action=MASTERY_RECOMPUTED,
            after={
                "states": per_school_states[school_id],
                "new_awards": sum(1 for s, _, _ in result.new_awards if school_of[s] == school_id),
                "only_credits": only_credits,
            },
        )


def recompute(
    school_ids: Sequence[int] | None = None,
    *,
    actor=None,
    only_credits: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Result:
    """Recompute and store every materialized row of these schools (all schools when None)."""
    from credo.schools.models import School

    school_ids = (
        list(school_ids)
        if school_ids is not None
        else list(School.objects.values_list("id", flat=True))
    )
    result = compute(school_ids, only_credits=only_credits)
    t = time.perf_counter()
    atomic = (
        transaction.atomic() if connection.in_atomic_block else transaction.atomic(durable=True)
    )
    with atomic:
        materialize(school_ids, result, actor=actor, only_credits=only_credits)
    result.timings["write_s"] = time.perf_counter() - t
    return result
