"""Every write about frameworks: proficiency scales and their levels, frameworks, outcomes and the
competency tree. Changes that alter how scores are read recompute the school's records."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.db import transaction

from credo.accounts.access import require_manage_setup
from credo.core.audit import audit_record, snapshot
from credo.core.errors import NotAllowed, ValidationError
from credo.frameworks.access import require_manage_outcomes
from credo.frameworks.events import (
    COMPETENCY_SAVED,
    FRAMEWORK_SAVED,
    OUTCOME_CREDITS_SET,
    OUTCOME_RESTORED,
    OUTCOME_RETIRED,
    OUTCOME_SAVED,
    SCALE_SAVED,
)
from credo.frameworks.models import (
    CALCULATION_METHODS,
    Competency,
    CompetencyKind,
    Framework,
    FrameworkKind,
    Outcome,
    ProficiencyScale,
    ScaleLevel,
)
from credo.mastery.calculations import validate_param
from credo.mastery.changes import consequential

METHOD_NAMES = [m for m, _ in CALCULATION_METHODS]


def _number(value, field: str, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append(f"“{value}” is not a number.")
        return None
    if not result.is_finite():
        errors.setdefault(field, []).append(f"“{value}” is not a number.")
        return None
    return result


def _plain_change(obj, **extra) -> dict:
    """Return what a change asks for, without ids a new row gets only when saved."""
    return {**{k: v for k, v in snapshot(obj).items() if k != "id"}, "target": obj.pk, **extra}


def _recompute(school, actor) -> None:
    from credo.mastery import bulk

    bulk.recompute(school_ids=[school.pk], actor=actor)


def scale_save(
    *,
    actor,
    school,
    name: str,
    mastery_threshold,
    levels: Sequence[tuple[object, str, str]],
    exceeds_threshold=None,
    scale: ProficiencyScale | None = None,
    confirm: str = "",
    reach_protected: bool = False,
) -> ProficiencyScale:
    """Create or change a proficiency scale with its ordered levels (value, label, description).

    The mastery threshold (and the optional "exceeds" threshold) must lie within the levels; a scale
    in use may not shrink below the values already recorded on it. Recompute the school after a
    change to a scale in use.
    """
    require_manage_setup(actor, school, "define proficiency scales")
    if scale is not None and scale.school_id != school.pk:
        raise NotAllowed("That scale belongs to another school.")
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors.setdefault("name", []).append("Name the scale.")
    threshold = _number(mastery_threshold, "mastery_threshold", errors)
    if threshold is None and "mastery_threshold" not in errors:
        errors.setdefault("mastery_threshold", []).append(
            "Give the level a student must reach for mastery."
        )
    exceeds = _number(exceeds_threshold, "exceeds_threshold", errors)
    parsed: list[tuple[Decimal, str, str]] = []
    for value, label, description in levels:
        if value in (None, "") and not (label or "").strip():
            continue
        v = _number(value, "levels", errors)
        if v is None:
            if "levels" not in errors:
                errors.setdefault("levels", []).append(f"Give a value for the level “{label}”.")
            continue
        if v < 0:
            errors.setdefault("levels", []).append(f"Level values start at 0 ({v} is negative).")
        if not (label or "").strip():
            errors.setdefault("levels", []).append(f"Give a label for the level {v}.")
        parsed.append((v, (label or "").strip(), (description or "").strip()))
    values = [v for v, _, _ in parsed]
    if len(values) != len(set(values)):
        errors.setdefault("levels", []).append("Two levels have the same value.")
    if len(parsed) < 2 and "levels" not in errors:
        errors.setdefault("levels", []).append("A scale needs at least two levels.")
    if parsed and threshold is not None and not (min(values) <= threshold <= max(values)):
        errors.setdefault("mastery_threshold", []).append(
            f"The threshold must lie within the levels ({min(values)}–{max(values)})."
        )
    if exceeds is not None and threshold is not None and parsed:
        if exceeds <= threshold:
            errors.setdefault("exceeds_threshold", []).append(
                "“Exceeds” must be above the mastery threshold."
            )
        elif exceeds > max(values):
            errors.setdefault("exceeds_threshold", []).append(
                f"“Exceeds” must be at most {max(values)}."
            )
    if scale is not None and parsed and not errors:
        from credo.mastery.models import Assessment

        used = (
            Assessment.objects.filter(school=school, retraction=False)
            .filter(models_q_scale(scale))
            .exclude(value__gte=min(values), value__lte=max(values))
        )
        if used.exists():
            errors.setdefault("levels", []).append(
                "Assessments already recorded on this scale fall outside the new levels."
            )
    if errors:
        raise ValidationError(errors)
    parsed.sort()
    # The stored row, not the caller's copy: a preview changes the copy it is given.
    scale = ProficiencyScale.objects.get(pk=scale.pk) if scale else None
    before = snapshot(scale) if scale else None
    scale = scale or ProficiencyScale(school=school)
    scale.name, scale.mastery_threshold, scale.exceeds_threshold = name, threshold, exceeds
    scale.min_value, scale.max_value = parsed[0][0], parsed[-1][0]
    scale.full_clean()
    with consequential(
        actor=actor,
        school=school,
        description=f"{'Change' if scale.pk else 'Add'} scale {name}",
        change=_plain_change(scale, levels=[(str(v), lb) for v, lb, _ in parsed]),
        confirm=confirm,
        reach_protected=reach_protected,
    ):
        in_use = scale.pk is not None
        scale.save()
        ScaleLevel.objects.filter(scale=scale).delete()
        ScaleLevel.objects.bulk_create(
            [
                ScaleLevel(school=school, scale=scale, value=v, label=lb, description=d)
                for v, lb, d in parsed
            ]
        )
        audit_record(
            actor=actor,
            school=school,
            action=SCALE_SAVED,
            target=scale,
            before=before,
            after={**snapshot(scale), "levels": [(v, lb) for v, lb, _ in parsed]},
        )
        if in_use:
            _recompute(school, actor)
    return scale


def models_q_scale(scale):
    """Return a filter for assessments read on `scale` (directly or through the framework)."""
    from django.db.models import Q

    return Q(competency__scale=scale) | Q(
        competency__scale__isnull=True, competency__framework__scale=scale
    )


def _check_method(method: str, param, errors: dict, *, blank_ok: bool = False) -> int | None:
    if not method:
        if not blank_ok:
            errors.setdefault("calculation_method", []).append("Choose how scores are calculated.")
        if param not in (None, ""):
            errors.setdefault("calculation_param", []).append(
                "A parameter needs a calculation method."
            )
        return None
    if method not in METHOD_NAMES:
        errors.setdefault("calculation_method", []).append(
            f"“{method}” is not a calculation method."
        )
        return None
    try:
        p = None if param in (None, "") else int(param)
    except (TypeError, ValueError):
        errors.setdefault("calculation_param", []).append(f"“{param}” is not a whole number.")
        return None
    try:
        validate_param(method, p)
    except ValueError as exc:
        errors.setdefault("calculation_param", []).append(str(exc))
        return None
    return p


def framework_save(
    *,
    actor,
    school,
    name: str,
    scale: ProficiencyScale,
    kind: str = FrameworkKind.ACADEMIC,
    description: str = "",
    calculation_method: str = "decaying_average",
    calculation_param=None,
    counts_formative: bool = False,
    framework: Framework | None = None,
    confirm: str = "",
    reach_protected: bool = False,
) -> Framework:
    """Create or change a framework; recompute the school when its method, scale or counting changes."""
    require_manage_setup(actor, school, "define frameworks")
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors.setdefault("name", []).append("Name the framework.")
    if scale is None or scale.school_id != school.pk:
        errors.setdefault("scale", []).append("Choose one of the school's scales.")
    if kind not in FrameworkKind.values:
        errors.setdefault("kind", []).append("Choose academic or habits.")
    param = _check_method(calculation_method, calculation_param, errors)
    if errors:
        raise ValidationError(errors)
    # The stored row, not the caller's copy: a preview changes the copy it is given.
    framework = Framework.objects.get(pk=framework.pk) if framework else None
    before = snapshot(framework) if framework else None
    framework = framework or Framework(school=school)
    framework.name, framework.scale, framework.kind = name.strip(), scale, kind
    framework.description = (description or "").strip()
    framework.calculation_method, framework.calculation_param = calculation_method, param
    framework.counts_formative = bool(counts_formative)
    framework.full_clean()
    scoring = ("scale_id", "calculation_method", "calculation_param", "counts_formative")
    rescore = before is not None and any(before[f] != getattr(framework, f) for f in scoring)
    with consequential(
        actor=actor,
        school=school,
        description=f"{'Change' if framework.pk else 'Add'} framework {framework.name}",
        change=_plain_change(framework),
        confirm=confirm,
        reach_protected=reach_protected,
    ):
        framework.save()
        audit_record(
            actor=actor,
            school=school,
            action=FRAMEWORK_SAVED,
            target=framework,
            before=before,
            after=snapshot(framework),
        )
        if rescore:
            _recompute(school, actor)
    return framework


def competency_save(
    *,
    actor,
    school,
    framework: Framework,
    code: str,
    statement: str,
    kind: str = CompetencyKind.TARGET,
    parent: Competency | None = None,
    outcome: Outcome | None = None,
    sequence: int = 0,
    scale: ProficiencyScale | None = None,
    calculation_method: str = "",
    calculation_param=None,
    case_identifier: str = "",
    competency: Competency | None = None,
    confirm: str = "",
    reach_protected: bool = False,
) -> Competency:
    """Create or change a node of the competency tree (with optional scale and method overrides)."""
    require_manage_setup(actor, school, "define competencies")
    errors: dict[str, list[str]] = {}
    if framework is None or framework.school_id != school.pk:
        raise NotAllowed("That framework belongs to another school.")
    code, statement = (code or "").strip(), (statement or "").strip()
    if not code:
        errors.setdefault("code", []).append("Give the competency a code.")
    elif (
        Competency.objects.filter(framework=framework, code=code)
        .exclude(pk=competency.pk if competency else None)
        .exists()
    ):
        errors.setdefault("code", []).append(f"The framework already has a competency {code}.")
    if not statement:
        errors.setdefault("statement", []).append("Write what the student knows or can do.")
    if kind not in CompetencyKind.values:
        errors.setdefault("kind", []).append("Choose the kind of node.")
    if parent is not None:
        if parent.framework_id != framework.pk:
            errors.setdefault("parent", []).append("The parent must be in the same framework.")
        elif competency is not None:
            # Walk the stored tree (the caller's objects may be stale), one parent id at a time.
            parents = dict(
                Competency.objects.filter(framework=framework).values_list("pk", "parent_id")
            )
            node, hops = parent.pk, 0
            while node is not None and hops < 50:
                if node == competency.pk:
                    errors.setdefault("parent", []).append("A competency cannot sit under itself.")
                    break
                node, hops = parents.get(node), hops + 1
    if outcome is not None and outcome.framework_id != framework.pk:
        errors.setdefault("outcome", []).append("The outcome must be in the same framework.")
    if scale is not None and scale.school_id != school.pk:
        errors.setdefault("scale", []).append("Choose one of the school's scales.")
    param = _check_method(calculation_method, calculation_param, errors, blank_ok=True)
    if errors:
        raise ValidationError(errors)
    # The stored row, not the caller's copy: a preview changes the copy it is given.
    competency = Competency.objects.get(pk=competency.pk) if competency else None
    before = snapshot(competency) if competency else None
    competency = competency or Competency(school=school, framework=framework)
    for field, value in dict(
        code=code,
        statement=statement,
        kind=kind,
        parent=parent,
        outcome=outcome,
        sequence=sequence or 0,
        scale=scale,
        calculation_method=calculation_method or "",
        calculation_param=param,
        case_identifier=(case_identifier or "").strip(),
    ).items():
        setattr(competency, field, value)
    competency.full_clean(validate_unique=False)
    scoring = ("scale_id", "calculation_method", "calculation_param")
    rescore = before is not None and any(before[f] != getattr(competency, f) for f in scoring)
    with consequential(
        actor=actor,
        school=school,
        description=f"{'Change' if competency.pk else 'Add'} competency {code}",
        change=_plain_change(competency),
        confirm=confirm,
        reach_protected=reach_protected,
    ):
        competency.save()
        audit_record(
            actor=actor,
            school=school,
            action=COMPETENCY_SAVED,
            target=competency,
            before=before,
            after=snapshot(competency),
        )
        if rescore:
            _recompute(school, actor)
    return competency


def outcome_save(
    *,
    actor,
    school,
    framework: Framework,
    code: str,
    title: str,
    description: str = "",
    order: int = 0,
    outcome: Outcome | None = None,
) -> Outcome:
    """Create or change a graduate-profile outcome."""
    require_manage_outcomes(actor, school, "define graduate-profile outcomes")
    if framework.school_id != school.pk:
        raise NotAllowed("That framework belongs to another school.")
    errors: dict[str, list[str]] = {}
    code, title = (code or "").strip(), (title or "").strip()
    if not code:
        errors.setdefault("code", []).append("Give the outcome a code.")
    elif (
        Outcome.objects.filter(framework=framework, code=code)
        .exclude(pk=outcome.pk if outcome else None)
        .exists()
    ):
        errors.setdefault("code", []).append(f"The framework already has an outcome {code}.")
    if not title:
        errors.setdefault("title", []).append("Give the outcome a title.")
    if errors:
        raise ValidationError(errors)
    before = snapshot(outcome) if outcome else None
    outcome = outcome or Outcome(school=school, framework=framework)
    outcome.code, outcome.title, outcome.description, outcome.order = (
        code,
        title,
        description or "",
        order or 0,
    )
    outcome.full_clean(validate_unique=False)
    with transaction.atomic(durable=True):
        outcome.save()
        audit_record(
            actor=actor,
            school=school,
            action=OUTCOME_SAVED,
            target=outcome,
            before=before,
            after=snapshot(outcome),
        )
    return outcome


def outcome_retire(*, actor, outcome: Outcome, retired: bool = True) -> Outcome:
    """Retire a graduate-profile outcome (or bring it back).

    A retired outcome stays on the transcripts already published; those published after leave it
    out. Its links to credits are kept, so bringing it back restores them.
    """
    require_manage_outcomes(actor, outcome.school, "retire graduate-profile outcomes")
    with transaction.atomic(durable=True):
        outcome = Outcome.objects.select_for_update().get(pk=outcome.pk)
        before = {"retired_on": outcome.retired_on.isoformat() if outcome.retired_on else None}
        if retired and outcome.retired_on is None:
            from credo.schools.models import School

            outcome.retired_on = School.objects.get(pk=outcome.school_id).today()
        elif not retired:
            outcome.retired_on = None
        outcome.save(update_fields=["retired_on"])
        audit_record(
            actor=actor,
            school=outcome.school_id,
            action=OUTCOME_RETIRED if retired else OUTCOME_RESTORED,
            target=outcome,
            before=before,
            after={"retired_on": outcome.retired_on.isoformat() if outcome.retired_on else None},
        )
    return outcome


def outcome_credits_set(*, actor, outcome: Outcome, credits: Sequence) -> Outcome:
    """Say which of the school's credits serve the outcome (replacing the previous choice)."""
    from credo.mastery.models import MasteryCredit

    require_manage_outcomes(actor, outcome.school, "link credits to the graduate profile")
    ids = sorted({getattr(c, "pk", c) for c in credits})
    found = set(
        MasteryCredit.objects.filter(school_id=outcome.school_id, pk__in=ids).values_list(
            "pk", flat=True
        )
    )
    if found != set(ids):
        raise ValidationError({"credits": ["Choose credits of this school."]})
    with transaction.atomic(durable=True):
        before = sorted(outcome.credits.values_list("pk", flat=True))
        outcome.credits.set(ids)
        audit_record(
            actor=actor,
            school=outcome.school_id,
            action=OUTCOME_CREDITS_SET,
            target=outcome,
            before={"credits": before},
            after={"credits": ids},
        )
    return outcome
