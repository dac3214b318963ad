"""Mastery-credit and graduation rules, evaluated on plain values.

Pure module: no Django. The models turn their rows into these frozen dataclasses; the
incremental and the bulk path both decide with the functions here, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "CREDIT_LEVELS",
    "CREDIT_RULES",
    "CREDIT_STATUSES",
    "GRADUATION_RULE_KINDS",
    "CreditRef",
    "CreditSpec",
    "GraduationRuleSpec",
    "RequirementItem",
    "RuleProgress",
    "credit_met",
    "credit_status",
    "credit_tally",
    "applies_to",
    "graduation_rule_progress",
    "validate_credit_spec",
    "validate_graduation_rule",
]

CREDIT_RULES = ("all", "count", "points")

# In the order a student moves through them.
CREDIT_STATUSES = (
    "not_started",
    "in_progress",
    "met",
    "ready_for_review",
    "under_review",
    "returned",
    "awarded",
)

CREDIT_LEVELS = ("foundational", "advanced")

GRADUATION_RULE_KINDS = (
    "min_credits",
    "min_credits_in_each_area",
    "min_credits_in_area",
    "all_credits",
    "specific_credits",
)


# --- mastery credits ----------------------------------------------------------------------


@dataclass(frozen=True)
class RequirementItem:
    """One competency a credit lists: its points and whether it must be proficient."""

    competency_id: int
    points: Decimal
    required: bool


@dataclass(frozen=True)
class CreditSpec:
    """A credit's requirement: `n` is N for the "count" rule and P for the "points" rule."""

    rule: str
    items: tuple[RequirementItem, ...]
    n: int | None
    min_evidence: int = 0
    review_required: bool = False
    from_cohort: int | None = None
    until_cohort: int | None = None
    available_on: dt.date | None = None

    def applies_to(self, cohort: int | None) -> bool:
        return applies_to(self.from_cohort, self.until_cohort, cohort)


def applies_to(from_cohort: int | None, until_cohort: int | None, cohort: int | None) -> bool:
    """Return whether a credit or rule for classes `from_cohort`–`until_cohort` reaches `cohort`.

    A blank end is open; a student without a graduation year is reached only by open ranges.
    """
    if cohort is None:
        return from_cohort is None and until_cohort is None
    return (from_cohort is None or from_cohort <= cohort) and (
        until_cohort is None or cohort <= until_cohort
    )


def validate_credit_spec(spec: CreditSpec) -> list[str]:
    """Return what is wrong with the requirement, one message each; empty when it is valid.

    Whether every competency belongs to the credit's school is checked by the caller.
    """
    errors: list[str] = []
    items = spec.items
    if spec.rule not in CREDIT_RULES:
        errors.append(
            f"Unknown credit rule {spec.rule!r}; choose one of {', '.join(CREDIT_RULES)}."
        )
    if not items:
        errors.append("List at least one competency.")
    seen: set[int] = set()
    repeated: list[int] = []
    for item in items:
        if item.competency_id in seen and item.competency_id not in repeated:
            repeated.append(item.competency_id)
        seen.add(item.competency_id)
    errors.extend(f"Competency {cid} is listed more than once." for cid in repeated)
    errors.extend(
        f"Competency {item.competency_id} has negative points ({item.points})."
        for item in items
        if item.points < 0
    )
    n = spec.n
    if spec.rule == "all" and n is not None:
        errors.append("The 'all' rule takes no number: every listed competency counts.")
    elif spec.rule == "count":
        if n is None:
            errors.append("The 'count' rule needs N, how many competencies must be proficient.")
        elif _not_whole(n) or n < 1:
            errors.append(f"N must be a whole number of at least 1 (got {n}).")
        elif items and n > len(items):
            errors.append(f"N ({n}) is more than the {len(items)} competencies listed.")
    elif spec.rule == "points":
        total = sum((item.points for item in items), Decimal(0))
        if n is None:
            errors.append("The 'points' rule needs P, how many points must be reached.")
        elif _not_whole(n) or n < 1:
            errors.append(f"P must be a whole number of at least 1 (got {n}).")
        elif n > total:
            errors.append(f"P ({n}) is more than the {total} points the listed competencies carry.")
    if _not_whole(spec.min_evidence) or spec.min_evidence < 0:
        errors.append(
            f"The minimum number of evidence items must be 0 or more (got {spec.min_evidence})."
        )
    return errors


def credit_tally(spec: CreditSpec, proficient: set[int]) -> tuple[int, Decimal]:
    """Return how many listed competencies are proficient and the sum of their points."""
    count = 0
    points = Decimal(0)
    for item in spec.items:
        if item.competency_id in proficient:
            count += 1
            points += item.points
    return count, points


