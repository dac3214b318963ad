"""Writes about credits and graduation rules: validate, save, retire (credits and frameworks)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from credo.accounts.access import require_manage_setup
from credo.core.audit import audit_record, snapshot
from credo.core.errors import ValidationError, refuse
from credo.frameworks.models import Competency
from credo.mastery import access, engine, rules
from credo.mastery.changes import consequential
from credo.mastery.events import (
    CREDIT_RETIRED,
    CREDIT_SAVED,
    FRAMEWORK_RETIRED,
    GRADUATION_RULE_SAVED,
)
from credo.mastery.models import (
    CreditArea,
    CreditRequirementItem,
    GraduationRule,
    GraduationRuleCredit,
    MasteryCredit,
)
from credo.mastery.services.assessments import _decimal


def credit_validate(
    *,
    school,
    rule: str,
    rule_n,
    min_evidence: int,
    review_required: bool,
    items: Sequence[tuple[Competency, object, bool]],
) -> rules.CreditSpec:
    """Return the rule specification, or raise ValidationError naming every problem."""
    messages = []
    for competency, _, _ in items:
        if competency.school_id != school.pk:
            messages.append(f"Competency {competency.code} belongs to another school.")
    try:
        plain = tuple(
            rules.RequirementItem(competency_id=c.pk, points=_decimal(p, "items"), required=bool(r))
            for c, p, r in items
        )
    except ValidationError as exc:
        raise ValidationError({"items": exc.messages}) from None
    spec = rules.CreditSpec(
        rule=rule,
        items=plain,
        n=rule_n,
        min_evidence=min_evidence or 0,
        review_required=review_required,
    )
    codes = {c.pk: c.code for c, _, _ in items}
    messages += [
        re.sub(
            r"Competency (\d+)",
            lambda m: f"Competency {codes.get(int(m.group(1)), m.group(1))}",
            text,
        )
        for text in rules.validate_credit_spec(spec)
    ]
    if messages:
        raise ValidationError({"items": messages})
    return spec


def credit_save(
    *,
    actor,
    school,
    area: CreditArea,
    code: str,
    title: str,
    standard: str,
    level: str,
    rule: str,
    rule_n=None,
    min_evidence: int = 0,
    review_required: bool = False,
    items: Sequence[tuple[Competency, object, bool]],
    credit: MasteryCredit | None = None,
    order: int = 0,
    decision_policy: str = "majority",
    decision_min_staff: int = 1,
    from_cohort: int | None = None,
    until_cohort: int | None = None,
    confirm: str = "",
    reach_protected: bool = False,
) -> MasteryCredit:
    """Create or change a mastery credit with its requirement, then recompute progress on it.

    The credit applies to the classes `from_cohort`–`until_cohort` (open when blank). A change
    that alters any student's credits or graduation status is applied only when `confirm` is the
    fingerprint of its previewed effect (see `credo.mastery.changes`); otherwise nothing is
    written and NeedsConfirmation carries the effect.
    """
    require_manage_setup(actor, school, "define mastery credits")
    if area.school_id != school.pk:
        refuse("area", "That credit area belongs to another school.")
    if decision_policy not in rules.DECISION_POLICIES:
        refuse("decision_policy", "Choose a majority of the panel or every member.")
    if not isinstance(decision_min_staff, int) or not 1 <= decision_min_staff <= 9:
        refuse(
            "decision_min_staff",
            "At least one staff member must agree with a decision (1 to 9); outside experts "
            "never decide alone.",
        )
    _check_cohort_range(from_cohort, until_cohort)
    credit_validate(
        school=school,
        rule=rule,
        rule_n=rule_n,
        min_evidence=min_evidence,
        review_required=review_required,
        items=items,
    )
    # The stored row, not the caller's copy: a preview changes the copy it is given.
    credit = MasteryCredit.objects.get(pk=credit.pk) if credit else None
    before = snapshot(credit) if credit else None
    credit = credit or MasteryCredit(school=school)
    for field, value in dict(
        area=area,
        code=code,
        title=title,
        standard=standard,
        level=level,
        rule=rule,
        rule_n=rule_n,
        min_evidence=min_evidence or 0,
        review_required=review_required,
        order=order,
        decision_policy=decision_policy,
        decision_min_staff=decision_min_staff,
        from_cohort=from_cohort,
        until_cohort=until_cohort,
    ).items():
        setattr(credit, field, value)
    if credit.available_on is None and credit.pk is None:
        credit.available_on = school.today()  # no automatic award is dated before today
    credit.full_clean(validate_unique=True)
    item_list = [(c.pk, str(_decimal(p, "items")), bool(r)) for c, p, r in items]
    change = {
        **{k: v for k, v in snapshot(credit).items() if k not in ("id", "available_on")},
        "credit": credit.pk,
        "items": item_list,
    }
    with consequential(
        actor=actor,
        school=school,
        description=f"{'Change' if credit.pk else 'Add'} credit {code}",
        change=change,
        confirm=confirm,
        reach_protected=reach_protected,
    ):
        credit.save()
        CreditRequirementItem.objects.filter(credit=credit).delete()
        CreditRequirementItem.objects.bulk_create(
            [
                CreditRequirementItem(
                    school=school,
                    credit=credit,
                    competency=c,
                    points=_decimal(p, "items"),
                    required=bool(r),
                )
                for c, p, r in items
            ]
        )
        audit_record(
            actor=actor,
            school=school,
            action=CREDIT_SAVED,
            target=credit,
            before=before,
            after={**snapshot(credit), "items": item_list},
        )
        from credo.mastery import bulk

        bulk.recompute(school_ids=[school.pk], actor=actor, only_credits=True)
    return credit


def _check_cohort_range(from_cohort: int | None, until_cohort: int | None) -> None:
    for name, year in (("from_cohort", from_cohort), ("until_cohort", until_cohort)):
        if year is not None and not (2000 <= year <= 2100):
            refuse(name, f"{year} is not a graduation year (2000–2100).")
    if from_cohort is not None and until_cohort is not None and from_cohort > until_cohort:
        refuse(
            "until_cohort",
            f"The last class ({until_cohort}) comes before the first ({from_cohort}).",
        )


def credit_retire(
    *,
    actor,
    credit: MasteryCredit,
    last_cohort: int,
    reason: str,
    confirm: str = "",
    reach_protected: bool = False,
) -> MasteryCredit:
    """Retire a credit after the class of `last_cohort`: later classes no longer earn it or need it.

    Registrars only, with a reason. Awards already made stay. Applied as a previewed change.
    """
    _check_retirement(
        actor,
        credit.school_id,
        reason,
        last_cohort,
        doing="retire a mastery credit",
        why="Say why the credit is being retired.",
        last="Give the last class (graduation year) that may earn the credit.",
    )
    _check_cohort_range(credit.from_cohort, last_cohort)
    credit = MasteryCredit.objects.select_related("school").get(pk=credit.pk)

    def apply():
        before = snapshot(credit, ["from_cohort", "until_cohort"])
        credit.until_cohort = last_cohort
        credit.save(update_fields=["until_cohort"])
        return before, snapshot(credit, ["from_cohort", "until_cohort"])

    _retire(
        actor,
        credit,
        f"Retire credit {credit.code} after the class of {last_cohort}",
        {"retire_credit": credit.pk, "last_cohort": last_cohort},
        CREDIT_RETIRED,
        reason,
        apply,
        confirm=confirm,
        reach_protected=reach_protected,
    )
    return credit


def framework_retire(
    *,
    actor,
    framework,
    last_cohort: int,
    reason: str,
    confirm: str = "",
    reach_protected: bool = False,
):
    """Retire a framework after the class of `last_cohort`: every credit drawing on its
    competencies is retired for later classes too. Registrars only, with a reason; previewed."""
    _check_retirement(
        actor,
        framework.school_id,
        reason,
        last_cohort,
        doing="retire a framework",
        why="Say why the framework is being retired.",
        last="Give the last class (graduation year) whose credits draw on it.",
    )
    _check_cohort_range(None, last_cohort)
    framework = type(framework).objects.select_related("school").get(pk=framework.pk)
    credits = list(
        MasteryCredit.objects.filter(items__competency__framework=framework)
        .distinct()
        .order_by("pk")
    )
    for credit in credits:
        if credit.from_cohort is not None and credit.from_cohort > last_cohort:
            refuse(
                "last_cohort",
                f"Credit {credit.code} starts with the class of {credit.from_cohort}, after "
                f"{last_cohort}; change or retire it first.",
            )

    def apply():
        before = {"until_cohort": framework.until_cohort}
        framework.until_cohort = last_cohort
        framework.save(update_fields=["until_cohort"])
        retired = []
        for credit in credits:
            if credit.until_cohort is None or credit.until_cohort > last_cohort:
                retired.append((credit.code, credit.until_cohort))
                credit.until_cohort = last_cohort
                credit.save(update_fields=["until_cohort"])
        return (
            {**before, "credits": {code: until for code, until in retired}},
            {"until_cohort": last_cohort, "credits": [code for code, _ in retired]},
        )

    _retire(
        actor,
        framework,
        f"Retire framework {framework.name} after the class of {last_cohort}",
        {"retire_framework": framework.pk, "last_cohort": last_cohort},
        FRAMEWORK_RETIRED,
        reason,
        apply,
        confirm=confirm,
        reach_protected=reach_protected,
    )
    return framework


def _check_retirement(actor, school_id, reason, last_cohort, *, doing, why, last) -> None:
    """Refuse a retirement by anyone but a registrar, without a reason or without a last class."""
    access.require_revoke_and_retire(actor, school_id, doing)
    if not (reason or "").strip():
        refuse("reason", why)
    if not isinstance(last_cohort, int):
        refuse("last_cohort", last)


def _retire(actor, target, description, change, action, reason, apply, *, confirm, reach_protected):
    """Apply a retirement as a previewed change: `apply()` writes it and returns the audit's
    before and after; then the school's credits and graduation are recomputed."""
    school = target.school
    with consequential(
        actor=actor,
        school=school,
        description=description,
        change=change,
        confirm=confirm,
        reach_protected=reach_protected,
    ):
        before, after = apply()
        audit_record(
            actor=actor,
            school=school,
            action=action,
            target=target,
            before=before,
            after=after,
            note=reason.strip(),
        )
        from credo.mastery import bulk

        bulk.recompute(school_ids=[school.pk], actor=actor, only_credits=True)


