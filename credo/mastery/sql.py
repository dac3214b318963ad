"""The engine's hot reads and upserts as plain parameterized SQL.

One assessment must update a student's state, credits and graduation status in a few
milliseconds; compiling a dozen ORM querysets costs more than running them. These statements
are the same on SQLite and PostgreSQL. Values come back as the driver gives them, so the
helpers below turn them into Decimals and dates. Nothing here takes input but ids, which are
always passed as parameters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import connection

# Every column of an assessment row, in the order the bulk writers (the demo, the synthetic
# district) give their rows.
ASSESSMENT_COLUMNS = (
    "id",
    "school_id",
    "student_id",
    "competency_id",
    "evidence_id",
    "assessor_id",
    "value",
    "demonstrated_on",
    "assessed_at",
    "kind",
    "feedback",
    "accommodated",
    "modified_scale",
    "replaces_id",
    "retraction",
    "task",
    "source_id",
)


def _marks(values: Sequence) -> str:
    return ",".join(["%s"] * len(values)) or "NULL"


def as_decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def fetch(sql: str, params: Iterable = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def execute(sql: str, params: Iterable = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.rowcount


def live_history(student_id: int, competency_id: int) -> list[tuple[Decimal, str, dt.date]]:
    """Return (value, kind, demonstrated_on) of the assessments that count as history, in order."""
    rows = fetch(
        "SELECT a.value, a.kind, a.demonstrated_on FROM mastery_assessment a "
        "WHERE a.student_id = %s AND a.competency_id = %s AND a.retraction = %s "
        "AND NOT EXISTS (SELECT 1 FROM mastery_assessment r WHERE r.replaces_id = a.id) "
        "ORDER BY a.demonstrated_on, a.assessed_at, a.id",
        [student_id, competency_id, False],
    )
    return [(as_decimal(v), k, as_date(d)) for v, k, d in rows]


def judged_value(student_id: int, competency_id: int) -> Decimal | None:
    """Return the level a teacher's judgment sets for this student × competency, or None: the
    latest judgment row decides (None when it is a withdrawal, or the school allows none)."""
    rows = fetch(
        "SELECT j.value FROM mastery_judgment j JOIN schools_school s ON s.id = j.school_id "
        "WHERE j.student_id = %s AND j.competency_id = %s AND s.judgment_enabled = %s "
        "ORDER BY j.judged_at DESC, j.id DESC LIMIT 1",
        [student_id, competency_id, True],
    )
    return as_decimal(rows[0][0]) if rows else None


def judged_values(school_ids: Sequence[int]) -> list[tuple[int, int, Decimal]]:
    """Return (student, competency, level) of every judgment in force in these schools (the latest
    row of each student × competency, when it is not a withdrawal and the school allows them)."""
    if not school_ids:
        return []
    rows = fetch(
        "SELECT j.student_id, j.competency_id, j.value, j.judged_at, j.id FROM mastery_judgment j "
        "JOIN schools_school s ON s.id = j.school_id "
        f"WHERE j.school_id IN ({_marks(school_ids)}) AND s.judgment_enabled = %s "
        "ORDER BY j.student_id, j.competency_id, j.judged_at, j.id",
        [*school_ids, True],
    )
    latest: dict[tuple[int, int], object] = {}
    for student_id, competency_id, value, _, _ in rows:
        latest[(student_id, competency_id)] = value
    return [(s, c, as_decimal(v)) for (s, c), v in latest.items() if v is not None]


STATE_COLUMNS = (
    "score",
    "status",
    "assessment_count",
    "counted_count",
    "first_demonstrated_on",
    "last_demonstrated_on",
    "updated_at",
)


def upsert_state(school_id: int, student_id: int, competency_id: int, values: Sequence) -> None:
    """Store a state's values (in STATE_COLUMNS order): update the row, or insert it."""
    ops = connection.ops
    score, status, count, counted, first, last, updated = values
    params = [
        None if score is None else str(score),
        status,
        count,
        counted,
        ops.adapt_datefield_value(first),
        ops.adapt_datefield_value(last),
        ops.adapt_datetimefield_value(updated),
    ]
    assignments = ", ".join(f"{c} = %s" for c in STATE_COLUMNS)
    if not execute(
        f"UPDATE mastery_masterystate SET {assignments} WHERE student_id = %s AND competency_id = %s",
        [*params, student_id, competency_id],
    ):
        execute(
            f"INSERT INTO mastery_masterystate (school_id, student_id, competency_id, {', '.join(STATE_COLUMNS)}) "
            f"VALUES (%s, %s, %s, {_marks(params)})",
            [school_id, student_id, competency_id, *params],
        )


def delete_state(student_id: int, competency_id: int) -> None:
    execute(
        "DELETE FROM mastery_masterystate WHERE student_id = %s AND competency_id = %s",
        [student_id, competency_id],
    )


ITEM_SELECT = (
    "SELECT i.credit_id, i.competency_id, i.points, i.required, c.rule, c.rule_n, c.min_evidence, "
    "c.review_required, c.from_cohort, c.until_cohort, c.available_on "
    "FROM mastery_creditrequirementitem i "
    "JOIN mastery_masterycredit c ON c.id = i.credit_id "
)


