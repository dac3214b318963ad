"""Computing every state of one or more schools at once: assessments loaded as columns,
grouped by student × competency and scored by the vectorized kernels, then credits and
graduation through the engine's own functions."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.db import connection

from credo.frameworks.models import Competency
from credo.mastery import engine, sql
from credo.mastery.models import (
    CreditAward,
    CreditStatus,
    MasteryState,
    MasteryStatus,
)
from credo.mastery.vectorized import calculate_groups

EPOCH = dt.date(1970, 1, 1)
STATUS_CODES = (MasteryStatus.NOT_YET, MasteryStatus.PROFICIENT, MasteryStatus.EXCEEDS)


@dataclass
class Columns:
    """Live assessments as parallel arrays, sorted by student, competency, then chronology."""

    student: np.ndarray
    competency: np.ndarray
    value: np.ndarray
    summative: np.ndarray
    day: np.ndarray

    def __len__(self) -> int:
        return len(self.student)


@dataclass
class States:
    """Fresh mastery states as parallel arrays, one entry per student × competency with history."""

    student: np.ndarray
    competency: np.ndarray
    hundredths: np.ndarray
    none: np.ndarray
    status: np.ndarray  # index into STATUS_CODES
    count: np.ndarray
    counted: np.ndarray
    first_day: np.ndarray
    last_day: np.ndarray

    def __len__(self) -> int:
        return len(self.student)

    def row(self, i: int) -> tuple:
        return (
            None if self.none[i] else Decimal(int(self.hundredths[i])).scaleb(-2),
            STATUS_CODES[self.status[i]] if self.status[i] >= 0 else "?",
            int(self.count[i]),
            int(self.counted[i]),
            EPOCH + dt.timedelta(days=int(self.first_day[i])),
            EPOCH + dt.timedelta(days=int(self.last_day[i])),
        )


@dataclass
class Result:
    states: States
    credits: dict[tuple[int, int], engine.CreditRow]
    graduation: dict[int, engine.GraduationRow]
    new_awards: list[tuple[int, int, dt.date]]
    timings: dict[str, float] = field(default_factory=dict)
    assessments: int = 0


def _vendor() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


# Per-vendor SQL for moving dates, decimals and timestamps in and out as plain numbers.
SQL = {
    "sqlite": {
        "day": "CAST(julianday({}) - 2440587.5 AS INTEGER)",
        "float": "CAST({} AS REAL)",
        "hundredths": "CAST(ROUND({} * 100) AS INTEGER)",
        # Django stores timestamps as ISO text, which sorts chronologically; `|| ''` drops the
        # declared type so the driver hands back the text instead of parsing a datetime per row.
        "sort_time": "{} || ''",
    },
    "postgresql": {
        "day": "({} - DATE '1970-01-01')",
        "float": "CAST({} AS DOUBLE PRECISION)",
        "hundredths": "CAST(ROUND({} * 100) AS BIGINT)",
        "sort_time": "CAST(ROUND(EXTRACT(EPOCH FROM {}) * 1000000) AS BIGINT)",  # microseconds
    },
}


# How the sort time above comes back: ISO text (at most 32 ASCII characters) or microseconds.
SORT_TIME_DTYPE = {"sqlite": "S32", "postgresql": np.int64}


def _sql(kind: str, column: str = "") -> str:
    return SQL[_vendor()][kind].format(column)


def _in_clause(ids: Sequence[int]) -> str:
    return ",".join(str(int(i)) for i in ids) or "NULL"


def load_columns(school_ids: Sequence[int], *, batch: int = 200_000) -> Columns:
    """Load the live assessments of these schools, ordered as the engine reads them.

    The database only filters and hands back plain numbers (and, on SQLite, the timestamp's ISO
    text, stripped of its declared type so no per-row datetime parsing happens). Rows are read in
    large batches straight into a structured numpy array; ordering (student, competency,
    demonstration date, assessment time, id) is then one lexsort, much faster than an ORDER BY.
    """
    sql = f"""
        SELECT a.id, a.student_id, a.competency_id, {_sql("float", "a.value")}, a.kind = %s,
               {_sql("day", "a.demonstrated_on")}, {_sql("sort_time", "a.assessed_at")}
        FROM mastery_assessment a
        WHERE a.school_id IN ({_in_clause(school_ids)})
          AND a.retraction = %s
          AND a.id NOT IN (SELECT r.replaces_id FROM mastery_assessment r
                           WHERE r.replaces_id IS NOT NULL AND r.school_id IN ({_in_clause(school_ids)}))
    """  # noqa: S608 -- ids are integers
    dtype = np.dtype(
        [
            ("id", np.int64),
            ("student", np.int64),
            ("competency", np.int64),
            ("value", np.float64),
            ("summative", np.bool_),
            ("day", np.int64),
            ("time", SORT_TIME_DTYPE[_vendor()]),
        ]
    )
    parts = []
    with connection.cursor() as cursor:
        cursor.execute(sql, ["summative", False])
        while rows := cursor.fetchmany(batch):
            parts.append(np.array(rows, dtype=dtype))
    rows = np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)
    order = np.lexsort((rows["id"], rows["time"], rows["day"], rows["competency"], rows["student"]))
    rows = rows[order]
    return Columns(
        student=rows["student"].copy(),
        competency=rows["competency"].copy(),
        value=rows["value"].copy(),
        summative=rows["summative"].copy(),
        day=rows["day"].copy(),
    )


def competency_configs(school_ids: Sequence[int]) -> dict[int, engine.CompetencyConfig]:
    return {
        c.pk: engine.competency_config(c)
        for c in Competency.objects.filter(school_id__in=school_ids).select_related(
            "framework__scale", "scale"
        )
    }


def _group_starts(*keys: np.ndarray) -> np.ndarray:
    """Return the offsets where any of the sorted key columns changes (the first is 0)."""
    n = len(keys[0])
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    change = np.zeros(n, dtype=bool)
    change[0] = True
    for key in keys:
        change[1:] |= key[1:] != key[:-1]
    return np.flatnonzero(change)


def _exclusive_cumsum(counts: np.ndarray) -> np.ndarray:
    out = np.zeros(len(counts), dtype=np.int64)
    if len(counts) > 1:
        np.cumsum(counts[:-1], out=out[1:])
    return out


def compute_states(cols: Columns, configs: dict[int, engine.CompetencyConfig]) -> States:
    """Return fresh states from the assessment columns (the vectorized compute stage).

    Rows are grouped by student × competency; the counted rows of every group are gathered once,
    grouped by calculation configuration, so each configuration is one contiguous call to the
    kernels. Python loops only over the (few) distinct configurations.
    """
    n = len(cols)
    starts = _group_starts(cols.student, cols.competency)
    groups = len(starts)
    count = np.diff(np.append(starts, n))
    g_student = cols.student[starts]
    g_competency = cols.competency[starts]
    first_day = cols.day[starts]
    last_day = cols.day[starts + count - 1] if groups else np.zeros(0, dtype=np.int64)

    config_list = sorted(
        set(configs.values()), key=lambda c: repr((c.key, c.counts_formative, c.exceeds))
    )
    index = {c: i for i, c in enumerate(config_list)}
    lookup = np.full((max(configs) + 1) if configs else 1, -1, dtype=np.int64)
    for competency_id, config in configs.items():
        lookup[competency_id] = index[config]
    group_cfg = lookup[g_competency] if groups else np.zeros(0, dtype=np.int64)
    if groups and (group_cfg < 0).any():
        raise ValueError("assessments refer to competencies outside these schools")

    formative_ok = np.array([c.counts_formative for c in config_list], dtype=bool)
    if formative_ok.any():
        counted_mask = cols.summative | np.repeat(formative_ok[group_cfg], count)
    else:
        counted_mask = cols.summative
    counted_values = cols.value[counted_mask]
    counted = (
        np.add.reduceat(counted_mask.astype(np.int64), starts)
        if groups
        else np.zeros(0, dtype=np.int64)
    )

    # Groups with counted history, ordered by configuration (stable: keeps student order inside).
    scored = np.flatnonzero(counted > 0)
    scored = scored[np.argsort(group_cfg[scored], kind="stable")]
    sizes = counted[scored]
    source_start = _exclusive_cumsum(counted)[scored]
    target_start = _exclusive_cumsum(sizes)
    gather = np.repeat(source_start - target_start, sizes) + np.arange(int(sizes.sum()))
    values = counted_values[gather]
    boundaries = np.searchsorted(group_cfg[scored], np.arange(len(config_list) + 1))

    hundredths = np.zeros(groups, dtype=np.int64)
    none = np.ones(groups, dtype=bool)
    status = np.zeros(groups, dtype=np.int8)
    for idx, config in enumerate(config_list):
        g0, g1 = boundaries[idx], boundaries[idx + 1]
        if g0 == g1:
            continue
        target = scored[g0:g1]
        r0 = target_start[g0]
        r1 = target_start[g1 - 1] + sizes[g1 - 1]
        h, is_none = calculate_groups(
            config.method,
            values[r0:r1],
            target_start[g0:g1] - r0,
            mastery_threshold=config.threshold,
            param=config.param,
            scale=config.scale,
        )
        hundredths[target] = h
        none[target] = is_none
        proficient = ~is_none & (h >= int(config.threshold * 100))
        st = proficient.astype(np.int8)
        if config.exceeds is not None:
            st[proficient & (h >= int(config.exceeds * 100))] = 2
        status[target] = st
    return States(
        g_student, g_competency, hundredths, none, status, count, counted, first_day, last_day
    )


def apply_judgments(
    states: States,
    judged: list[tuple[int, int, Decimal]],
    configs: dict[int, engine.CompetencyConfig],
) -> None:
    """Put each teacher's judged level in place of the calculated one, as the incremental path
    does (`engine.with_judgment`): only where the student has history on the target."""
    if not judged or not len(states):
        return
    # States are sorted by student, then competency: find each judged pair by binary search.
    order = np.lexsort((states.competency, states.student))
    keys = states.student[order] * (1 << 32) + states.competency[order]
    code = {s: i for i, s in enumerate(STATUS_CODES)}
    for student_id, competency_id, value in judged:
        key = student_id * (1 << 32) + competency_id
        at = int(np.searchsorted(keys, key))
        if at >= len(keys) or keys[at] != key:
            continue
        i = order[at]
        states.hundredths[i] = int(value * 100)
        states.none[i] = False
        states.status[i] = code[engine.status_for(value, configs[competency_id])]


def states_from_table(school_ids: Sequence[int]) -> States:
    """Return the materialized states as arrays (for recomputing credits only)."""
    rows = list(
        MasteryState.objects.filter(school_id__in=school_ids)
        .order_by("student_id", "competency_id")
        .values_list(
            "student_id",
            "competency_id",
            "score",
            "status",
            "assessment_count",
            "counted_count",
            "first_demonstrated_on",
            "last_demonstrated_on",
        )
    )
    code = {s: i for i, s in enumerate(STATUS_CODES)}
    day = lambda d: (d - EPOCH).days if d else 0  # noqa: E731
    return States(
        student=np.array([r[0] for r in rows], dtype=np.int64),
        competency=np.array([r[1] for r in rows], dtype=np.int64),
        hundredths=np.array(
            [int(r[2] * 100) if r[2] is not None else 0 for r in rows], dtype=np.int64
        ),
        none=np.array([r[2] is None for r in rows], dtype=bool),
        status=np.array([code[r[3]] for r in rows], dtype=np.int8),
        count=np.array([r[4] for r in rows], dtype=np.int64),
        counted=np.array([r[5] for r in rows], dtype=np.int64),
        first_day=np.array([day(r[6]) for r in rows], dtype=np.int64),
        last_day=np.array([day(r[7]) for r in rows], dtype=np.int64),
    )


def compute_credits_and_graduation(school_id: int, states: States, student_cohorts: dict[int, int]):
    """Return (credit rows, graduation rows, awards to make) for every student of one school."""
    specs = engine.specs_from_items(sql.items_of_school(school_id))

    proficient: dict[int, set[int]] = defaultdict(set)
    last_dates: dict[int, dict[int, dt.date]] = defaultdict(dict)
    mask = states.status > 0
    for s, c, d in zip(
        states.student[mask].tolist(),
        states.competency[mask].tolist(),
        states.last_day[mask].tolist(),
        strict=True,
    ):
        proficient[s].add(c)
        last_dates[s][c] = EPOCH + dt.timedelta(days=d)

    student_ids = list(student_cohorts)
    evidence = engine.approved_evidence_counts(student_ids)
    awarded, revoked = set(), set()
    for student_id, credit_id, revoked_at in CreditAward.objects.filter(
        school_id=school_id
    ).values_list("student_id", "credit_id", "revoked_at"):
        (awarded if revoked_at is None else revoked).add((student_id, credit_id))
    open_pairs, returned_pairs = engine.review_flags_from(
        ((s, c), closed, decision, decided, did)
        for s, c, closed, decision, decided, did in sql.review_rows_of_school(school_id)
    )

    catalogue, area_ids = engine.catalogue_for(school_id)
    grouped_rules = engine.graduation_rules_for(school_id)
    catalogues: dict[int, list] = {}

    credit_rows: dict[tuple[int, int], engine.CreditRow] = {}
    graduation_rows: dict[int, engine.GraduationRow] = {}
    new_awards: list[tuple[int, int, dt.date]] = []
    for student_id in student_ids:
        cohort = student_cohorts[student_id]
        held = proficient.get(student_id, set())
        won = set()
        for credit_id, spec in specs.items():
            if not spec.applies_to(cohort):
                continue
            key = (student_id, credit_id)
            row = engine.compute_credit(
                spec,
                held,
                evidence.get(key, 0),
                awarded=key in awarded,
                open_review=key in open_pairs,
                returned=key in returned_pairs,
            )
            if row.status == CreditStatus.MET and key not in revoked:
                new_awards.append(
                    (student_id, credit_id, engine.award_date(spec, last_dates.get(student_id, {})))
                )
                row = engine.CreditRow(
                    CreditStatus.AWARDED, row.proficient_count, row.points, row.evidence_count
                )
            if row.status == CreditStatus.AWARDED:
                won.add(credit_id)
            if not row.is_default:
                credit_rows[key] = row
        rule_list = engine.rules_for_cohort(grouped_rules, cohort)
        if cohort not in catalogues:
            catalogues[cohort] = engine.catalogue_of_cohort(catalogue, cohort)
        graduation_rows[student_id] = engine.compute_graduation(
            rule_list, catalogues[cohort], area_ids, won
        )
    return credit_rows, graduation_rows, new_awards


def compute(school_ids: Sequence[int], *, only_credits: bool = False) -> Result:
    """Compute every materialized row of these schools from scratch, without writing."""
    from credo.accounts.models import Student

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    if only_credits:
        cols = None
        states = states_from_table(school_ids)
        timings["load_s"] = time.perf_counter() - t0
        timings["compute_s"] = 0.0
    else:
        cols = load_columns(school_ids)
        configs = competency_configs(school_ids)
        t1 = time.perf_counter()
        timings["load_s"] = t1 - t0
        states = compute_states(cols, configs)
        apply_judgments(states, sql.judged_values(school_ids), configs)
        timings["compute_s"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    credit_rows: dict = {}
    graduation_rows: dict = {}
    new_awards: list = []
    for school_id in school_ids:
        cohorts = dict(
            # every learner: educators' records (credo/growth) are computed like students'
            Student.learners.filter(school_id=school_id).values_list("id", "graduation_year")
        )
        c, g, a = compute_credits_and_graduation(school_id, states, cohorts)
        credit_rows.update(c)
        graduation_rows.update(g)
        new_awards += a
    timings["credits_s"] = time.perf_counter() - t2
    return Result(
        states,
        credit_rows,
        graduation_rows,
        new_awards,
        timings,
        len(cols) if cols is not None else 0,
    )


def _school_of_students(school_ids) -> dict[int, int]:
    from credo.accounts.models import Student

    return dict(Student.learners.filter(school_id__in=school_ids).values_list("id", "school_id"))


def _schools_of(students: np.ndarray, school_of: dict[int, int]) -> list[int]:
    """Return the school of each student id, looked up in one vectorized pass."""
    keys = np.fromiter(school_of.keys(), dtype=np.int64, count=len(school_of))
    values = np.fromiter(school_of.values(), dtype=np.int64, count=len(school_of))
    order = np.argsort(keys)
    at = np.searchsorted(keys[order], students)
    if len(students) and (at.max() >= len(keys) or (keys[order][at] != students).any()):
        raise ValueError("states refer to students outside these schools")
    return values[order][at].tolist()
