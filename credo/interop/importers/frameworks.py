"""Apply a framework read from CASE or Canvas: the framework, its competency tree, scales, methods.

Both formats end up as a list of `Node`s; `apply_nodes` matches them to stored competencies by
their outside identifier, writes what differs, and removes competencies the source dropped when
nothing refers to them (assessments, credits, evidence, alignments keep a competency alive).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q

from credo.core.audit import audit_record, snapshot
from credo.frameworks.models import (
    Competency,
    Framework,
    FrameworkKind,
    ProficiencyScale,
    ScaleLevel,
)
from credo.interop.case import stable_uuid
from credo.interop.common import Problems, Summary
from credo.interop.events import (
    IMPORT_FRAMEWORK_CREATED,
    IMPORT_FRAMEWORK_UPDATED,
    IMPORT_SCALE_CREATED,
)
from credo.interop.importers.base import Writer, changed_fields
from credo.interop.models import SourceLink

DEFAULT_LEVELS = [(1, "Beginning"), (2, "Developing"), (3, "Proficient"), (4, "Extending")]


@dataclass
class Node:
    key: str  # the outside identifier (CASE identifier, Canvas vendor_guid)
    code: str
    statement: str
    kind: str
    parent: str | None
    sequence: int
    line: int
    file: str
    column: str = "humanCodingScheme"
    code_given: bool = True  # False: the source has no code; a stored competency keeps its own
    scale: ProficiencyScale | None = None
    method: str = ""
    param: int | None = None


def _keep_order(nodes: list[Node], by_key: dict) -> None:
    """Keep the stored sequence of known competencies when the file orders each set of siblings
    as Credo does (by sequence, then code); new ones go after them.

    When any siblings come in another order, the file's order is the new one (its positions).
    """
    groups: dict[str | None, list[Node]] = {}
    for node in nodes:
        groups.setdefault(node.parent, []).append(node)
    for siblings in groups.values():
        known = [by_key[n.key] for n in siblings if n.key in by_key]
        if known != sorted(known, key=lambda c: (c.sequence, c.code, c.pk)):
            return
    top = max((by_key[n.key].sequence for n in nodes if n.key in by_key), default=0)
    for node in nodes:
        if node.key in by_key:
            node.sequence = by_key[node.key].sequence
        else:
            top += 1
            node.sequence = top


def default_scale(school, *, actor, summary: Summary) -> ProficiencyScale:
    """Return the scale of the school's first academic framework, else its first scale, else a new one."""
    framework = (
        Framework.objects.filter(school=school, kind=FrameworkKind.ACADEMIC)
        .select_related("scale")
        .first()
    )
    if framework is not None:
        return framework.scale
    scale = ProficiencyScale.objects.filter(school=school).first()
    if scale is not None:
        return scale
    scale = ProficiencyScale(
        school=school,
        name="Four-level scale",
        mastery_threshold=Decimal(3),
        exceeds_threshold=Decimal(4),
        min_value=Decimal(1),
        max_value=Decimal(4),
    )
    scale.full_clean()
    scale.save()
    ScaleLevel.objects.bulk_create(
        [
            ScaleLevel(school=school, scale=scale, value=v, label=label)
            for v, label in DEFAULT_LEVELS
        ]
    )
    audit_record(
        actor=actor,
        school=school,
        action=IMPORT_SCALE_CREATED,
        target=scale,
        after=snapshot(scale),
    )
    summary["scale"].created += 1
    return scale


def framework_for(
    *, school, actor, summary: Summary, match: dict, values: dict, scale=None
) -> Framework:
    """Return the framework matching `match` (created with `values` when missing, else updated)."""
    framework = Framework.objects.filter(school=school, **match).first()
    if framework is None:
        framework = Framework(
            school=school,
            scale=scale or default_scale(school, actor=actor, summary=summary),
            kind=FrameworkKind.ACADEMIC,
            **match,
            **values,
        )
        framework.full_clean()
        framework.save()
        audit_record(
            actor=actor,
            school=school,
            action=IMPORT_FRAMEWORK_CREATED,
            target=framework,
            after=snapshot(framework),
        )
        summary["framework"].created += 1
        return framework
    if scale is not None:
        values = {**values, "scale_id": scale.pk}
    diff = changed_fields(framework, values)
    if diff:
        before = snapshot(framework, list(diff))
        for k, v in diff.items():
            setattr(framework, k, v)
        framework.full_clean()
        framework.save()
        audit_record(
            actor=actor,
            school=school,
            action=IMPORT_FRAMEWORK_UPDATED,
            target=framework,
            before=before,
            after=snapshot(framework, list(diff)),
        )
        summary["framework"].updated += 1
    else:
        summary["framework"].unchanged += 1
    return framework


