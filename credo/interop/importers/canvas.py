"""Import a Canvas outcomes CSV as a framework: groups and outcomes, ratings as scales, methods."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

from django.db.models import Q

from credo.core.audit import audit_record, snapshot
from credo.frameworks.models import Competency, Framework, ProficiencyScale, ScaleLevel
from credo.interop import canvas
from credo.interop.common import Summary
from credo.interop.events import IMPORT_SCALE_CREATED
from credo.interop.importers.base import refuse_if, run_atomically
from credo.interop.importers.frameworks import Node, apply_nodes, framework_for
from credo.interop.models import SourceLink

MAX_CODE = 60


def _levels_key(ratings, mastery) -> tuple:
    return (tuple(sorted((Decimal(p), label) for p, label in ratings)), Decimal(mastery))


def _mastery(entry: canvas.Entry, summary: Summary) -> Decimal:
    if entry.mastery is not None:
        return entry.mastery
    points = sorted(p for p, _ in entry.ratings)
    guess = points[len(points) // 2]
    summary.warnings.append(
        f"Outcome {entry.display_name or entry.guid} gives no mastery_points; "
        f"mastery was set at {guess}."
    )
    return guess


def _scale_for(
    school, ratings, mastery, *, cache: dict, actor, summary: Summary
) -> ProficiencyScale:
    key = _levels_key(ratings, mastery)
    if key in cache:
        return cache[key]
    for scale in ProficiencyScale.objects.filter(school=school).prefetch_related("levels"):
        have = _levels_key(
            [(lv.value, lv.label) for lv in scale.levels.all()], scale.mastery_threshold
        )
        if have == key:
            cache[key] = scale
            return scale
    values = [p for p, _ in ratings]
    low, high = min(values), max(values)
    exceeds = high if high > mastery else None
    scale = ProficiencyScale(
        school=school,
        name=f"Canvas ratings {low:f}–{high:f}, mastery {mastery:f}"[:120],
        mastery_threshold=mastery,
        exceeds_threshold=exceeds,
        min_value=low,
        max_value=high,
    )
    scale.full_clean()
    scale.save()
    ScaleLevel.objects.bulk_create(
        [
            ScaleLevel(school=school, scale=scale, value=p, label=(label or f"{p:f}")[:80])
            for p, label in ratings
        ]
    )
    audit_record(
        actor=actor,
        school=school,
        action=IMPORT_SCALE_CREATED,
        target=scale,
        after={**snapshot(scale), "levels": [(str(p), label) for p, label in ratings]},
    )
    summary["scale"].created += 1
    cache[key] = scale
    return scale


def _says(method: str, param: int | None, credo_method: tuple[str, int | None]) -> bool:
    """Whether Credo's export of (method, param) reads back as `credo_method`."""
    canvas_method, canvas_int, _ = canvas.method_to_canvas(method, param)
    return canvas.method_to_credo(canvas_method, canvas_int) == credo_method


def _held(school, framework) -> dict:
    """Return the framework's competencies by the vendor_guid an import or export gives them."""
    competencies = {c.pk: c for c in Competency.objects.filter(framework=framework)}
    out = {f"credo-{school.slug}-{pk}": c for pk, c in competencies.items()}
    out.update({c.case_identifier: c for c in competencies.values() if c.case_identifier})
    for link in SourceLink.objects.filter(
        school=school, system="canvas", kind="competency", object_id__in=list(competencies)
    ):
        out[link.source_id] = competencies[link.object_id]
    return out


def _framework_holding(school, guids: list[str]) -> Framework | None:
    """Return the one framework of the school whose competencies these vendor_guids already name."""
    pks = set(
        SourceLink.objects.filter(
            school=school, system="canvas", kind="competency", source_id__in=guids
        ).values_list("object_id", flat=True)
    )
    own = re.compile(rf"^credo-{re.escape(school.slug)}-(\d+)$")
    pks |= {int(m.group(1)) for g in guids if (m := own.match(g))}
    held = set(
        Competency.objects.filter(school=school)
        .filter(Q(pk__in=pks) | Q(case_identifier__in=guids))
        .values_list("framework_id", flat=True)
    )
    if len(held) != 1:
        return None
    return Framework.objects.get(pk=held.pop())


