"""Exports: a framework as a CASE CFPackage or a Canvas outcomes CSV; a school's scores as CSV."""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings

from credo.core.errors import refuse
from credo.frameworks.models import Competency, Framework, FrameworkKind
from credo.interop import canvas, case
from credo.interop.common import write_csv
from credo.interop.models import CaseDocument, SourceLink
from credo.mastery.models import Assessment

SCORE_COLUMNS = [
    "student_id",
    "competency_code",
    "value",
    "date",
    "assessor",
    "kind",
    "feedback",
    "framework",
]


def framework_to_export(school, framework: str | int | None) -> Framework:
    """Return the school's framework named by id, CASE identifier or name; the only one when not named."""
    qs = Framework.objects.filter(school=school).select_related("scale")
    if framework in (None, ""):
        academic = list(qs.filter(kind=FrameworkKind.ACADEMIC))
        if len(academic) == 1:
            return academic[0]
        names = ", ".join(f"{f.pk} ({f.name})" for f in qs)
        refuse("framework", f"Say which framework to export: {names or 'the school has none'}.")
    text = str(framework)
    found = None
    if text.isdigit():
        found = qs.filter(pk=int(text)).first()
    found = found or qs.filter(case_identifier=text).first() or qs.filter(name=text).first()
    if found is None:
        refuse("framework", f"{school} has no framework “{text}”.")
    return found


def _base_url() -> str:
    return settings.CREDO_BASE_URL.rstrip("/") + "/ims/case/v1p0"


def case_package(framework: Framework) -> dict:
    """Return a CASE 1.0 CFPackage of `framework`: what a CASE source said, said again.

    Identifiers are the source's, or made stable from Credo's ids; the dates of what Credo made
    are those of its last recorded change, so exporting twice gives the same package.
    """
    school = framework.school
    identifier = framework.case_identifier or case.stable_uuid(
        school.slug, "framework", str(framework.pk)
    )
    record = CaseDocument.objects.filter(framework=framework).first()
    base = case.base_of(framework.case_uri, identifier) or _base_url()
    competencies = list(
        Competency.objects.filter(framework=framework)
        .select_related("case_item")
        .order_by("sequence", "code", "pk")
    )
    ident = {
        c.pk: c.case_identifier or case.stable_uuid(school.slug, "competency", str(c.pk))
        for c in competencies
    }
    rank: dict[int | None, int] = {}
    items = []
    for c in competencies:
        rank[c.parent_id] = rank.get(c.parent_id, 0) + 1
        source = getattr(c, "case_item", None)
        items.append(
            case.ExportItem(
                identifier=ident[c.pk],
                code=c.code,
                statement=c.statement,
                kind=c.kind,
                parent=ident.get(c.parent_id),
                sequence=rank[c.parent_id],
                code_sourced=not (source and source.generated_code == c.code),
                source=source.source if source else {},
                association=source.association if source else {},
            )
        )
    document = case.ExportDocument(
        identifier=identifier,
        uri=framework.case_uri,
        title=framework.name,
        creator=school.name,
        version=framework.version,
        description=framework.description,
        last_change=_last_change(framework, competencies),
        source=record.source if record else {},
        other_associations=record.other_associations if record else [],
        definitions=record.definitions if record else {},
    )
    return case.build(document=document, items=items, base=base)


def _last_change(framework: Framework, competencies) -> str:
    """Return when the framework or one of its competencies last changed, as CASE writes it."""
    from django.db.models import Max, Q

    from credo.core.models import AuditEvent

    latest = (
        AuditEvent.objects.filter(school_id=framework.school_id)
        .filter(
            Q(target_type="frameworks.framework", target_id=str(framework.pk))
            | Q(
                target_type="frameworks.competency", target_id__in=[str(c.pk) for c in competencies]
            )
        )
        .aggregate(at=Max("at"))["at"]
        or framework.school.created_at
    )
    return latest.astimezone(dt.UTC).replace(microsecond=0).isoformat()


def case_json(framework: Framework) -> bytes:
    return json.dumps(case_package(framework), indent=2, ensure_ascii=False).encode("utf-8")


def canvas_csv(framework: Framework) -> tuple[bytes, list[str]]:
    """Return the Canvas outcomes CSV of `framework` and warnings about what Canvas cannot hold."""
    school = framework.school
    competencies = list(
        Competency.objects.filter(framework=framework)
        .select_related("scale")
        .order_by("sequence", "code", "pk")
    )
    guids = {
        link.object_id: link.source_id
        for link in SourceLink.objects.filter(school=school, system="canvas", kind="competency")
    }
    parents = {c.parent_id for c in competencies if c.parent_id}
    levels_of: dict[int, list] = {}
    for scale in {framework.scale, *[c.scale for c in competencies if c.scale]}:
        levels_of[scale.pk] = [(lv.value, lv.label) for lv in scale.levels.order_by("-value")]
    rows, warnings = [], []
    guid = {
        c.pk: guids.get(c.pk) or c.case_identifier or f"credo-{school.slug}-{c.pk}"
        for c in competencies
    }
    for c in competencies:
        if c.pk in parents:
            rows.append(
                canvas.ExportRow(
                    guid=guid[c.pk],
                    object_type="group",
                    title=c.statement,
                    code=c.code,
                    parent=guid.get(c.parent_id, ""),
                )
            )
            continue
        scale = c.scale or framework.scale
        method, param = (
            (c.calculation_method, c.calculation_param)
            if c.calculation_method
            else (framework.calculation_method, framework.calculation_param)
        )
        canvas_method, canvas_int, note = canvas.method_to_canvas(method, param)
        if note:
            warnings.append(f"{c.code}: {note}")
        rows.append(
            canvas.ExportRow(
                guid=guid[c.pk],
                object_type="outcome",
                title=c.statement,
                code=c.code,
                parent=guid.get(c.parent_id, ""),
                method=canvas_method,
                param=canvas_int,
                mastery=scale.mastery_threshold,
                ratings=levels_of[scale.pk],
            )
        )
    return canvas.write(rows), warnings


def scores_csv(school) -> bytes:
    """Return every assessment that counts today (not corrected or retracted) as a scores CSV.

    Cells a spreadsheet would run as a formula are neutralized (`common.neutralize`); the
    import takes the mark off again, so the file re-imports as it was.
    """
    qs = (
        Assessment.objects.filter(school=school, retraction=False, replaced_by__isnull=True)
        .filter(student__kind="student")  # never educators' own records (credo/growth)
        .select_related("student", "competency__framework", "assessor")
        .order_by("student__student_number", "demonstrated_on", "assessed_at", "pk")
    )
    rows = (
        [
            a.student.student_number,
            a.competency.code,
            f"{a.value.normalize():f}",
            a.demonstrated_on.isoformat(),
            a.assessor.username if a.assessor else "",
            a.kind,
            a.feedback,
            a.competency.framework.name,
        ]
        for a in qs.iterator(chunk_size=2000)
    )
    return write_csv(rows, header=SCORE_COLUMNS)
