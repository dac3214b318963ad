"""The teacher's views of one section, each read in a fixed number of queries whatever the class size:
the gradebook (students × aligned competencies, with level, trend and evidence count), the class
sorted into the scale's levels for one target, and the students who are not progressing."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from credo.accounts.models import Student
from credo.frameworks.models import Competency, FrameworkKind, ScaleLevel
from credo.mastery import asof, engine
from credo.mastery.calculations import METHODS, calculate
from credo.mastery.models import AssessmentKind, GraduationStatus, MasteryState, MasteryStatus

TREND_WORDS = {"up": "rising", "down": "falling", "flat": "steady", "": ""}


@dataclass
class Cell:
    """One student × target: the state, and what the student has when the method gives no level yet.

    `count` is the number of assessments the level rests on (the counted ones, as the student sees
    them); `live_count` every live assessment, formative included.
    """

    student_id: int
    competency_id: int
    state: MasteryState | None
    trend: str = ""
    live_count: int = 0
    counted: int = 0
    latest: Decimal | None = (
        None  # the latest counted value (or the latest live one if none counts)
    )
    at_mastery: int = 0  # counted values at or above the mastery threshold
    needed: int | None = None  # how many at mastery the method needs (n_mastery), else None
    kind_word: str = "summative"  # what the counted assessments are

    @property
    def score(self):
        return self.state.score if self.state else None

    @property
    def status(self) -> str:
        """The state's status; "pending" while counted work gives no level yet; "none" otherwise."""
        if self.state and self.state.score is not None:
            return self.state.status
        return "pending" if self.counted else "none"

    @property
    def count(self) -> int:
        return self.counted

    @property
    def trend_word(self) -> str:
        return TREND_WORDS[self.trend]

    @property
    def summary(self) -> str:
        """Say in words what the student has on this target, e.g. "2 summative, 0 of the 2 needed
        at mastery, latest 2"; every count names what it counts."""
        formative = self.live_count - self.counted
        if not self.live_count:
            return "no evidence yet"
        if not self.counted:
            return (
                f"no level yet: {formative} formative (feedback only), latest {_plain(self.latest)}"
            )
        parts = [f"{self.counted} {self.kind_word}"]
        if self.needed is not None:
            parts.append(f"{self.at_mastery} of the {self.needed} needed at mastery")
        parts.append(f"latest {_plain(self.latest)}")
        if formative:
            parts.append(f"and {formative} formative")
        text = ", ".join(parts)
        if self.score is None:
            return f"no level yet: {text}"
        return text


def make_cell(student_id, competency_id, state, live, config) -> Cell:
    """Return the cell of one student × competency from its live rows [(value, kind, date), ...]
    in the engine's order and the competency's configuration."""
    counted = [v for v, k, _ in live if config.counts_formative or k == AssessmentKind.SUMMATIVE]
    source = counted or [v for v, _, _ in live]
    return Cell(
        student_id,
        competency_id,
        state,
        _trend(counted),
        live_count=len(live),
        counted=len(counted),
        latest=source[-1] if source else None,
        at_mastery=sum(1 for v in counted if v >= config.threshold),
        needed=(config.param if config.param is not None else METHODS["n_mastery"][1])
        if config.method == "n_mastery"
        else None,
        kind_word="assessed" if config.counts_formative else "summative",
    )


@dataclass
class Gradebook:
    competencies: list[Competency]
    rows: list[tuple[Student, list[Cell]]]
    levels: list[ScaleLevel] = field(default_factory=list)


def section_competencies(section, *, kind: str = FrameworkKind.ACADEMIC) -> list[Competency]:
    """Return the competencies the section's experience is aligned to, in framework order."""
    return list(
        Competency.objects.filter(
            alignments__experience_id=section.experience_id, framework__kind=kind
        )
        .select_related("framework__scale", "scale")
        .order_by("framework_id", "sequence", "code")
    )


