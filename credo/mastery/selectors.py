"""Reads of the mastery domain. Every selector takes the school or the student it is about."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext

from credo.mastery import rules
from credo.mastery.explanation import METHOD_LABELS, METHOD_SENTENCES, translated_steps
from credo.mastery.models import (
    Assessment,
    CreditArea,
    CreditAward,
    CreditProgress,
    CreditReview,
    CreditStatus,
    GraduationStatus,
    Judgment,
    MasteryCredit,
    MasteryState,
    MasteryStatus,
)


@dataclass
class CreditLine:
    credit: MasteryCredit
    status: str
    status_label: str
    proficient_count: int
    item_count: int
    awarded_on: dt.date | None = None


@dataclass
class AreaProgress:
    area: CreditArea
    foundational: list[CreditLine] = field(default_factory=list)
    advanced: list[CreditLine] = field(default_factory=list)

    @property
    def foundational_earned(self) -> int:
        return sum(1 for c in self.foundational if c.status == CreditStatus.AWARDED)

    @property
    def advanced_earned(self) -> int:
        return sum(1 for c in self.advanced if c.status == CreditStatus.AWARDED)


def credit_progress_by_area(student, *, as_of=None) -> list[AreaProgress]:
    """Return the student's progress on every credit of their class, grouped by area and level
    (as it stood on a past day when `as_of`, an `asof.Snapshot` holding the student, is given)."""
    areas = {a.pk: AreaProgress(a) for a in CreditArea.objects.filter(school_id=student.school_id)}
    if as_of is not None:
        progress, awards = as_of.progress_of(student), as_of.awards_of(student.pk)
    else:
        progress = {p.credit_id: p for p in CreditProgress.objects.filter(student=student)}
        awards = dict(
            CreditAward.objects.filter(student=student, revoked_at__isnull=True).values_list(
                "credit_id", "awarded_on"
            )
        )
    labels = dict(CreditStatus.choices)
    credits = MasteryCredit.objects.filter(school_id=student.school_id).annotate(
        item_count=Count("items")
    )
    for credit in credits:
        if credit.pk not in awards and not rules.applies_to(
            credit.from_cohort, credit.until_cohort, student.graduation_year
        ):
            continue  # another class's credit, never earned by this student
        p = progress.get(credit.pk)
        status = p.status if p else CreditStatus.NOT_STARTED
        line = CreditLine(
            credit,
            status,
            labels[status],
            p.proficient_count if p else 0,
            credit.item_count,
            awards.get(credit.pk),
        )
        bucket = areas[credit.area_id]
        (bucket.foundational if credit.level == "foundational" else bucket.advanced).append(line)
    return list(areas.values())


def graduation_of(student, *, as_of=None) -> GraduationStatus | None:
    if as_of is not None:
        return as_of.graduation_status(student)
    return GraduationStatus.objects.filter(student=student).first()


def competency_states(student, *, framework_kind: str | None = None):
    """Return the student's states with their competencies, ordered as the framework is."""
    qs = MasteryState.objects.filter(student=student).select_related("competency__framework")
    if framework_kind:
        qs = qs.filter(competency__framework__kind=framework_kind)
    return qs.order_by(
        "competency__framework__kind",
        "competency__framework_id",
        "competency__sequence",
        "competency__code",
    )


def recent_feedback(student, limit: int = 8, *, before: dt.datetime | None = None):
    """Return the latest feedback; with `before`, the feedback that stood then (rows replaced
    only later still stood)."""
    if before is not None:
        qs = Assessment.objects.filter(student=student, retraction=False, assessed_at__lt=before)
        qs = qs.exclude(replaced_by__assessed_at__lt=before)
    else:
        qs = Assessment.objects.filter(student=student, retraction=False, replaced_by__isnull=True)
    return (
        qs.exclude(feedback="")
        .select_related("competency", "assessor")
        .order_by("-assessed_at", "-id")[:limit]
    )


@dataclass
class SchoolOverview:
    students: int
    cohorts: list[dict]
    assessments_30d: int
    awards_total: int
    reviews_open: int
    eligible: int
    status_counts: dict


