"""The record as it stood at the end of a past day, replayed from the append-only history.

Nothing here is stored: `snapshot` reads the rows that existed by the end of the day and hands
them to the engine's own `compute_*` functions, the ones the incremental and bulk paths use, so a
past view can never disagree with what a recompute on that day would have written.

What "existed by the end of day D" means, row by row:

- an assessment counts when it was recorded (`assessed_at`) by the end of D and no row recorded by
  then replaces it: a correction or retraction recorded after D did not exist yet on D, so the
  original value stands; a retraction recorded by D removes it;
- a teacher's judgment counts when made by the end of D (the latest such row decides, a withdrawal
  ends it), while the school allows judgments;
- evidence counts toward a credit once approved by the end of D;
- a credit is awarded on D when its award is dated on or before D, was made by the end of D (an
  award made later but dated earlier did not exist yet) and was not revoked by the end of D;
- a review is open on D when requested by then and not closed by then, and only decisions made by
  then count.

Set-based: a whole school is read in a fixed number of queries, whatever its size. Known limit:
setup (frameworks, scales, methods, credits, graduation rules, whether judgments are allowed) is
read as it is today; only the records are replayed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from credo.mastery import engine, sql
from credo.mastery.models import (
    Assessment,
    CreditAward,
    CreditProgress,
    CreditReview,
    GraduationStatus,
    Judgment,
    MasteryState,
    ReviewDecision,
)


def end_of(day: dt.date) -> dt.datetime:
    """Return the first instant after `day` in the current time zone (rows before it existed)."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


@dataclass
class Snapshot:
    """Every student's record as it stood at the end of `day`.

    `history` holds each student × competency's counting assessments [(value, kind, date), ...] in
    the engine's order; `states`, `credits` (started credits only, as the table keeps them) and
    `graduation` are the engine's rows; `awards` the date of each award in force.
    """

    day: dt.date
    school_id: int
    history: dict[tuple[int, int], list[tuple]] = field(default_factory=dict)
    rows: dict[tuple[int, int], engine.StateRow] | None = None
    columns: Any = None  # a whole school's states as the bulk path's arrays (`bulk.States`)
    credits: dict[tuple[int, int], engine.CreditRow] = field(default_factory=dict)
    awards: dict[tuple[int, int], dt.date] = field(default_factory=dict)
    graduation: dict[int, engine.GraduationRow] = field(default_factory=dict)
    open_reviews: set[tuple[int, int]] = field(default_factory=set)

    @property
    def states(self) -> dict[tuple[int, int], engine.StateRow]:
        """{(student, competency): state}; from the arrays, made on first use."""
        if self.rows is None:
            st = self.columns
            self.rows = {
                (int(st.student[i]), int(st.competency[i])): engine.StateRow(*st.row(i))
                for i in range(len(st) if st is not None else 0)
            }
        return self.rows

    def proficient(self) -> dict[int, set[int]]:
        """{student: competencies proficient or beyond}."""
        found: dict[int, set[int]] = defaultdict(set)
        pairs: Iterable[tuple[int, int]]
        if self.rows is None and self.columns is not None:
            mask = self.columns.status >= 1  # bulk.STATUS_CODES: not yet, proficient, exceeds
            pairs = zip(
                self.columns.student[mask].tolist(),
                self.columns.competency[mask].tolist(),
                strict=True,
            )
        else:
            pairs = (k for k, row in self.states.items() if row.status in engine.PROFICIENT)
        for s, c in pairs:
            found[s].add(c)
        return found

    def state_count(self) -> int:
        if self.rows is None and self.columns is not None:
            return len(self.columns)
        return len(self.states)

    def status_counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        if self.rows is None and self.columns is not None:
            from credo.mastery.bulk import STATUS_CODES

            for code, n in enumerate(np.bincount(self.columns.status, minlength=3).tolist()):
                counts[STATUS_CODES[code]] += n
        else:
            for row in self.states.values():
                counts[row.status] += 1
        return counts

    def states_of(self, student_id: int) -> dict[int, engine.StateRow]:
        return {c: row for (s, c), row in self.states.items() if s == student_id}

    def credits_of(self, student_id: int) -> dict[int, engine.CreditRow]:
        return {c: row for (s, c), row in self.credits.items() if s == student_id}

    def awards_of(self, student_id: int) -> dict[int, dt.date]:
        return {c: day for (s, c), day in self.awards.items() if s == student_id}

    # The rows below are the materialized models, unsaved, so pages read a past day as they read
    # today; they are never saved (the past is read-only).

    def state_model(self, student_id: int, competency) -> MasteryState | None:
        row = self.states.get((student_id, competency.pk))
        if row is None:
            return None
        values = dict(zip(engine.STATE_FIELDS, row.as_tuple(), strict=True))
        return MasteryState(
            school_id=self.school_id, student_id=student_id, competency=competency, **values
        )

    def mastery_states(self, student, *, framework_kind: str | None = None) -> list[MasteryState]:
        """Return the student's states with their competencies, in the framework's order."""
        from credo.frameworks.models import Competency

        qs = Competency.objects.filter(pk__in=list(self.states_of(student.pk))).select_related(
            "framework"
        )
        if framework_kind:
            qs = qs.filter(framework__kind=framework_kind)
        ordered = qs.order_by("framework__kind", "framework_id", "sequence", "code")
        return [m for c in ordered if (m := self.state_model(student.pk, c)) is not None]

    def progress_of(self, student) -> dict[int, CreditProgress]:
        return {
            credit_id: CreditProgress(
                school_id=self.school_id,
                student_id=student.pk,
                credit_id=credit_id,
                **dict(zip(engine.CREDIT_FIELDS, row.as_tuple(), strict=True)),
            )
            for credit_id, row in self.credits_of(student.pk).items()
        }

    def graduation_status(self, student) -> GraduationStatus | None:
        row = self.graduation.get(student.pk)
        if row is None:
            return None
        values = dict(zip(engine.GRADUATION_FIELDS, row.as_tuple(), strict=True))
        return GraduationStatus(school_id=self.school_id, student_id=student.pk, **values)