def section_students(section) -> list[Student]:
    return list(
        Student.objects.filter(enrollments__section=section).order_by(
            "family_name", "given_name", "id"
        )
    )


def _trend(values: list[Decimal]) -> str:
    if len(values) < 2:
        return ""
    if values[-1] > values[-2]:
        return "up"
    if values[-1] < values[-2]:
        return "down"
    return "flat"


def _live_rows(student_ids, competency_ids):
    """Return {(student, competency): [(value, kind, demonstrated_on), ...]} in the engine's order."""
    rows: dict[tuple[int, int], list] = defaultdict(list)
    for s, c, v, k, d in (
        engine.live_assessments(student_id__in=student_ids, competency_id__in=competency_ids)
        .order_by("student_id", "competency_id", "demonstrated_on", "assessed_at", "id")
        .values_list("student_id", "competency_id", "value", "kind", "demonstrated_on")
    ):
        rows[(s, c)].append((v, k, d))
    return rows


def section_gradebook(
    section, *, kind: str = FrameworkKind.ACADEMIC, as_of: dt.date | None = None
) -> Gradebook:
    """Return the section's students × the competencies its experience is aligned to.

    Each cell carries the current state, the trend of the last two counted assessments and the
    number of live assessments. Five queries, whatever the class size. With `as_of`, the cells
    are those of the end of that day, replayed from the history (`mastery.asof`).
    """
    competencies = section_competencies(section, kind=kind)
    students = section_students(section)
    student_ids, competency_ids = [s.pk for s in students], [c.pk for c in competencies]
    if as_of is not None:
        snap = asof.snapshot(section.school, students, as_of)
        states = {
            (s.pk, c.pk): m
            for s in students
            for c in competencies
            if (m := snap.state_model(s.pk, c)) is not None
        }
        history = snap.history
    else:
        states = {
            (s.student_id, s.competency_id): s
            for s in MasteryState.objects.filter(
                student_id__in=student_ids, competency_id__in=competency_ids
            )
        }
        history = _live_rows(student_ids, competency_ids)
    configs = {c.pk: engine.competency_config(c) for c in competencies}
    rows = []
    for st in students:
        cells = [
            make_cell(
                st.pk,
                c.pk,
                states.get((st.pk, c.pk)),
                history.get((st.pk, c.pk), []),
                configs[c.pk],
            )
            for c in competencies
        ]
        rows.append((st, cells))
    scale_ids = {c.effective_scale.pk for c in competencies}
    levels = list(ScaleLevel.objects.filter(scale_id__in=scale_ids).order_by("scale_id", "value"))
    return Gradebook(competencies, rows, levels)


# --- differentiation -----------------------------------------------------------------------------


@dataclass
class LevelGroup:
    label: str
    value: Decimal | None
    description: str
    next_step: str
    students: list[tuple[Student, Cell]] = field(default_factory=list)


def _plain(value: Decimal) -> str:
    """Return a level without trailing zeros: 3.00 → "3", 2.50 → "2.5"."""
    text = f"{value.normalize():f}"
    return text