def apply_nodes(
    *,
    school,
    actor,
    framework: Framework,
    nodes: list[Node],
    summary: Summary,
    problems: Problems,
    system: str,
    source: str,
    remove: set[str] | None = None,
) -> dict:
    """Write `nodes` as the competency tree of `framework` (see the module's docstring).

    `remove` names the keys to take out; None means every stored key the nodes do not list.
    Return the competency of each key (empty when problems were found).
    """
    writer = Writer(actor=actor, school=school, summary=summary, source=source)
    stored = list(Competency.objects.filter(framework=framework))
    own_keys: set[str] = set()
    if system == "case":
        by_key = {c.case_identifier: c for c in stored if c.case_identifier}
        # Credo's own export names competencies that have no CASE identifier by a stable one.
        for c in stored:
            if not c.case_identifier:
                key = stable_uuid(school.slug, "competency", str(c.pk))
                by_key.setdefault(key, c)
                own_keys.add(key)
        _keep_order(nodes, by_key)
    else:
        links = {
            link.source_id: link.object_id
            for link in SourceLink.objects.filter(school=school, system=system, kind="competency")
        }
        by_pk = {c.pk: c for c in stored}
        by_key = {key: by_pk[pk] for key, pk in links.items() if pk in by_pk}
        # Our own export names competencies it has no Canvas GUID for by their CASE
        # identifier or as credo-<school>-<id>: those are the same competencies again.
        own = f"credo-{school.slug}-"
        linked_pks = set(links.values())
        for c in stored:
            if c.pk in linked_pks:
                continue
            for key in (c.case_identifier, f"{own}{c.pk}"):
                if key and key not in by_key:
                    by_key[key] = c
        elsewhere = {key: pk for key, pk in links.items() if pk not in by_pk and key not in by_key}
        for node in nodes:
            if node.key in elsewhere:
                problems.add(
                    node.file,
                    node.line,
                    "vendor_guid",
                    f"“{node.key}” is already an outcome of another framework of the school; "
                    "import without a framework name to update that one in place",
                )
        if problems:
            return {}
        _keep_order(nodes, by_key)
    for node in nodes:
        if not node.code_given and node.key in by_key:
            node.code = by_key[node.key].code  # the source says no code: keep the one held
    keyed_pks = {c.pk for c in by_key.values()}
    by_code = {c.code: c for c in stored}
    for node in nodes:
        holder = by_code.get(node.code)
        mine = by_key.get(node.key)
        if holder is not None and holder is not mine and holder.pk not in keyed_pks:
            if system == "case" or mine is not None:
                problems.add(
                    node.file,
                    node.line,
                    node.column,
                    f"code {node.code} is already used by another competency of {framework.name}",
                )
            else:
                by_key[node.key] = holder  # a competency made by hand with the same code: adopt it
                keyed_pks.add(holder.pk)
    if problems:
        return {}

    # Codes must stay unique at every moment: move the ones that change out of the way first.
    renamed = [
        (by_key[n.key], n.code) for n in nodes if n.key in by_key and by_key[n.key].code != n.code
    ]
    if renamed:
        originals = {c.pk: c.code for c, _ in renamed}
        for c, _ in renamed:
            c.code = f"~{c.pk}"
        Competency.objects.bulk_update([c for c, _ in renamed], ["code"])
        for c, _ in renamed:
            c.code = originals[c.pk]  # the update below writes the new code and audits the change

    creates, updates = [], []
    for node in nodes:
        values = {
            "code": node.code,
            "statement": node.statement,
            "kind": node.kind,
            "sequence": node.sequence,
            "scale_id": node.scale.pk if node.scale else None,
            "calculation_method": node.method,
            "calculation_param": node.param,
        }
        if system == "case":
            (
                values.pop("scale_id"),
                values.pop("calculation_method"),
                values.pop("calculation_param"),
            )
            values["case_identifier"] = "" if node.key in own_keys else node.key
        competency = by_key.get(node.key)
        if competency is not None and system != "case":
            values.pop("kind")  # Canvas knows groups and outcomes only: a kind set here stays
        if competency is None:
            competency = Competency(school=school, framework=framework, **values)
            creates.append((node, competency))
            by_key[node.key] = competency
        elif diff := changed_fields(competency, values):
            updates.append((competency, diff))
        else:
            summary["competency"].unchanged += 1
    writer.create("competency", [c for _, c in creates])
    if system != "case":
        SourceLink.objects.bulk_create(
            [
                SourceLink(
                    school=school,
                    system=system,
                    kind="competency",
                    source_id=node.key,
                    object_id=c.pk,
                )
                for node, c in creates
            ]
        )
    writer.update("competency", updates)
    # Parents last: every competency of the tree has its key by now.
    moves = []
    for node in nodes:
        competency = by_key[node.key]
        parent_id = by_key[node.parent].pk if node.parent else None
        if competency.parent_id != parent_id:
            moves.append((competency, {"parent_id": parent_id}))
    created_ids = {c.pk for _, c in creates}
    writer.update("competency", moves)
    summary["competency"].updated -= sum(1 for c, _ in moves if c.pk in created_ids)
    summary["competency"].updated -= len({c.pk for c, _ in moves} & {c.pk for c, _ in updates})

    listed = {n.key for n in nodes}
    if remove is None:  # the source is the whole framework: what it no longer lists goes
        gone = [c for key, c in by_key.items() if key not in listed]
    else:
        gone = [c for key, c in by_key.items() if key in remove and key not in listed]
    if gone:
        used = set(
            Competency.objects.filter(pk__in=[c.pk for c in gone])
            .annotate(
                n=Count("assessments")
                + Count("credit_items")
                + Count("alignments")
                + Count("children")
            )
            .filter(Q(n__gt=0))
            .values_list("pk", flat=True)
        )
        from credo.evidence.models import EvidenceCompetency

        used |= set(
            EvidenceCompetency.objects.filter(competency__in=gone).values_list(
                "competency_id", flat=True
            )
        )
        for c in gone:
            if c.pk in used:
                summary.warnings.append(
                    f"Competency {c.code} is no longer in the source but was kept: "
                    "it has assessments, evidence, credits or aligned experiences."
                )
        doomed = [c for c in gone if c.pk not in used]
        writer.delete("competency", doomed)
        if system != "case":
            SourceLink.objects.filter(
                school=school,
                system=system,
                kind="competency",
                object_id__in=[c.pk for c in doomed],
            ).delete()
    writer.flush()
    return by_key