def _student_filter(students) -> tuple[dict, list[tuple[int, int]]]:
    """Return the ORM filter that selects these students' rows and their (id, class) pairs."""
    if isinstance(students, QuerySet):
        pairs = list(students.values_list("pk", "graduation_year"))
        return {"student_id__in": students.values("pk")}, pairs
    pairs = [(s.pk, s.graduation_year) for s in students]
    return {"student_id__in": [p for p, _ in pairs]}, pairs


def replay_assessments(rows: Iterable[tuple]) -> dict[tuple[int, int], list[tuple]]:
    """Return {(student, competency): [(value, kind, demonstrated_on), ...]} of the rows that count.

    `rows` are (id, student, competency, value, kind, demonstrated_on, replaces, retraction) of
    every assessment that existed, in the engine's order (date, time recorded, id). A row counts
    when it is not a retraction and no row among them replaces it.
    """
    rows = list(rows)
    replaced = {r[6] for r in rows if r[6] is not None}
    live: dict[tuple[int, int], list[tuple]] = defaultdict(list)
    for pk, student_id, competency_id, value, kind, day, _, retraction in rows:
        if not retraction and pk not in replaced:
            live[(student_id, competency_id)].append((value, kind, day))
    return dict(live)


def _configs(competency_ids) -> dict[int, engine.CompetencyConfig]:
    from credo.frameworks.models import Competency

    return {
        c.pk: engine.competency_config(c)
        for c in Competency.objects.filter(pk__in=competency_ids).select_related(
            "framework__scale", "scale"
        )
    }


def _judged(school, where: dict, end: dt.datetime) -> dict[tuple[int, int], Decimal | None]:
    """Return the judged level in force at `end` per student × competency (None: withdrawn)."""
    if not school.judgment_enabled:
        return {}
    latest: dict[tuple[int, int], Decimal | None] = {}
    for s, c, value in (
        Judgment.objects.filter(school_id=school.pk, judged_at__lt=end, **where)
        .order_by("student_id", "competency_id", "judged_at", "id")
        .values_list("student_id", "competency_id", "value")
    ):
        latest[(s, c)] = value
    return latest


def _review_rows(school_id: int, where: dict, end: dt.datetime) -> list[tuple]:
    """Return the rows `engine.review_flags_from` reads, as they stood at `end`."""
    decisions: dict[int, list[tuple]] = defaultdict(list)
    for review_id, decision, decided_at, pk in ReviewDecision.objects.filter(
        school_id=school_id,
        decided_at__lt=end,
        review__requested_at__lt=end,
        review__student_id__in=where["student_id__in"],
    ).values_list("review_id", "decision", "decided_at", "id"):
        decisions[review_id].append((decision, decided_at, pk))
    rows: list[tuple] = []
    for pk, s, c, closed_at in CreditReview.objects.filter(
        school_id=school_id, requested_at__lt=end, **where
    ).values_list("id", "student_id", "credit_id", "closed_at"):
        closed = closed_at if closed_at is not None and closed_at < end else None
        made = decisions.get(pk) or [(None, None, None)]
        rows.extend(((s, c), closed, d, at, did) for d, at, did in made)
    return rows


