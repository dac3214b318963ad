"""Import a CASE CFPackage as a framework of one school (matched by the document's identifier).

What the source says beyond Credo's own fields — URIs, notes, abbreviated statements, the
creator, dates, association identifiers, other associations, definitions — is kept as written in
`CaseDocument` and `CaseItem`, so an export says it again. Credo's own export comes back to the
framework and competencies it came from (their identifiers are made stable from Credo's ids).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from credo.frameworks.models import Framework
from credo.interop import case
from credo.interop.common import Summary
from credo.interop.importers.base import Writer, changed_fields, refuse_if, run_atomically
from credo.interop.importers.frameworks import Node, apply_nodes, framework_for
from credo.interop.models import CaseDocument, CaseItem

# What Credo's own export writes for a document or an item it made; anything more came from a source.
OWN_DOCUMENT_KEYS = {
    "identifier",
    "uri",
    "creator",
    "title",
    "lastChangeDateTime",
    "adoptionStatus",
    "language",
    "version",
    "description",
}
OWN_ITEM_KEYS = {
    "identifier",
    "uri",
    "fullStatement",
    "humanCodingScheme",
    "CFItemType",
    "lastChangeDateTime",
}
EMPTY_DEFINITIONS = {
    "CFConcepts": [],
    "CFSubjects": [],
    "CFLicenses": [],
    "CFItemTypes": [],
    "CFAssociationGroupings": [],
}


def _url(value: str) -> str:
    """Return `value` if it is a URL Django accepts (CASE test files use hosts like “server”), else ""."""
    try:
        URLValidator()(value)
    except ValidationError:
        return ""
    return value if len(value) <= 500 else ""


def _own_framework(school, identifier: str) -> Framework | None:
    """Return the framework whose Credo export carries `identifier` (it has no CASE identifier)."""
    for framework in Framework.objects.filter(school=school, case_identifier=""):
        if case.stable_uuid(school.slug, "framework", str(framework.pk)) == identifier:
            return framework
    return None


def import_case(
    *, actor, school, name: str, data: bytes, dry_run: bool = False, progress=None
) -> Summary:
    """Import the CFPackage in `data`; return what changed. Raise ImportRefused listing every problem."""
    package = case.parse(name, data)
    refuse_if(package.problems)
    summary = Summary()
    summary.warnings.extend(package.warnings)
    case_uri = _url(package.uri)
    if package.uri and not case_uri:
        summary.warnings.append(
            f"{name}: CFDocument.uri “{package.uri[:120]}” is not a web address Credo can link "
            "to; it is kept as written and exported again."
        )
    nodes = [
        Node(
            key=item.identifier,
            code=item.code,
            statement=item.statement,
            kind=item.kind,
            parent=item.parent,
            sequence=item.order,
            line=item.line,
            file=name,
            code_given=item.code_given,
        )
        for item in package.items
    ]

    def apply() -> Summary:
        if progress:
            progress("writing", 0, 1)
        own = _own_framework(school, package.identifier)
        values = {
            "name": package.title[:200],
            "version": package.version[:40],
            "description": package.description,
        }
        if own is None:
            values["case_uri"] = case_uri
        framework = framework_for(
            school=school,
            actor=actor,
            summary=summary,
            match={"pk": own.pk} if own else {"case_identifier": package.identifier},
            values=values,
        )
        by_key = apply_nodes(
            school=school,
            actor=actor,
            framework=framework,
            nodes=nodes,
            summary=summary,
            problems=package.problems,
            system="case",
            source=f"case:{name}",
        )
        refuse_if(package.problems)
        _keep_sources(
            school=school,
            actor=actor,
            framework=framework,
            package=package,
            by_key=by_key,
            own=own is not None,
            summary=summary,
            source=f"case:{name}",
        )
        summary.notes["framework"] = framework.name
        summary.notes["framework_id"] = framework.pk
        if progress:
            progress("writing", 1, 1)
        return summary

    result = run_atomically(apply, dry_run=dry_run)
    result.notes["case_version"] = package.case_version
    return result


def _keep_sources(
    *, school, actor, framework, package, by_key, own: bool, summary: Summary, source: str
) -> None:
    """Store what the package says beyond Credo's own fields; write only what differs."""
    writer = Writer(actor=actor, school=school, summary=summary, source=source)
    document = {
        "identifier": package.identifier,
        "source": package.raw,
        "other_associations": package.other_associations,
        "definitions": package.definitions,
    }
    says_more = (
        not own
        or set(package.raw) - OWN_DOCUMENT_KEYS
        or package.other_associations
        or package.definitions not in ({}, EMPTY_DEFINITIONS)
    )
    stored = CaseDocument.objects.filter(framework=framework).first()
    if stored is None and says_more:
        writer.create(
            "case_document", [CaseDocument(school=school, framework=framework, **document)]
        )
    elif stored is not None and (diff := changed_fields(stored, document)):
        writer.update("case_document", [(stored, diff)])
    elif stored is not None:
        summary["case_document"].unchanged += 1

    held = {
        record.competency_id: record
        for record in CaseItem.objects.filter(competency__framework=framework)
    }
    creates, updates = [], []
    for item in package.items:
        competency = by_key[item.identifier]
        values = {
            "identifier": item.identifier,
            "source": item.raw,
            "association": item.association,
            "generated_code": "" if item.code_given else competency.code,
        }
        record = held.get(competency.pk)
        mine = own and not competency.case_identifier
        if record is None:
            if mine and not set(item.raw) - OWN_ITEM_KEYS:
                continue  # Credo's own item, as Credo writes it: nothing to keep
            creates.append(CaseItem(school=school, competency=competency, **values))
        elif diff := changed_fields(record, values):
            updates.append((record, diff))
        else:
            summary["case_item"].unchanged += 1
    writer.create("case_item", creates)
    writer.update("case_item", updates)
    writer.flush()
