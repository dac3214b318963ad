"""One semantics, two paths.

The functions named `compute_*` turn plain data into the materialized rows; both the incremental
path (`refresh_*`, one student after one assessment) and the bulk path (`credo.mastery.bulk`) call
them, so the two can never disagree about what a state, a credit's progress or a graduation status is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max
from django.utils import timezone

from credo.core.audit import audit_record
from credo.mastery import rules, sql
from credo.mastery.calculations import calculate
from credo.mastery.events import CREDIT_AWARDED_AUTOMATICALLY
from credo.mastery.models import (
    Assessment,
    AssessmentKind,
    CreditArea,
    CreditAward,
    CreditRequirementItem,
    CreditStatus,
    Decision,
    GraduationRule,
    GraduationRuleCredit,
    GraduationStatus,
    MasteryCredit,
    MasteryStatus,
)

PROFICIENT = frozenset({MasteryStatus.PROFICIENT, MasteryStatus.EXCEEDS})


@dataclass(frozen=True)
class CompetencyConfig:
    """How one competency's score is computed and read."""

    method: str
    param: int | None
    threshold: Decimal
    exceeds: Decimal | None
    scale: tuple[Decimal, Decimal]
    counts_formative: bool

    @property
    def key(self) -> tuple:
        return (self.method, self.param, self.threshold, self.scale)


def competency_config(competency) -> CompetencyConfig:
    """Return the effective configuration of `competency` (needs framework and scales loaded)."""
    scale = competency.scale or competency.framework.scale
    method, param = competency.effective_method
    return CompetencyConfig(
        method=method,
        param=param,
        threshold=scale.mastery_threshold,
        exceeds=scale.exceeds_threshold,
        scale=(scale.min_value, scale.max_value),
        counts_formative=competency.framework.counts_formative,
    )


def status_for(score: Decimal | None, config: CompetencyConfig) -> str:
    """Return the mastery status a score means on the competency's scale."""
    if score is None or score < config.threshold:
        return MasteryStatus.NOT_YET
    if config.exceeds is not None and score >= config.exceeds:
        return MasteryStatus.EXCEEDS
    return MasteryStatus.PROFICIENT


@dataclass(frozen=True)
class StateRow:
    score: Decimal | None
    status: str
    assessment_count: int
    counted_count: int
    first_demonstrated_on: dt.date | None
    last_demonstrated_on: dt.date | None

    def as_tuple(self) -> tuple:
        return (
            self.score,
            self.status,
            self.assessment_count,
            self.counted_count,
            self.first_demonstrated_on,
            self.last_demonstrated_on,
        )


STATE_FIELDS = (
    "score",
    "status",
    "assessment_count",
    "counted_count",
    "first_demonstrated_on",
    "last_demonstrated_on",
)


def compute_state(
    rows: Sequence[tuple[Decimal, str, dt.date]], config: CompetencyConfig
) -> StateRow:
    """Return the state for one student × competency from its live assessments in order.

    `rows` are (value, kind, demonstrated_on) of the assessments that are neither replaced nor
    retractions, ordered by demonstration date, then assessment time, then id.
    """
    counted = [
        v for v, kind, _ in rows if config.counts_formative or kind == AssessmentKind.SUMMATIVE
    ]
    score = calculate(
        config.method,
        counted,
        mastery_threshold=config.threshold,
        param=config.param,
        scale=config.scale,
    )
    dates = [d for _, _, d in rows]
    return StateRow(
        score=score,
        status=status_for(score, config),
        assessment_count=len(rows),
        counted_count=len(counted),
        first_demonstrated_on=min(dates) if dates else None,
        last_demonstrated_on=max(dates) if dates else None,
    )


def live_assessments(**filters):
    """Return the assessments that count as history: not replaced and not retractions."""
    return Assessment.objects.filter(retraction=False, replaced_by__isnull=True, **filters)


# --- credits -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CreditRow:
    status: str
    proficient_count: int
    points: Decimal
    evidence_count: int

    def as_tuple(self) -> tuple:
        return (self.status, self.proficient_count, self.points, self.evidence_count)

    @property
    def is_default(self) -> bool:
        return (
            self.status == CreditStatus.NOT_STARTED
            and not self.proficient_count
            and not self.evidence_count
        )


CREDIT_FIELDS = ("status", "proficient_count", "points", "evidence_count")


def credit_spec(
    credit: MasteryCredit, items: Iterable[CreditRequirementItem | tuple]
) -> rules.CreditSpec:
    """Return the pure rule specification of `credit` from its requirement items."""
    plain = []
    for item in items:
        if isinstance(item, tuple):
            competency_id, points, required = item
        else:
            competency_id, points, required = item.competency_id, item.points, item.required
        plain.append(
            rules.RequirementItem(
                competency_id=competency_id, points=Decimal(points), required=required
            )
        )
    return rules.CreditSpec(
        rule=credit.rule,
        items=tuple(plain),
        n=credit.rule_n,
        min_evidence=credit.min_evidence,
        review_required=credit.review_required,
    )