def import_canvas(
    *,
    actor,
    school,
    name: str,
    data: bytes,
    framework_name: str = "",
    dry_run: bool = False,
    progress=None,
) -> Summary:
    """Import an outcomes CSV into the framework called `framework_name` (made when missing)."""
    entries, problems = canvas.parse(name, data)
    refuse_if(problems)
    summary = Summary()
    existing = None if framework_name else _framework_holding(school, [e.guid for e in entries])
    framework_name = (
        framework_name or name.rsplit("/", 1)[-1].rsplit(".", 1)[0] or "Canvas outcomes"
    )[:200]
    live = [e for e in entries if not e.deleted]
    for e in entries:
        if e.deleted:
            summary.skip("competency", "workflow_state is deleted", f"{name}:{e.line}")
    outcomes = [e for e in live if e.object_type == "outcome"]

    def apply() -> Summary:
        if progress:
            progress("writing", 0, 1)
        cache: dict = {}
        # An outcome without ratings uses the account's scale: the framework's, in Credo.
        scale_of = {
            e.guid: _scale_for(
                school, e.ratings, _mastery(e, summary), cache=cache, actor=actor, summary=summary
            )
            for e in outcomes
            if e.ratings
        }
        method_of = {
            e.guid: canvas.method_to_credo(e.method, e.param) for e in outcomes if e.method
        }
        common_scale = Counter(s.pk for s in scale_of.values()).most_common(1)
        common_method = Counter(method_of.values()).most_common(1)
        scale = next(
            (s for s in scale_of.values() if common_scale and s.pk == common_scale[0][0]), None
        )
        values = {}
        held_framework = (
            existing or Framework.objects.filter(school=school, name=framework_name).first()
        )
        if common_method and not (
            held_framework is not None
            and _says(
                held_framework.calculation_method,
                held_framework.calculation_param,
                common_method[0][0],
            )
        ):
            values["calculation_method"], values["calculation_param"] = common_method[0][0]
        elif held_framework is None:
            values["calculation_method"], values["calculation_param"] = ("weighted_average", 65)
        framework = framework_for(
            school=school,
            actor=actor,
            summary=summary,
            match={"pk": existing.pk} if existing is not None else {"name": framework_name},
            values=values,
            scale=scale,
        )
        live_guids = {e.guid for e in live}
        held = _held(school, framework)
        fw_method = (framework.calculation_method, framework.calculation_param)
        nodes = []
        for i, e in enumerate(live, start=1):
            code = (e.display_name or e.guid)[:MAX_CODE]
            statement = (
                e.title
                if not e.description or e.description == e.title
                else f"{e.title} — {e.description}"
            )
            parent = next((p for p in e.parents if p in live_guids), None)
            if len(e.parents) > 1:
                summary.warnings.append(
                    f"{name}:{e.line}: {code} is in several groups; kept the first"
                )
            node = Node(
                key=e.guid,
                code=code,
                statement=statement,
                kind="domain" if e.object_type == "group" else "target",
                parent=parent,
                sequence=i,
                line=e.line,
                file=name,
                column="display_name" if e.display_name else "vendor_guid",
            )
            if e.object_type == "group" and e.guid in held:
                # A Canvas group carries no method or scale: the file is silent on them.
                c = held[e.guid]
                node.method, node.param = c.calculation_method, c.calculation_param
                node.scale = c.scale
            if e.object_type == "outcome":
                own_scale = scale_of.get(e.guid)
                node.scale = own_scale if own_scale and own_scale.pk != framework.scale_id else None
                m = method_of.get(e.guid)
                c = held.get(e.guid)
                own = (c.calculation_method, c.calculation_param) if c else ("", None)
                effective = own if own[0] else fw_method
                if m and c is not None and _says(*effective, m):
                    # What Credo's export writes for the method held: the file does not
                    # contradict it (Canvas cannot say "most frequent" or "trend").
                    node.method, node.param = own
                elif m and m != fw_method:
                    node.method, node.param = m
            nodes.append(node)
        apply_nodes(
            school=school,
            actor=actor,
            framework=framework,
            nodes=nodes,
            summary=summary,
            problems=problems,
            system="canvas",
            source=f"canvas:{name}",
            remove={e.guid for e in entries if e.deleted},
        )
        refuse_if(problems)
        summary.notes["framework"] = framework.name
        summary.notes["framework_id"] = framework.pk
        if progress:
            progress("writing", 1, 1)
        return summary

    return run_atomically(apply, dry_run=dry_run)