def credit_met(spec: CreditSpec, proficient: set[int], evidence_count: int) -> bool:
    """Return whether the requirement is met: the rule, every required item, enough evidence."""
    if not spec.items:
        return False  # an empty list never earns a credit (validation refuses it anyway)
    count, points = credit_tally(spec, proficient)
    if spec.rule == "all":
        rule_ok = count == len(spec.items)
    elif spec.rule in ("count", "points"):
        if spec.n is None:
            raise ValueError(f"The {spec.rule!r} rule needs a number.")
        rule_ok = (count if spec.rule == "count" else points) >= spec.n
    else:
        raise ValueError(f"Unknown credit rule {spec.rule!r}.")
    required_ok = all(i.competency_id in proficient for i in spec.items if i.required)
    return rule_ok and required_ok and evidence_count >= spec.min_evidence


def credit_status(
    spec: CreditSpec,
    proficient: set[int],
    evidence_count: int,
    *,
    awarded: bool,
    open_review: bool,
    returned: bool,
) -> str:
    """Return the student's status on the credit, one of CREDIT_STATUSES.

    `returned`: the last decided review said "not yet". An award is sticky, so it wins over
    everything; then an open review; then a return, until a new review is asked for.
    "met" means no review is needed and the caller awards the credit at once.
    """
    if awarded:
        return "awarded"
    if open_review:
        return "under_review"
    if returned:
        return "returned"
    if credit_met(spec, proficient, evidence_count):
        return "ready_for_review" if spec.review_required else "met"
    if evidence_count > 0 or any(i.competency_id in proficient for i in spec.items):
        return "in_progress"
    return "not_started"


# --- graduation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GraduationRuleSpec:
    """One graduation rule. `level` None means credits of either level count."""

    kind: str
    level: str | None = None
    area_id: int | None = None
    n: int | None = None
    credit_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class CreditRef:
    """A credit as the graduation rules see it."""

    credit_id: int
    area_id: int
    level: str
    from_cohort: int | None = None
    until_cohort: int | None = None


@dataclass(frozen=True)
class RuleProgress:
    """How far a student is on one rule: `have` of `need`, and whether it is met."""

    met: bool
    have: int
    need: int


_RULE_FIELDS = {
    # kind: (takes level, takes area, takes n, takes credit ids)
    "min_credits": (True, False, True, False),
    "min_credits_in_each_area": (True, False, True, False),
    "min_credits_in_area": (True, True, True, False),
    "all_credits": (True, False, False, False),
    "specific_credits": (False, False, False, True),
}


def validate_graduation_rule(rule: GraduationRuleSpec) -> list[str]:
    """Return what is wrong with the rule, one message each; empty when it is valid."""
    if rule.kind not in _RULE_FIELDS:
        return [
            f"Unknown graduation rule {rule.kind!r}; "
            f"choose one of {', '.join(GRADUATION_RULE_KINDS)}."
        ]
    takes_level, takes_area, takes_n, takes_ids = _RULE_FIELDS[rule.kind]
    errors: list[str] = []
    if rule.level is not None:
        if not takes_level:
            errors.append(f"The {rule.kind} rule takes no level.")
        elif rule.level not in CREDIT_LEVELS:
            errors.append(
                f"Unknown level {rule.level!r}; choose {' or '.join(CREDIT_LEVELS)}, or none."
            )
    if takes_area and rule.area_id is None:
        errors.append(f"The {rule.kind} rule needs a credit area.")
    elif not takes_area and rule.area_id is not None:
        errors.append(f"The {rule.kind} rule takes no credit area.")
    if takes_n:
        if rule.n is None:
            errors.append(f"The {rule.kind} rule needs a number of credits.")
        elif _not_whole(rule.n) or rule.n < 1:
            errors.append(
                f"The number of credits must be a whole number of at least 1 (got {rule.n})."
            )
    elif rule.n is not None:
        errors.append(f"The {rule.kind} rule takes no number.")
    if takes_ids:
        if not rule.credit_ids:
            errors.append("List at least one credit.")
        elif len(set(rule.credit_ids)) != len(rule.credit_ids):
            errors.append("A credit is listed more than once.")
    elif rule.credit_ids:
        errors.append(f"The {rule.kind} rule takes no list of credits.")
    return errors


