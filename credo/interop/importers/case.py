"""Import a CASE CFPackage as a framework of one school (matched by the document's identifier)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from credo.interop import case
from credo.interop.common import Summary
from credo.interop.importers.base import refuse_if, run_atomically
from credo.interop.importers.frameworks import Node, apply_nodes, framework_for


def _url(value: str) -> str:
    """Return `value` if it is a URL Django accepts (CASE test files use hosts like “server”), else ""."""
    try:
        URLValidator()(value)
    except ValidationError:
        return ""
    return value if len(value) <= 500 else ""


def import_case(
    *, actor, school, name: str, data: bytes, dry_run: bool = False, progress=None
) -> Summary:
    """Import the CFPackage in `data`; return what changed. Raise ImportRefused listing every problem."""
    package = case.parse(name, data)
    refuse_if(package.problems)
    summary = Summary()
    summary.warnings.extend(package.warnings)
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
        )
        for item in package.items
    ]

    def apply() -> Summary:
        if progress:
            progress("writing", 0, 1)
        framework = framework_for(
            school=school,
            actor=actor,
            summary=summary,
            match={"case_identifier": package.identifier},
            values={
                "name": package.title[:200],
                "case_uri": _url(package.uri),
                "version": package.version[:40],
                "description": package.description,
            },
        )
        apply_nodes(
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
        summary.notes["framework"] = framework.name
        summary.notes["framework_id"] = framework.pk
        if progress:
            progress("writing", 1, 1)
        return summary

    result = run_atomically(apply, dry_run=dry_run)
    result.notes["case_version"] = package.case_version
    return result