def compute_credit(
    spec: rules.CreditSpec,
    proficient: set[int],
    evidence_count: int,
    *,
    awarded: bool,
    open_review: bool,
    returned: bool,
) -> CreditRow:
    """Return one student's progress on one credit."""
    count, points = rules.credit_tally(spec, proficient)
    status = rules.credit_status(
        spec,
        proficient,
        evidence_count,
        awarded=awarded,
        open_review=open_review,
        returned=returned,
    )
    return CreditRow(
        status=status, proficient_count=count, points=points, evidence_count=evidence_count
    )


def award_date(spec: rules.CreditSpec, last_dates: dict[int, dt.date]) -> dt.date:
    """Return the date an automatically awarded credit was earned: its latest demonstration,
    but never before the credit began to apply (a credit defined today is not earned in 2023)."""
    dates = [last_dates[i.competency_id] for i in spec.items if i.competency_id in last_dates]
    if spec.available_on is not None:
        dates.append(spec.available_on)
    return max(dates) if dates else timezone.localdate()


# --- graduation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class GraduationRow:
    foundational_awarded: int
    advanced_awarded: int
    rules_met: int
    rules_total: int
    eligible: bool
    detail: list

    def as_tuple(self) -> tuple:
        return (
            self.foundational_awarded,
            self.advanced_awarded,
            self.rules_met,
            self.rules_total,
            self.eligible,
            self.detail,
        )


GRADUATION_FIELDS = (
    "foundational_awarded",
    "advanced_awarded",
    "rules_met",
    "rules_total",
    "eligible",
    "detail",
)


def graduation_spec(rule: GraduationRule, credit_ids: Iterable[int]) -> rules.GraduationRuleSpec:
    return rules.GraduationRuleSpec(
        kind=rule.kind,
        level=rule.level or None,
        area_id=rule.area_id,
        n=rule.n,
        credit_ids=tuple(sorted(credit_ids)),
    )


def compute_graduation(
    rule_list: Sequence[tuple[int, str, rules.GraduationRuleSpec]],
    catalogue: Sequence[rules.CreditRef],
    area_ids: Sequence[int],
    awarded_ids: set[int],
) -> GraduationRow:
    """Return a student's graduation status from the rules of their cohort and their awards."""
    awarded = [c for c in catalogue if c.credit_id in awarded_ids]
    detail = []
    met = 0
    for rule_id, description, spec in rule_list:
        progress = rules.graduation_rule_progress(spec, awarded, catalogue, area_ids)
        met += progress.met
        detail.append(
            {
                "rule": rule_id,
                "description": description,
                "met": progress.met,
                "have": progress.have,
                "need": progress.need,
            }
        )
    return GraduationRow(
        foundational_awarded=sum(1 for c in awarded if c.level == "foundational"),
        advanced_awarded=sum(1 for c in awarded if c.level == "advanced"),
        rules_met=met,
        rules_total=len(rule_list),
        eligible=bool(rule_list) and met == len(rule_list),
        detail=detail,
    )


def rule_description(rule: GraduationRule, area_names: dict[int, str]) -> str:
    """Return a readable sentence for a graduation rule."""
    if rule.description:
        return rule.description
    level = rule.level or "any"
    match rule.kind:
        case "min_credits":
            return f"At least {rule.n} {level} credits"
        case "min_credits_in_each_area":
            return f"At least {rule.n} {level} credits in every area"
        case "min_credits_in_area":
            return (
                f"At least {rule.n} {level} credits in {area_names.get(rule.area_id, 'one area')}"
            )
        case "all_credits":
            return f"Every {level} credit"
        case _:
            return "Specific credits"


def graduation_rules_for(
    school_id: int,
) -> dict[tuple[int | None, int | None], list[tuple[int, str, rules.GraduationRuleSpec]]]:
    """Return the school's graduation rules grouped by their range of cohorts (from, until)."""
    area_names = dict(CreditArea.objects.filter(school_id=school_id).values_list("id", "name"))
    credits_by_rule: dict[int, list[int]] = {}
    for rule_id, credit_id in GraduationRuleCredit.objects.filter(school_id=school_id).values_list(
        "rule_id", "credit_id"
    ):
        credits_by_rule.setdefault(rule_id, []).append(credit_id)
    grouped: dict[tuple[int | None, int | None], list] = {}
    for rule in GraduationRule.objects.filter(school_id=school_id).order_by("id"):
        grouped.setdefault((rule.from_cohort, rule.until_cohort), []).append(
            (
                rule.pk,
                rule_description(rule, area_names),
                graduation_spec(rule, credits_by_rule.get(rule.pk, ())),
            )
        )
    return grouped