def differentiation(section, competency) -> list[LevelGroup]:
    """Return the class sorted into the levels of `competency`'s scale, highest first, each group with
    what it needs next (the next level's description); students with no evidence come last.

    A student whose method gives no level yet (n times at mastery, before the n-th) is placed by
    their latest counted level — with formative work only, by their latest formative one — and each
    student comes with the cell that says what they have, so "no evidence" means no evidence.
    """
    scale = competency.effective_scale
    levels = list(ScaleLevel.objects.filter(scale=scale).order_by("value"))
    students = section_students(section)
    student_ids = [s.pk for s in students]
    states = {
        s.student_id: s
        for s in MasteryState.objects.filter(competency=competency, student_id__in=student_ids)
    }
    history = _live_rows(student_ids, [competency.pk])
    config = engine.competency_config(competency)
    groups = []
    for i, level in enumerate(levels):
        nxt = levels[i + 1] if i + 1 < len(levels) else None
        if nxt is not None:
            step = f"Next: reach {nxt.label} ({_plain(nxt.value)})" + (
                f" — {nxt.description}" if nxt.description else "."
            )
        else:
            step = "At the top of the scale: extend, apply in new contexts, or mentor classmates."
        groups.append(LevelGroup(level.label, level.value, level.description, step))
    none = LevelGroup(
        "No evidence yet", None, "", "Next: a first piece of evidence on this target."
    )
    for student in students:
        state = states.get(student.pk)
        cell = make_cell(
            student.pk, competency.pk, state, history.get((student.pk, competency.pk), []), config
        )
        place = cell.score if cell.score is not None else cell.latest
        if place is None:
            none.students.append((student, cell))
            continue
        # A score between two levels sits in the lower one: it has not yet reached the next.
        index = max((i for i, lv in enumerate(levels) if lv.value <= place), default=0)
        groups[index].students.append((student, cell))
    return [*reversed(groups), none]


# --- not progressing ------------------------------------------------------------------------------

PROGRAM_YEARS = 4
PACE_TOLERANCE = Decimal("0.15")


@dataclass
class Stall:
    student: Student
    competency: Competency
    score: Decimal | None
    score_then: Decimal | None
    last_demonstrated_on: dt.date | None


@dataclass
class Pace:
    progress: Decimal  # share of the graduation requirements met, 0..1
    expected: Decimal  # share of the programme's time elapsed, 0..1
    behind: bool
    left: list[str] = field(default_factory=list)  # each unmet requirement and how much is left

    @property
    def progress_pct(self) -> int:
        return int(self.progress * 100)

    @property
    def expected_pct(self) -> int:
        return int(self.expected * 100)

    @property
    def ahead(self) -> bool:
        return self.progress >= Decimal(1) or self.progress > self.expected + PACE_TOLERANCE

    @property
    def state(self) -> str:
        """ "behind", "ahead" or "on_track"."""
        return "behind" if self.behind else ("ahead" if self.ahead else "on_track")

    @property
    def state_label(self) -> str:
        return {"behind": "Behind pace", "ahead": "Ahead of pace", "on_track": "On track"}[
            self.state
        ]


def graduation_pace(
    status: GraduationStatus | None, graduation_year: int, today: dt.date | None = None
) -> Pace:
    """Return how far a student is toward graduation against how far through the programme they are.

    Progress is the share of every rule's requirement met (a rule needing 6 credits with 3 earned
    counts a half); expected progress is the share of the four-year programme (September of the first
    year to June of the graduation year) that has passed. Behind pace: more than 15 points short.
    """
    today = today or timezone.localdate()
    need = have = 0
    left = []
    for rule in (status.detail if status else None) or []:
        n = max(int(rule.get("need") or 0), 0)
        got = min(int(rule.get("have") or 0), n)
        need += n
        have += got
        if not rule.get("met") and n > got:
            left.append(f"{rule.get('description', 'A requirement')}: {n - got} more")
    progress = Decimal(have) / Decimal(need) if need else Decimal(1)
    start = dt.date(graduation_year - PROGRAM_YEARS, 9, 1)
    end = dt.date(graduation_year, 6, 15)
    elapsed = (today - start).days / max((end - start).days, 1)
    expected = Decimal(str(round(min(max(elapsed, 0.0), 1.0), 4)))
    return Pace(progress, expected, progress + PACE_TOLERANCE < expected, left)


def _score_as_of(rows, competency: Competency, cutoff: dt.date) -> Decimal | None:
    config = engine.competency_config(competency)
    earlier = [(v, k, d) for v, k, d in rows if d <= cutoff]
    counted = [v for v, k, _ in earlier if config.counts_formative or k == AssessmentKind.SUMMATIVE]
    return calculate(
        config.method,
        counted,
        mastery_threshold=config.threshold,
        param=config.param,
        scale=config.scale,
    )