def graduation_rule_save(
    *,
    actor,
    school,
    kind: str,
    level: str = "",
    area: CreditArea | None = None,
    n: int | None = None,
    credits: Sequence[MasteryCredit] = (),
    from_cohort: int | None = None,
    until_cohort: int | None = None,
    description: str = "",
    rule: GraduationRule | None = None,
    confirm: str = "",
    reach_protected: bool = False,
) -> GraduationRule:
    """Create or change a graduation rule for a range of classes after checking it can be met;
    recompute statuses. Applied as a previewed change (see `credit_save`)."""
    require_manage_setup(actor, school, "define graduation rules")
    _check_cohort_range(from_cohort, until_cohort)
    if area is not None and area.school_id != school.pk:
        refuse("area", "That credit area belongs to another school.")
    if any(c.school_id != school.pk for c in credits):
        refuse("credits", "Some of those credits belong to another school.")
    spec = rules.GraduationRuleSpec(
        kind=kind,
        level=level or None,
        area_id=area.pk if area else None,
        n=n,
        credit_ids=tuple(sorted(c.pk for c in credits)),
    )
    messages = rules.validate_graduation_rule(spec)
    catalogue, area_ids = engine.catalogue_for(school.pk)
    if not messages and kind in ("min_credits", "min_credits_in_area", "min_credits_in_each_area"):
        possible = rules.graduation_rule_progress(spec, catalogue, catalogue, area_ids)
        if not possible.met:
            messages.append(
                f"No student can meet this: the school has only {possible.have} such credits "
                f"where {possible.need} are required."
            )
    if messages:
        raise ValidationError({"__all__": messages})
    rule = GraduationRule.objects.get(pk=rule.pk) if rule else None
    before = snapshot(rule) if rule else None
    rule = rule or GraduationRule(school=school)
    rule.kind, rule.level, rule.area, rule.n, rule.description = kind, level, area, n, description
    rule.from_cohort, rule.until_cohort = from_cohort, until_cohort
    rule.full_clean()
    change = {
        **{k: v for k, v in snapshot(rule).items() if k != "id"},
        "rule": rule.pk,
        "credits": sorted(c.pk for c in credits),
    }
    with consequential(
        actor=actor,
        school=school,
        description=f"{'Change' if rule.pk else 'Add'} graduation rule “{description or kind}”",
        change=change,
        confirm=confirm,
        reach_protected=reach_protected,
    ):
        rule.save()
        GraduationRuleCredit.objects.filter(rule=rule).delete()
        GraduationRuleCredit.objects.bulk_create(
            [GraduationRuleCredit(school=school, rule=rule, credit=c) for c in credits]
        )
        audit_record(
            actor=actor,
            school=school,
            action=GRADUATION_RULE_SAVED,
            target=rule,
            before=before,
            after={**snapshot(rule), "credits": [c.pk for c in credits]},
        )
        from credo.mastery import bulk

        bulk.recompute(school_ids=[school.pk], actor=actor, only_credits=True)
    return rule