def rules_for_cohort(grouped: dict, cohort: int) -> list:
    """Return the rules whose range of cohorts reaches `cohort`."""
    reached = [
        rule
        for (first, last), rule_list in grouped.items()
        if (first, last) != (None, None) and rules.applies_to(first, last, cohort)
        for rule in rule_list
    ]
    # Rules for every class come first, then those of some classes, each in the order made.
    return [*grouped.get((None, None), []), *sorted(reached, key=lambda r: r[0])]


def catalogue_for(school_id: int) -> tuple[list[rules.CreditRef], list[int]]:
    """Return every credit of the school (with the cohorts it applies to) and its area ids."""
    catalogue = [
        rules.CreditRef(credit_id=i, area_id=a, level=lv, from_cohort=f, until_cohort=u)
        for i, a, lv, f, u in MasteryCredit.objects.filter(school_id=school_id).values_list(
            "id", "area_id", "level", "from_cohort", "until_cohort"
        )
    ]
    area_ids = list(CreditArea.objects.filter(school_id=school_id).values_list("id", flat=True))
    return catalogue, area_ids


def catalogue_of_cohort(catalogue: Sequence[rules.CreditRef], cohort: int) -> list[rules.CreditRef]:
    """Return the credits that apply to `cohort`: "every foundational credit" means these."""
    return [c for c in catalogue if rules.applies_to(c.from_cohort, c.until_cohort, cohort)]


# --- the incremental path ---------------------------------------------------------------------


def with_judgment(row: StateRow, judged: Decimal | None, config: CompetencyConfig) -> StateRow:
    """Return the state with a teacher's judged level in place of the calculated one (if any)."""
    if judged is None:
        return row
    return dataclasses.replace(row, score=judged, status=status_for(judged, config))


def refresh_state(student, competency) -> StateRow | None:
    """Recompute and store one student's state on one competency; return it (None without history)."""
    rows = sql.live_history(student.pk, competency.pk)
    if not rows:  # states exist only where there is history, exactly as the bulk path makes them
        sql.delete_state(student.pk, competency.pk)
        return None
    config = competency_config(competency)
    row = with_judgment(
        compute_state(rows, config), sql.judged_value(student.pk, competency.pk), config
    )
    sql.upsert_state(
        student.school_id, student.pk, competency.pk, [*row.as_tuple(), timezone.now()]
    )
    return row


def review_flags_from(rows: Iterable[tuple]) -> tuple[set, set]:
    """Return (keys with an open review, keys whose latest decision said "not yet").

    `rows` are (key, closed_at, decision, decided_at, decision_id), one per decision or open
    review. The bulk path passes (student, credit) keys, the incremental path credit ids.
    """
    open_keys, latest = set(), {}
    for key, closed_at, decision, decided_at, decision_id in rows:
        if closed_at is None:
            open_keys.add(key)
        elif decision is not None and (
            key not in latest or (decided_at, decision_id) > latest[key][:2]
        ):
            latest[key] = (decided_at, decision_id, decision)
    returned = {
        k for k, (_, _, d) in latest.items() if d == Decision.NOT_YET and k not in open_keys
    }
    return open_keys, returned


def approved_evidence_counts(student_ids, credit_ids=None) -> dict[tuple[int, int], int]:
    """Return {(student, credit): number of approved evidence items tagged to the credit}."""
    from credo.evidence.models import EvidenceCredit

    qs = EvidenceCredit.objects.filter(
        evidence__student_id__in=student_ids, evidence__approved_at__isnull=False
    )
    if credit_ids is not None:
        qs = qs.filter(credit_id__in=credit_ids)
    return {
        (s, c): n
        for s, c, n in qs.values_list("evidence__student_id", "credit_id").annotate(
            n=Count("evidence_id", distinct=True)
        )
    }


def specs_from_items(rows: Iterable[tuple]) -> dict[int, rules.CreditSpec]:
    """Return {credit id: spec} from rows of `sql.ITEM_SELECT` (a credit with no items has no spec)."""
    items: dict[int, list] = {}
    heads: dict[int, tuple] = {}
    for (
        credit_id,
        competency_id,
        points,
        required,
        rule,
        n,
        min_evidence,
        review,
        from_cohort,
        until_cohort,
        available_on,
    ) in rows:
        items.setdefault(credit_id, []).append(
            rules.RequirementItem(
                competency_id=competency_id, points=sql.as_decimal(points), required=bool(required)
            )
        )
        heads[credit_id] = (
            rule,
            n,
            min_evidence,
            bool(review),
            from_cohort,
            until_cohort,
            sql.as_date(available_on),
        )
    return {
        cid: rules.CreditSpec(
            rule=r,
            items=tuple(items[cid]),
            n=n,
            min_evidence=m,
            review_required=rv,
            from_cohort=fc,
            until_cohort=uc,
            available_on=since,
        )
        for cid, (r, n, m, rv, fc, uc, since) in heads.items()
    }