def items_of_credits_naming(competency_id: int) -> list[tuple]:
    """Return the requirement items (with their credit's rule) of every credit that lists the competency."""
    return fetch(
        ITEM_SELECT
        + "WHERE i.credit_id IN (SELECT n.credit_id FROM mastery_creditrequirementitem n "
        "WHERE n.competency_id = %s) ORDER BY i.credit_id, i.id",
        [competency_id],
    )


def items_of_credits(credit_ids: Sequence[int]) -> list[tuple]:
    return fetch(
        ITEM_SELECT + f"WHERE i.credit_id IN ({_marks(credit_ids)}) ORDER BY i.credit_id, i.id",
        credit_ids,
    )


def items_of_school(school_id: int) -> list[tuple]:
    return fetch(ITEM_SELECT + "WHERE i.school_id = %s ORDER BY i.credit_id, i.id", [school_id])


def proficient_states(student_id: int, competency_ids: Sequence[int]) -> list[tuple[int, dt.date]]:
    """Return (competency, last demonstrated) of the student's proficient states among these competencies."""
    rows = fetch(
        "SELECT competency_id, last_demonstrated_on FROM mastery_masterystate "
        f"WHERE student_id = %s AND status IN ('proficient', 'exceeds') AND competency_id IN ({_marks(competency_ids)})",
        [student_id, *competency_ids],
    )
    return [(c, as_date(d)) for c, d in rows]


def approved_evidence(student_id: int, credit_ids: Sequence[int]) -> dict[int, int]:
    """Return {credit: approved evidence items tagged to it} for one student."""
    return dict(
        fetch(
            "SELECT ec.credit_id, COUNT(DISTINCT ec.evidence_id) FROM evidence_evidencecredit ec "
            "JOIN evidence_evidence e ON e.id = ec.evidence_id "
            f"WHERE e.student_id = %s AND e.approved_at IS NOT NULL AND ec.credit_id IN ({_marks(credit_ids)}) "
            "GROUP BY ec.credit_id",
            [student_id, *credit_ids],
        )
    )


def awards(student_id: int, credit_ids: Sequence[int]) -> list[tuple[int, bool]]:
    """Return (credit, is revoked) for every award of the student on these credits."""
    return [
        (c, bool(r))
        for c, r in fetch(
            f"SELECT credit_id, revoked_at IS NOT NULL FROM mastery_creditaward WHERE student_id = %s AND credit_id IN ({_marks(credit_ids)})",
            [student_id, *credit_ids],
        )
    ]


REVIEW_SELECT = (
    "SELECT r.student_id, r.credit_id, r.closed_at, d.decision, d.decided_at, d.id "
    "FROM mastery_creditreview r LEFT JOIN mastery_reviewdecision d ON d.review_id = r.id "
)


def review_rows_of_student(student_id: int, credit_ids: Sequence[int]) -> list[tuple]:
    """Return (student, credit, closed_at, decision, decided_at, decision id), one row per decision or open review."""
    return fetch(
        REVIEW_SELECT + f"WHERE r.student_id = %s AND r.credit_id IN ({_marks(credit_ids)})",
        [student_id, *credit_ids],
    )


def review_rows_of_school(school_id: int) -> list[tuple]:
    return fetch(REVIEW_SELECT + "WHERE r.school_id = %s", [school_id])


PROGRESS_COLUMNS = ("status", "proficient_count", "points", "evidence_count")


def progress_rows(student_id: int, credit_ids: Sequence[int]) -> dict[int, tuple]:
    """Return {credit: (status, proficient_count, points, evidence_count)} as stored."""
    return {
        c: (s, n, as_decimal(p), e)
        for c, s, n, p, e in fetch(
            f"SELECT credit_id, {', '.join(PROGRESS_COLUMNS)} FROM mastery_creditprogress "
            f"WHERE student_id = %s AND credit_id IN ({_marks(credit_ids)})",
            [student_id, *credit_ids],
        )
    }


def save_progress(
    school_id: int, student_id: int, credit_id: int, values: Sequence | None, *, exists: bool
) -> None:
    """Insert, update or (values None) delete one progress row."""
    if values is None:
        execute(
            "DELETE FROM mastery_creditprogress WHERE student_id = %s AND credit_id = %s",
            [student_id, credit_id],
        )
        return
    status, count, points, evidence = values
    now = connection.ops.adapt_datetimefield_value(dt.datetime.now(dt.UTC))
    params = [status, count, str(points), evidence, now]
    if exists:
        execute(
            "UPDATE mastery_creditprogress SET status = %s, proficient_count = %s, points = %s, "
            "evidence_count = %s, updated_at = %s WHERE student_id = %s AND credit_id = %s",
            [*params, student_id, credit_id],
        )
    else:
        execute(
            "INSERT INTO mastery_creditprogress (status, proficient_count, points, evidence_count, updated_at, "
            "school_id, student_id, credit_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            [*params, school_id, student_id, credit_id],
        )