def _at_mastery(rows, competency: Competency, cutoff: dt.date | None) -> int:
    """Return how many counted assessments (up to `cutoff`, when given) reached mastery."""
    config = engine.competency_config(competency)
    return sum(
        1
        for v, k, d in rows
        if (cutoff is None or d <= cutoff)
        and (config.counts_formative or k == AssessmentKind.SUMMATIVE)
        and v is not None
        and v >= config.threshold
    )


def find_stalls(students, *, cutoff: dt.date, competency_ids=None) -> list[Stall]:
    """Return the academic targets, not yet mastered, on which each student has made no gain since
    `cutoff`: started before it, and scoring no higher now than then (for a method that gives no
    level yet, e.g. "n times at mastery": no more work at mastery than then). Three queries."""
    student_by_id = {s.pk: s for s in students}
    states_qs = MasteryState.objects.filter(
        student_id__in=list(student_by_id),
        status=MasteryStatus.NOT_YET,
        competency__framework__kind=FrameworkKind.ACADEMIC,
        first_demonstrated_on__lte=cutoff,
    ).select_related("competency__framework__scale", "competency__scale")
    if competency_ids is not None:
        states_qs = states_qs.filter(competency_id__in=competency_ids)
    states = {(s.student_id, s.competency_id): s for s in states_qs}
    if not states:
        return []
    history = _live_rows(list({s for s, _ in states}), list({c for _, c in states}))
    stalls = []
    for key, state in states.items():
        rows = history.get(key, [])
        if not rows or rows[0][2] > cutoff:
            continue  # started within the period: too soon to say
        then = _score_as_of(rows, state.competency, cutoff)
        if (
            then is None
            and state.score is None
            and _at_mastery(rows, state.competency, None)
            > (_at_mastery(rows, state.competency, cutoff))
        ):
            continue  # no level yet (e.g. "n times at mastery"), but more work at mastery: a gain
        if then is None or state.score is None or state.score <= then:
            stalls.append(
                Stall(
                    student_by_id[key[0]],
                    state.competency,
                    state.score,
                    then,
                    state.last_demonstrated_on,
                )
            )
    stalls.sort(
        key=lambda s: (s.student.family_name, s.student.given_name, s.student.pk, s.competency.code)
    )
    return stalls


def behind_pace(students, today: dt.date) -> list[tuple[Student, Pace]]:
    """Return the students behind pace toward graduation, with their pace. One query."""
    statuses = {
        g.student_id: g
        for g in GraduationStatus.objects.filter(student_id__in=[s.pk for s in students])
    }
    result = []
    for student in students:
        pace = graduation_pace(statuses.get(student.pk), student.graduation_year, today)
        if pace.behind:
            result.append((student, pace))
    return result


def not_progressing(section, *, days: int | None = None, today: dt.date | None = None):
    """Return (stalls, behind) for a section: students with no gain on an aligned target over the
    school's period (`School.not_progressing_days`), and students behind pace toward graduation.
    Queries are fixed in number, whatever the class size."""
    today = today or section.school.today()
    days = days if days is not None else section.school.not_progressing_days
    cutoff = today - dt.timedelta(days=days)
    students = section_students(section)
    aligned = Competency.objects.filter(
        alignments__experience_id=section.experience_id
    ).values_list("pk", flat=True)
    return find_stalls(students, cutoff=cutoff, competency_ids=aligned), behind_pace(
        students, today
    )


def gradebook_cell(student, competency) -> Cell:
    """Return one cell of the gradebook, as `section_gradebook` would draw it."""
    live = _live_rows([student.pk], [competency.pk]).get((student.pk, competency.pk), [])
    state = MasteryState.objects.filter(student=student, competency=competency).first()
    return make_cell(student.pk, competency.pk, state, live, engine.competency_config(competency))