def refresh_credits(
    student,
    credit_ids: Iterable[int] | None = None,
    *,
    competency_id: int | None = None,
    actor=None,
) -> tuple[dict[int, CreditRow], int]:
    """Recompute the student's progress on some credits; award those met that need no review.

    Name the credits, or give `competency_id` for every credit whose requirement lists it.
    Return {credit: progress} (a credit not started has none) and how many were newly awarded.
    """
    if competency_id is not None:
        item_rows = sql.items_of_credits_naming(competency_id)
    else:
        item_rows = sql.items_of_credits(sorted(set(credit_ids or ())))
    specs = specs_from_items(item_rows)
    # A credit outside the student's range of cohorts is not theirs to earn: no progress row.
    stale = [c for c, spec in specs.items() if not spec.applies_to(student.graduation_year)]
    for credit_id in stale:
        del specs[credit_id]
        sql.save_progress(student.school_id, student.pk, credit_id, None, exists=True)
    if not specs:
        return {}, 0
    credit_ids = sorted(specs)
    competency_ids = sorted({i.competency_id for spec in specs.values() for i in spec.items})
    last_dates = dict(sql.proficient_states(student.pk, competency_ids))
    proficient = set(last_dates)
    evidence = sql.approved_evidence(student.pk, credit_ids)
    awarded, revoked = set(), set()
    for cid, is_revoked in sql.awards(student.pk, credit_ids):
        (revoked if is_revoked else awarded).add(cid)
    open_ids, returned = review_flags_from(
        (c, closed, decision, decided, did)
        for _, c, closed, decision, decided, did in sql.review_rows_of_student(
            student.pk, credit_ids
        )
    )
    existing = sql.progress_rows(student.pk, credit_ids)
    result = {}
    new_awards = 0
    for credit_id in credit_ids:
        spec = specs[credit_id]
        row = compute_credit(
            spec,
            proficient,
            evidence.get(credit_id, 0),
            awarded=credit_id in awarded,
            open_review=credit_id in open_ids,
            returned=credit_id in returned,
        )
        if row.status == CreditStatus.MET and credit_id not in revoked:
            award = CreditAward.objects.create(
                school_id=student.school_id,
                student=student,
                credit_id=credit_id,
                awarded_on=award_date(spec, last_dates),
            )
            audit_record(
                actor=actor,
                school=student.school_id,
                action=CREDIT_AWARDED_AUTOMATICALLY,
                target=award,
                after={"student": student.pk, "credit": credit_id, "awarded_on": award.awarded_on},
            )
            new_awards += 1
            row = CreditRow(
                CreditStatus.AWARDED, row.proficient_count, row.points, row.evidence_count
            )
        stored = existing.get(credit_id)
        if row.is_default:  # progress rows are stored only once a student has started a credit
            if stored is not None:
                sql.save_progress(student.school_id, student.pk, credit_id, None, exists=True)
            continue
        if stored != row.as_tuple():
            sql.save_progress(
                student.school_id, student.pk, credit_id, row.as_tuple(), exists=stored is not None
            )
        result[credit_id] = row
    return result, new_awards


def refresh_graduation(student) -> GraduationStatus:
    """Recompute and store the student's graduation status."""
    catalogue, area_ids = catalogue_for(student.school_id)
    catalogue = catalogue_of_cohort(catalogue, student.graduation_year)
    rule_list = rules_for_cohort(graduation_rules_for(student.school_id), student.graduation_year)
    awarded = set(
        CreditAward.objects.filter(student=student, revoked_at__isnull=True).values_list(
            "credit_id", flat=True
        )
    )
    row = compute_graduation(rule_list, catalogue, area_ids, awarded)
    values = dict(zip(GRADUATION_FIELDS, row.as_tuple(), strict=True))
    status, _ = GraduationStatus.objects.update_or_create(
        school_id=student.school_id, student=student, defaults=values
    )
    return status


def refresh_student(student, competency, *, actor=None) -> StateRow | None:
    """The incremental path: state, then the credits naming the competency, then graduation."""
    state = refresh_state(student, competency)
    _, new_awards = refresh_credits(student, competency_id=competency.pk, actor=actor)
    if new_awards:  # graduation depends only on awards
        refresh_graduation(student)
    return state


def latest_demonstration(student) -> dt.date | None:
    return live_assessments(student=student).aggregate(d=Max("demonstrated_on"))["d"]