def graduation_rule_progress(
    rule: GraduationRuleSpec,
    awarded: Iterable[CreditRef],
    catalogue: Iterable[CreditRef],
    area_ids: Iterable[int],
) -> RuleProgress:
    """Return the student's progress on `rule` from the credits awarded to them.

    `catalogue` is every credit the school offers and `area_ids` its credit areas. For
    min_credits_in_each_area, `have` adds each area's count capped at n, so a surplus in
    one area never hides a gap in another.
    """
    got = {c.credit_id: c for c in awarded}
    if rule.kind == "specific_credits":
        wanted = set(rule.credit_ids)
        have = len(wanted & got.keys())
        return _progress(have, len(wanted))
    counted = [c for c in got.values() if rule.level is None or c.level == rule.level]
    if rule.kind == "all_credits":
        offered = {c.credit_id for c in catalogue if rule.level is None or c.level == rule.level}
        return _progress(len(offered & got.keys()), len(offered))
    if rule.kind not in _RULE_FIELDS:
        raise ValueError(f"Unknown graduation rule {rule.kind!r}.")
    if rule.n is None:
        raise ValueError(f"The {rule.kind} rule needs a number of credits.")
    n = rule.n
    if rule.kind == "min_credits":
        return _progress(len(counted), n)
    if rule.kind == "min_credits_in_area":
        return _progress(sum(1 for c in counted if c.area_id == rule.area_id), n)
    # min_credits_in_each_area
    per_area: dict[int, int] = {}
    for c in counted:
        per_area[c.area_id] = per_area.get(c.area_id, 0) + 1
    areas = list(dict.fromkeys(area_ids))
    have = sum(min(per_area.get(a, 0), n) for a in areas)
    return _progress(have, n * len(areas))


def _progress(have: int, need: int) -> RuleProgress:
    return RuleProgress(met=have >= need, have=have, need=need)


def _not_whole(n) -> bool:
    return isinstance(n, bool) or n != int(n)


# --- credit reviews --------------------------------------------------------------------------


def credit_missing(
    spec: CreditSpec, proficient: set[int], evidence_count: int, names: dict[int, str]
) -> list[str]:
    """Return what a student still lacks to meet the requirement, one sentence each (empty when met).

    `names` gives each competency's code, for the messages.
    """
    missing: list[str] = []
    unmet_required = [
        names.get(i.competency_id, str(i.competency_id))
        for i in spec.items
        if i.required and i.competency_id not in proficient
    ]
    if unmet_required:
        missing.append("Required and not yet proficient: " + ", ".join(unmet_required) + ".")
    count, points = credit_tally(spec, proficient)
    if spec.rule == "all" and count < len(spec.items):
        others = [
            names.get(i.competency_id, str(i.competency_id))
            for i in spec.items
            if not i.required and i.competency_id not in proficient
        ]
        if others:
            missing.append("Not yet proficient: " + ", ".join(others) + ".")
    elif spec.rule == "count" and spec.n is not None and count < spec.n:
        missing.append(f"Proficient in {count} of the {spec.n} competencies needed.")
    elif spec.rule == "points" and spec.n is not None and points < spec.n:
        missing.append(f"{points} of the {spec.n} points needed.")
    if evidence_count < spec.min_evidence:
        missing.append(
            f"{evidence_count} approved evidence item(s) tagged to the credit; "
            f"{spec.min_evidence} needed."
        )
    return missing


DECISION_POLICIES = ("majority", "unanimous")


def panel_outcome(
    policy: str, min_staff: int, seats: dict[int, bool], votes: dict[int, str]
) -> str | None:
    """Return the panel's decision ("award" or "not_yet") once the votes satisfy the policy, else None.

    `seats` maps each seated member to whether they are staff (False for an outside expert or a
    reviewer without a staff role); `votes` maps the seats that voted to their vote. "majority":
    more than half of the seated members agree; "unanimous": every seated member agrees. Either
    way at least `min_staff` (never fewer than one) of those who agree must be staff, so outside
    experts never decide alone.
    """
    if policy not in DECISION_POLICIES:
        raise ValueError(f"Unknown decision policy {policy!r}.")
    min_staff = max(1, int(min_staff))
    for outcome in ("award", "not_yet"):
        agreeing = [s for s, v in votes.items() if v == outcome and s in seats]
        staff = sum(1 for s in agreeing if seats[s])
        if staff < min_staff:
            continue
        if policy == "majority" and 2 * len(agreeing) > len(seats):
            return outcome
        if policy == "unanimous" and len(agreeing) == len(seats):
            return outcome
    return None


def panel_can_decide(policy: str, min_staff: int, seats: dict[int, bool]) -> bool:
    """Return whether a panel seated like `seats` could reach a decision at all."""
    return panel_outcome(policy, min_staff, seats, dict.fromkeys(seats, "award")) is not None