def snapshot(school, students, day: dt.date, *, history: bool | None = None) -> Snapshot:
    """Return the record of `students` (a queryset or a list, all of `school`) at the end of `day`.

    Thirteen queries whatever the number of students; no row is written. With `history` (a
    student's page, a gradebook) each student × competency keeps its rows and is computed by
    `engine.compute_state`; without (a whole school) the rows are read as columns and computed by
    the bulk path's kernels (`bulk.compute_states`, which `credo check` holds equal to it).
    Unsaid, a list of students keeps the rows; a queryset (a school, a cohort) is read as columns.
    """
    if history is None:
        history = not isinstance(students, QuerySet)
    end = end_of(day)
    where, pairs = _student_filter(students)
    snap = Snapshot(day=day, school_id=school.pk)
    judged = _judged(school, where, end)
    # 1. mastery states: the engine on the history that existed
    if history:
        snap.history = replay_assessments(
            Assessment.objects.filter(school_id=school.pk, assessed_at__lt=end, **where)
            .order_by("student_id", "competency_id", "demonstrated_on", "assessed_at", "id")
            .values_list(
                "id",
                "student_id",
                "competency_id",
                "value",
                "kind",
                "demonstrated_on",
                "replaces_id",
                "retraction",
            )
        )
        configs = _configs({c for _, c in snap.history})
        snap.rows = {
            key: engine.with_judgment(
                engine.compute_state(rows, configs[key[1]]), judged.get(key), configs[key[1]]
            )
            for key, rows in snap.history.items()
        }
    else:
        snap.columns = _columnar_states(school.pk, {p for p, _ in pairs}, end, judged)
    # 2. credits: the engine's compute_credit with what was proficient, approved, awarded, reviewed
    specs = engine.specs_from_items(sql.items_of_school(school.pk))
    evidence = _approved_evidence(where, end)
    for s, c, awarded_on in (
        CreditAward.objects.filter(
            school_id=school.pk, awarded_on__lte=day, created_at__lt=end, **where
        )
        .filter(Q(revoked_at__isnull=True) | Q(revoked_at__gte=end))
        .order_by("awarded_on", "id")
        .values_list("student_id", "credit_id", "awarded_on")
    ):
        snap.awards[(s, c)] = awarded_on
    open_keys, returned = engine.review_flags_from(_review_rows(school.pk, where, end))
    snap.open_reviews = open_keys
    proficient = snap.proficient()
    # A credit is computed where the student has something toward it (a proficient target of its
    # requirement, evidence, an award, a review); elsewhere its row is what nothing gives, the
    # same for everyone, computed once: not started, unless the credit asks for nothing.
    naming: dict[int, set[int]] = defaultdict(set)
    for credit_id, spec in specs.items():
        for item in spec.items:
            naming[item.competency_id].add(credit_id)
    touched: dict[int, set[int]] = defaultdict(set)
    for s, c in (*evidence, *snap.awards, *open_keys, *returned):
        touched[s].add(c)
    always = {
        credit_id
        for credit_id, spec in specs.items()
        if not engine.compute_credit(
            spec, set(), 0, awarded=False, open_review=False, returned=False
        ).is_default
    }
    for student_id, cohort in pairs:
        near = set(always) | touched[student_id]
        for c in proficient[student_id]:
            near |= naming.get(c, set())
        for credit_id in sorted(near):
            if credit_id not in specs or not specs[credit_id].applies_to(cohort):
                continue
            spec = specs[credit_id]
            key = (student_id, credit_id)
            progress = engine.compute_credit(
                spec,
                proficient[student_id],
                evidence.get(key, 0),
                awarded=key in snap.awards,
                open_review=key in open_keys,
                returned=key in returned,
            )
            if not progress.is_default:
                snap.credits[key] = progress
    # 3. graduation: the engine's compute_graduation on the awards in force
    catalogue, area_ids = engine.catalogue_for(school.pk)
    grouped = engine.graduation_rules_for(school.pk)
    awarded_ids: dict[int, set[int]] = defaultdict(set)
    for s, c in snap.awards:
        awarded_ids[s].add(c)
    for student_id, cohort in pairs:
        snap.graduation[student_id] = engine.compute_graduation(
            engine.rules_for_cohort(grouped, cohort),
            engine.catalogue_of_cohort(catalogue, cohort),
            area_ids,
            awarded_ids[student_id],
        )
    return snap