def school_overview(school) -> SchoolOverview:
    """Return the numbers an admin sees first: students by cohort, recent activity, awards."""
    from credo.accounts.models import Student
    from credo.mastery.models import CreditReview

    since = timezone.make_aware(
        dt.datetime.combine(school.today() - dt.timedelta(days=30), dt.time())
    )
    cohorts = list(
        Student.objects.filter(school=school, active=True)
        .values("graduation_year")
        .annotate(
            n=Count("id"),
            eligible=Count("id", filter=Q(graduation__eligible=True)),
        )
        .order_by("graduation_year")
    )
    for c in cohorts:
        c["awards"] = CreditAward.objects.filter(
            school=school, revoked_at__isnull=True, student__graduation_year=c["graduation_year"]
        ).count()
    students = {"school": school, "student__kind": "student"}  # not educators' (credo/growth)
    status_counts = dict(
        MasteryState.objects.filter(**students)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return SchoolOverview(
        students=sum(c["n"] for c in cohorts),
        cohorts=cohorts,
        assessments_30d=Assessment.objects.filter(**students, assessed_at__gte=since).count(),
        awards_total=CreditAward.objects.filter(**students, revoked_at__isnull=True).count(),
        reviews_open=CreditReview.objects.filter(**students, closed_at__isnull=True).count(),
        eligible=sum(c["eligible"] for c in cohorts),
        status_counts={s: status_counts.get(s, 0) for s in MasteryStatus.values},
    )


def area_totals(areas: list[AreaProgress]) -> dict:
    totals: dict = defaultdict(int)
    for a in areas:
        totals["foundational_total"] += len(a.foundational)
        totals["advanced_total"] += len(a.advanced)
        totals["foundational_earned"] += a.foundational_earned
        totals["advanced_earned"] += a.advanced_earned
    return dict(totals)


# --- how a level was computed ---------------------------------------------------------------------


@dataclass
class HistoryRow:
    """One assessment as the student sees it in their history, with why it counts or does not."""

    id: int
    value: object
    kind: str
    demonstrated_on: dt.date
    assessed_at: dt.datetime
    feedback: str
    task: str
    assessor: str
    evidence_id: int | None
    accommodated: bool
    modified_scale: bool
    counted: bool
    note: str
    live: bool = True


@dataclass
class Explained:
    """A competency's current level with the method, the assessments in order and the arithmetic."""

    competency: object
    state: MasteryState | None
    method: str
    method_label: str
    method_sentence: str
    param: int | None
    threshold: object
    rows: list[HistoryRow]
    steps: list[str]
    # Teachers' professional judgments of this level, oldest first (withdrawals included), and
    # whether one stands now; filled by `competency_history`.
    judgments: list = field(default_factory=list)
    judged: object = None
    judgment_counts: bool = True

    @property
    def counted_values(self) -> list:
        return [r.value for r in self.rows if r.counted]


def _history_rows(assessments, counts_formative: bool) -> list[HistoryRow]:
    rows = []
    for a in assessments:
        replaced = a.replaced_by_id
        if a.retraction:
            counted, note = False, gettext("Retraction of an earlier assessment entered in error")
        elif replaced:
            counted, note = False, gettext("Replaced by a correction")
        elif a.kind == "formative" and not counts_formative:
            counted, note = False, gettext("Formative: feedback only, not counted")
        else:
            counted, note = True, gettext("Counted")
        rows.append(
            HistoryRow(
                id=a.id,
                value=a.value,
                kind=a.kind,
                demonstrated_on=a.demonstrated_on,
                assessed_at=a.assessed_at,
                feedback=a.feedback,
                task=a.task,
                assessor=a.assessor,
                evidence_id=a.evidence_id,
                accommodated=a.accommodated,
                modified_scale=a.modified_scale,
                counted=counted,
                note=note,
                live=not (a.retraction or replaced),
            )
        )
    return rows


def explain_competency(competency, state, assessments) -> Explained:
    """Return how `state` was computed from the competency's `assessments` (every row, in order)."""
    from credo.frameworks.models import CALCULATION_METHODS
    from credo.mastery import calculations, engine

    config = engine.competency_config(competency)
    rows = _history_rows(assessments, config.counts_formative)
    counted = [r.value for r in rows if r.counted]
    param = calculations.validate_param(config.method, config.param)
    try:
        steps = translated_steps(
            calculations.explain_steps(
                config.method,
                counted,
                mastery_threshold=config.threshold,
                param=config.param,
                scale=config.scale,
            )
        )
    except (
        ValueError
    ) as exc:  # a configuration the engine refuses: say so rather than fail the page
        steps = [str(exc)]
    labels = dict(CALCULATION_METHODS)
    sentence = (
        gettext(METHOD_SENTENCES[config.method]) % {"p": param, "q": 100 - (param or 0)}
        if config.method in METHOD_SENTENCES
        else ""
    )
    label = (
        gettext(METHOD_LABELS[config.method])
        if config.method in METHOD_LABELS
        else labels.get(config.method, config.method)
    )
    return Explained(
        competency,
        state,
        config.method,
        label,
        sentence,
        param,
        config.threshold,
        rows,
        steps,
    )


@dataclass(frozen=True, slots=True)
class _HistoryItem:
    """The columns of one assessment a history shows (read as plain values, not model rows)."""

    id: int
    competency_id: int
    value: object
    kind: str
    demonstrated_on: dt.date
    assessed_at: dt.datetime
    feedback: str
    task: str
    evidence_id: int | None
    accommodated: bool
    modified_scale: bool
    retraction: bool
    replaced_by_id: int | None
    assessor: str  # the assessor's name as `str(user)` gives it, or ""


_HISTORY_COLUMNS = (
    "id",
    "competency_id",
    "value",
    "kind",
    "demonstrated_on",
    "assessed_at",
    "feedback",
    "task",
    "evidence_id",
    "accommodated",
    "modified_scale",
    "retraction",
    "replaced_by_id",
    "assessor_id",
    "assessor__display_name",
    "assessor__first_name",
    "assessor__last_name",
    "assessor__username",
)


def _ordered_history(**filters) -> list[_HistoryItem]:
    """Return the assessments matching `filters` in the engine's order, with their assessors' names.

    One query, read as plain columns: a student's whole history builds no model instance but
    one unsaved `User` per distinct assessor, whose `str()` gives the name as everywhere else.
    """
    from credo.accounts.models import User

    names: dict[int, str] = {}
    out = []
    for *row, assessor_id, display, first, last, username in (
        Assessment.objects.filter(**filters)
        .annotate(replaced_by_id=models.F("replaced_by__id"))
        .order_by("demonstrated_on", "assessed_at", "id")
        .values_list(*_HISTORY_COLUMNS)
    ):
        name = ""
        if assessor_id is not None:
            name = names.get(assessor_id)
            if name is None:
                person = User(
                    pk=assessor_id,
                    display_name=display,
                    first_name=first,
                    last_name=last,
                    username=username,
                )
                name = names[assessor_id] = str(person)
        out.append(_HistoryItem(*row, name))
    return out


def top_of_tree(competency):
    """Return the competency's topmost ancestor within three levels (its domain), or itself."""
    node = competency
    for _ in range(3):
        if node.parent_id is None:
            break
        node = node.parent
    return node


@dataclass(frozen=True, slots=True)
class StateLine:
    """One competency of a student's record and its current state (no history): what a dashboard
    row shows before its "how it was computed" is asked for."""

    competency: object
    state: MasteryState


def competency_lines(student, *, framework_kind: str | None = None, as_of=None) -> list[StateLine]:
    """Return every competency the student has a level or history on, with its state; two queries
    (the states with their competencies, and the school's inner nodes of the competency tree, so
    each competency reaches its domain without one copy of the domain per row).

    The dashboard lists these and fetches one competency's explanation (`competency_history`) when
    the reader opens it: a senior's whole history is most of a page nobody reads at once.
    """
    from credo.frameworks.models import Competency

    if as_of is not None:
        states = as_of.mastery_states(student, framework_kind=framework_kind)
    else:
        states = list(competency_states(student, framework_kind=framework_kind))
    if any(s.competency.parent_id for s in states):
        inner = Competency.objects.filter(school_id=student.school_id, children__isnull=False)
        parents = {c.pk: c for c in inner.distinct()}
        for node in [*parents.values(), *(s.competency for s in states)]:
            if node.parent_id in parents:
                node.parent = parents[node.parent_id]
    return [StateLine(s.competency, s) for s in states]


def competency_history(student, competency) -> Explained:
    """Return one student's whole history on one competency (corrections and retractions included)."""
    from credo.mastery.models import Judgment

    state = MasteryState.objects.filter(student=student, competency=competency).first()
    explained = explain_competency(
        competency, state, _ordered_history(student=student, competency=competency)
    )
    explained.judgments = list(
        Judgment.objects.filter(student=student, competency=competency)
        .select_related("judged_by")
        .order_by("judged_at", "id")
    )
    latest = explained.judgments[-1] if explained.judgments else None
    explained.judged = latest if latest is not None and latest.withdraws_id is None else None
    explained.judgment_counts = student.school.judgment_enabled
    return explained


# --- reviews --------------------------------------------------------------------------------------


def review_queue(school, *, user, open_only: bool = True):
    """Return the credit reviews of `school` that `user` may open (`access.reviews_visible_to`),
    soonest first, with the student, credit, panel size and bundle size. A fixed number of queries."""
    from credo.mastery.access import reviews_visible_to

    qs = reviews_visible_to(user, school).select_related("student", "credit__area")
    if open_only:
        qs = qs.filter(closed_at__isnull=True)
    qs = qs.annotate(
        panel_size=Count("panel", distinct=True),
        bundle_size=Count("bundle", distinct=True),
    )
    return qs.order_by(models.F("scheduled_at").asc(nulls_last=True), "requested_at", "id")


def reviews_of_student(student):
    from credo.mastery.models import CreditReview

    return (
        CreditReview.objects.filter(student=student)
        .select_related("credit")
        .prefetch_related("decisions")
        .order_by("-requested_at", "-id")
    )


# --- advisees -------------------------------------------------------------------------------------


#: Targets without gain over the school's period before an advisee is flagged for support: one
#: quiet target in six weeks is ordinary; several at once is a pattern worth a conversation.
#: The default; each school sets its own (`School.support_stalls`).
STALLS_FOR_SUPPORT = 3


@dataclass
class AdviseeLine:
    student: object
    graduation: GraduationStatus | None
    pace: object
    open_reviews: int
    returned: int
    stalls: int
    stalls_for_support: int = STALLS_FOR_SUPPORT

    @property
    def needs_support(self) -> bool:
        """Behind pace, a credit returned "not yet" within the school's window, or as many targets
        worked on lately without gain (within the school's period and window) as its threshold."""
        return self.pace.behind or self.stalls >= self.stalls_for_support or self.returned > 0

    @property
    def support_order(self) -> tuple:
        """Sort key for the support list: behind pace first, then the most stalled targets."""
        return (not self.pace.behind, -self.stalls, -self.returned)


def advisee_overview(school, advisor, *, today: dt.date | None = None) -> list[AdviseeLine]:
    """Return the advisor's advisees with their pace, credits in review and signs they need support.

    A fixed number of queries, whatever the number of advisees.
    """
    from credo.accounts.models import Student
    from credo.mastery.gradebook import find_stalls, graduation_pace

    today = today or school.today()
    students = list(
        Student.objects.filter(school=school, advisor=advisor, active=True)
        .select_related("graduation")
        .annotate(
            open_reviews=Count(
                "credit_progress",
                filter=Q(credit_progress__status=CreditStatus.UNDER_REVIEW),
                distinct=True,
            ),
        )
        .order_by("family_name", "given_name", "id")
    )
    # What a student is learning now: the targets of this term's classes. A student with no class
    # this term (or a school without sections) is judged on every target not yet mastered.
    from credo.schools.models import Enrollment

    current: dict[int, set[int]] = defaultdict(set)
    for student_id, competency_id in Enrollment.objects.filter(
        student__in=students, section__term__starts_on__lte=today, section__term__ends_on__gte=today
    ).values_list("student_id", "section__experience__alignments__competency_id"):
        current[student_id].add(competency_id)
    # Work older than the school's window is history, not a sign of need now.
    since = today - dt.timedelta(days=school.support_window_days)
    stalls: dict[int, int] = defaultdict(int)
    cutoff = today - dt.timedelta(days=school.not_progressing_days)
    for stall in find_stalls(students, cutoff=cutoff):
        now = current.get(stall.student.pk)
        # A sign of need is work on the target within the period that brought no gain; a target
        # nobody has come back to since is the class's pacing (the teacher's "not progressing"
        # list shows it), not this student's need. Nothing older than the window counts.
        recent = (
            stall.last_demonstrated_on is not None
            and stall.last_demonstrated_on >= since
            and stall.last_demonstrated_on > cutoff
        )
        if recent and (now is None or stall.competency.pk in now):
            stalls[stall.student.pk] += 1
    # A credit returned "not yet" counts while its review closed within the window.
    recently_closed = set(
        CreditReview.objects.filter(
            student__in=students, closed_at__date__gte=since, closed_at__date__lte=today
        ).values_list("student_id", "credit_id")
    )
    returned: dict[int, int] = defaultdict(int)
    for key in CreditProgress.objects.filter(
        student__in=students, status=CreditStatus.RETURNED
    ).values_list("student_id", "credit_id"):
        if key in recently_closed:
            returned[key[0]] += 1
    lines = []
    for s in students:
        graduation = getattr(s, "graduation", None)
        lines.append(
            AdviseeLine(
                s,
                graduation,
                graduation_pace(graduation, s.graduation_year, today),
                s.open_reviews,
                returned[s.pk],
                stalls[s.pk],
                school.support_stalls,
            )
        )
    return lines


def judgment_in_force(student, competency) -> Judgment | None:
    """Return the judgment that stands for this student × target (the latest row, unless it is a
    withdrawal), whether or not the school allows judgments now."""
    latest = (
        Judgment.objects.filter(student=student, competency=competency)
        .order_by("-judged_at", "-id")
        .first()
    )
    return latest if latest is not None and latest.withdraws_id is None else None