def _columnar_states(school_id: int, student_ids: set[int], end: dt.datetime, judged: dict):
    """Return the states at `end` from the assessment columns, by the bulk path's kernels."""
    from credo.mastery import bulk

    vendor = "postgresql" if connection.vendor == "postgresql" else "sqlite"
    expr = bulk.SQL[vendor]
    query = f"""
        SELECT a.id, a.student_id, a.competency_id, {expr["float"].format("a.value")},
               a.kind = %s, {expr["day"].format("a.demonstrated_on")},
               {expr["sort_time"].format("a.assessed_at")}
        FROM mastery_assessment a
        WHERE a.school_id = %s AND a.retraction = %s AND a.assessed_at < %s
          AND a.id NOT IN (SELECT r.replaces_id FROM mastery_assessment r
                           WHERE r.replaces_id IS NOT NULL AND r.school_id = %s
                             AND r.assessed_at < %s)
    """  # noqa: S608 -- only the vendor's fixed expressions are formatted in
    stamp = connection.ops.adapt_datetimefield_value(end)
    dtype = np.dtype(
        [
            ("id", np.int64),
            ("student", np.int64),
            ("competency", np.int64),
            ("value", np.float64),
            ("summative", np.bool_),
            ("day", np.int64),
            ("time", bulk.SORT_TIME_DTYPE[vendor]),
        ]
    )
    parts = []
    with connection.cursor() as cursor:
        cursor.execute(query, ["summative", school_id, False, stamp, school_id, stamp])
        while rows := cursor.fetchmany(200_000):
            parts.append(np.array(rows, dtype=dtype))
    table = np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)
    table = table[np.isin(table["student"], np.fromiter(student_ids, dtype=np.int64))]
    order = np.lexsort(
        (table["id"], table["time"], table["day"], table["competency"], table["student"])
    )
    table = table[order]
    cols = bulk.Columns(
        student=table["student"].copy(),
        competency=table["competency"].copy(),
        value=table["value"].copy(),
        summative=table["summative"].copy(),
        day=table["day"].copy(),
    )
    configs = bulk.competency_configs([school_id])
    states = bulk.compute_states(cols, configs)
    bulk.apply_judgments(
        states, [(s, c, v) for (s, c), v in judged.items() if v is not None], configs
    )
    return states


def _approved_evidence(where: dict, end: dt.datetime) -> dict[tuple[int, int], int]:
    """Return {(student, credit): approved evidence tagged to it by `end`}."""
    from credo.evidence.models import EvidenceCredit

    student_ids = where["student_id__in"]
    qs = EvidenceCredit.objects.filter(
        evidence__student_id__in=student_ids, evidence__approved_at__lt=end
    )
    return {
        (s, c): n
        for s, c, n in qs.values_list("evidence__student_id", "credit_id").annotate(
            n=Count("evidence_id", distinct=True)
        )
    }


def first_record_day(school) -> dt.date | None:
    """Return the day of the school's first recorded assessment (None when it has none)."""
    first = Assessment.objects.filter(school_id=school.pk).order_by("assessed_at").first()
    return timezone.localdate(first.assessed_at) if first else None


def school_overview(school, day: dt.date):
    """Return `selectors.school_overview` as it stood at the end of `day`, from one snapshot of
    every student of the school (educators' records apart, as the live overview keeps them)."""
    from credo.accounts.models import Student
    from credo.mastery.models import MasteryStatus
    from credo.mastery.selectors import SchoolOverview

    students = Student.objects.filter(school=school)
    snap = snapshot(school, students, day, history=False)
    end = end_of(day)
    cohorts: dict[int, dict] = {}
    active = dict(students.filter(active=True).values_list("pk", "graduation_year"))
    for student_id, year in sorted(active.items(), key=lambda p: p[1]):
        c = cohorts.setdefault(year, {"graduation_year": year, "n": 0, "eligible": 0, "awards": 0})
        c["n"] += 1
        graduation = snap.graduation.get(student_id)
        c["eligible"] += bool(graduation and graduation.eligible)
    for student_id, _ in snap.awards:
        if student_id in active:
            cohorts[active[student_id]]["awards"] += 1
    status_counts = snap.status_counts()
    recent = Assessment.objects.filter(
        school=school,
        student__kind="student",
        assessed_at__lt=end,
        assessed_at__gte=end - dt.timedelta(days=31),
    )
    return SchoolOverview(
        students=len(active),
        cohorts=list(cohorts.values()),
        assessments_30d=recent.count(),
        awards_total=len(snap.awards),
        reviews_open=len(snap.open_reviews),
        eligible=sum(c["eligible"] for c in cohorts.values()),
        status_counts={s: status_counts.get(s, 0) for s in MasteryStatus.values},
    )
