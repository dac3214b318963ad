"""Read and write CASE 1.0 / 1.1 CFPackage JSON. No Django here.

`parse(name, data)` returns a `Package`: the document, its items in tree order (parent from
`isChildOf`, siblings ordered by `sequenceNumber`, then by the order of the file), the codes
to use, and every problem with its line (`file:line: CFItems[3].fullStatement: message`).
`build(...)` writes a CFPackage that validates against the CASE 1.0 schema.
"""

from __future__ import annotations

import bisect
import json
import json.decoder
import json.scanner
import re
import uuid
from dataclasses import dataclass, field

from credo.interop.common import Problems, check_controls, decode_utf8

MAX_CODE = 60
ITEM_KINDS = {
    "domain": "domain",
    "strand": "domain",
    "cluster": "domain",
    "category": "domain",
    "content area": "domain",
    "grade level": "domain",
    "subject": "domain",
    "topic": "domain",
    "unit": "domain",
    "competency": "competency",
    "skill": "competency",
    "practice": "competency",
    "standard": "standard",
    "content standard": "standard",
    "performance expectation": "standard",
    "learning target": "target",
    "target": "target",
    "objective": "target",
    "learning objective": "target",
    "benchmark": "target",
    "element": "target",
    "indicator": "indicator",
    "component": "indicator",
    "sub-standard": "indicator",
    "substandard": "indicator",
    "performance indicator": "indicator",
}
KIND_TYPES = {
    "domain": "Domain",
    "competency": "Competency",
    "standard": "Standard",
    "target": "Learning Target",
    "indicator": "Indicator",
}


class _Pos(dict):
    """A JSON object that remembers the line it starts on."""

    line = 0


def load_with_lines(text: str):
    """Parse JSON like `json.loads`, but every object is a dict with a `.line` attribute."""
    newlines = [i for i, ch in enumerate(text) if ch == "\n"]
    decoder = json.JSONDecoder(object_pairs_hook=_Pos)

    def parse_object(s_and_end, *args, **kwargs):
        obj, end = json.decoder.JSONObject(s_and_end, *args, **kwargs)
        if isinstance(obj, _Pos):
            obj.line = bisect.bisect_left(newlines, s_and_end[1] - 1) + 1
        return obj, end

    decoder.parse_object = parse_object
    decoder.scan_once = json.scanner.py_make_scanner(decoder)
    return decoder.decode(text)


@dataclass
class Item:
    identifier: str
    uri: str
    statement: str
    code: str  # humanCodingScheme, or one made from the item's place in the tree
    code_given: bool
    kind: str
    item_type: str
    line: int
    index: int
    parent: str | None = None  # None: a child of the document
    sequence: int | None = None
    order: int = 0  # position in a preorder walk of the tree, from 1
    depth: int = 0
    raw: dict = field(default_factory=dict)  # the CFItem as the source wrote it
    association: dict = field(default_factory=dict)  # its isChildOf association, as written
    association_index: int = -1  # where that association is in CFAssociations
    list_enumeration: str = ""


@dataclass
class Package:
    identifier: str
    uri: str
    title: str
    creator: str
    version: str
    description: str
    adoption_status: str
    case_version: str
    items: list[Item] = field(default_factory=list)  # in tree order
    problems: Problems = field(default_factory=Problems)
    warnings: list[str] = field(default_factory=list)
    raw: dict = field(default_factory=dict)  # the CFDocument as the source wrote it
    other_associations: list = field(default_factory=list)  # not isChildOf: kept as written
    definitions: dict = field(default_factory=dict)  # CFDefinitions, as written


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def parse(name: str, data: bytes) -> Package:
    """Read a CFPackage; return it with every problem found (the caller refuses it when there are any)."""
    problems = Problems()
    text = decode_utf8(name, data, problems)
    empty = Package("", "", "", "", "", "", "", "", problems=problems)
    check_controls(name, text.replace("\t", " "), problems)
    if too_deep(name, text, problems):
        return empty
    try:
        root = load_with_lines(text)
    except json.JSONDecodeError as exc:
        problems.add(name, exc.lineno, f"column {exc.colno}", f"not valid JSON: {exc.msg}")
        return empty
    except RecursionError:  # pragma: no cover - too_deep stops such files first
        problems.add(name, 1, "(document)", f"nested deeper than {MAX_DEPTH} levels")
        return empty
    if isinstance(root, dict) and isinstance(root.get("CFPackage"), dict):
        root = root["CFPackage"]
    if not isinstance(root, dict):
        problems.add(
            name,
            1,
            "(document)",
            "a CFPackage is a JSON object with CFDocument, CFItems and CFAssociations",
        )
        return empty
    doc = root.get("CFDocument")
    if not isinstance(doc, dict):
        problems.add(name, getattr(root, "line", 1), "CFDocument", "the package has no CFDocument")
        return empty
    definitions = root.get("CFDefinitions")
    pkg = Package(
        raw=_plain(doc),
        definitions=_plain(definitions) if isinstance(definitions, dict) else {},
        identifier=_text(doc.get("identifier")),
        uri=_text(doc.get("uri")),
        title=_text(doc.get("title")),
        creator=_text(doc.get("creator")),
        version=_text(doc.get("version")),
        description=_text(doc.get("description")),
        adoption_status=_text(doc.get("adoptionStatus")),
        case_version=_text(doc.get("caseVersion")) or ("1.1" if "frameworkType" in doc else "1.0"),
        problems=problems,
    )
    for key, label in (("identifier", "CFDocument.identifier"), ("title", "CFDocument.title")):
        if not getattr(pkg, key):
            problems.add(name, doc.line, label, "a value is required")
    if len(pkg.identifier) > 128:
        problems.add(name, doc.line, "CFDocument.identifier", "longer than 128 characters")
    if len(pkg.title) > 200:
        problems.add(name, doc.line, "CFDocument.title", "longer than 200 characters")

    _check_strings(name, root, problems)
    raw_items = root.get("CFItems", [])
    if not isinstance(raw_items, list):
        problems.add(name, getattr(root, "line", 1), "CFItems", "must be a list")
        raw_items = []
    items: dict[str, Item] = {}
    for i, raw in enumerate(raw_items):
        where = f"CFItems[{i}]"
        if not isinstance(raw, dict):
            problems.add(name, getattr(root, "line", 1), where, "must be an object")
            continue
        identifier, statement = _text(raw.get("identifier")), _text(raw.get("fullStatement"))
        code = _text(raw.get("humanCodingScheme"))
        if not identifier:
            problems.add(name, raw.line, f"{where}.identifier", "a value is required")
            continue
        if len(identifier) > 128:
            problems.add(name, raw.line, f"{where}.identifier", "longer than 128 characters")
        if identifier in items:
            problems.add(
                name,
                raw.line,
                f"{where}.identifier",
                f"“{identifier}” is also the identifier of the item on line {items[identifier].line}",
            )
            continue
        if identifier == pkg.identifier:
            problems.add(
                name, raw.line, f"{where}.identifier", "an item has the identifier of the document"
            )
        if not statement:
            problems.add(name, raw.line, f"{where}.fullStatement", "a value is required")
        if len(code) > MAX_CODE:
            problems.add(
                name, raw.line, f"{where}.humanCodingScheme", f"longer than {MAX_CODE} characters"
            )
        item_type = _text(raw.get("CFItemType"))
        if not item_type and isinstance(raw.get("CFItemTypeURI"), dict):
            item_type = _text(raw["CFItemTypeURI"].get("title"))
        items[identifier] = Item(
            identifier=identifier,
            uri=_text(raw.get("uri")),
            statement=statement,
            code=code,
            code_given=bool(code),
            kind=ITEM_KINDS.get(item_type.lower(), ""),
            item_type=item_type,
            line=raw.line,
            index=i,
            raw=_plain(raw),
            list_enumeration=_text(raw.get("listEnumeration")),
        )

    raw_assocs = root.get("CFAssociations", [])
    if not isinstance(raw_assocs, list):
        problems.add(name, getattr(root, "line", 1), "CFAssociations", "must be a list")
        raw_assocs = []
    parent_line: dict[str, int] = {}
    for i, raw in enumerate(raw_assocs):
        where = f"CFAssociations[{i}]"
        if not isinstance(raw, dict):
            problems.add(name, getattr(root, "line", 1), where, "must be an object")
            continue
        kind = _text(raw.get("associationType"))
        if not kind:
            problems.add(name, raw.line, f"{where}.associationType", "a value is required")
            continue
        if kind != "isChildOf":
            # Other associations (exactMatchOf, precedes, …) do not shape the tree: kept as written.
            pkg.other_associations.append(_plain(raw))
            continue
        origin, dest = raw.get("originNodeURI"), raw.get("destinationNodeURI")
        origin_id = _text(origin.get("identifier")) if isinstance(origin, dict) else ""
        dest_id = _text(dest.get("identifier")) if isinstance(dest, dict) else ""
        if not origin_id:
            problems.add(name, raw.line, f"{where}.originNodeURI", "an identifier is required")
            continue
        if not dest_id:
            problems.add(name, raw.line, f"{where}.destinationNodeURI", "an identifier is required")
            continue
        if origin_id not in items:
            problems.add(
                name,
                raw.line,
                f"{where}.originNodeURI",
                f"no item has the identifier “{origin_id}”",
            )
            continue
        if dest_id != pkg.identifier and dest_id not in items:
            problems.add(
                name,
                raw.line,
                f"{where}.destinationNodeURI",
                f"“{dest_id}” is neither the document nor an item of it",
            )
            continue
        seq = raw.get("sequenceNumber")
        if seq is not None and (isinstance(seq, bool) or not isinstance(seq, int)):
            problems.add(
                name, raw.line, f"{where}.sequenceNumber", f"“{seq}” is not a whole number"
            )
            seq = None
        item = items[origin_id]
        if origin_id in parent_line:
            pkg.warnings.append(
                f"{name}:{raw.line}: item {item.code or origin_id} has more than one parent; "
                f"kept the one on line {parent_line[origin_id]}"
            )
            continue
        parent_line[origin_id] = raw.line
        item.parent = None if dest_id == pkg.identifier else dest_id
        item.sequence = seq
        item.association = _plain(raw)
        item.association_index = i

    # A cycle in isChildOf would make the tree endless: report each one, with the place of every link in it.
    state: dict[str, int] = {}
    for start in items:
        path: list[str] = []
        node: str | None = start
        while node is not None and state.get(node, 0) == 0:
            state[node] = 1
            path.append(node)
            node = items[node].parent
        if node is not None and state.get(node) == 1:
            cycle = path[path.index(node) :]
            names = " → ".join(items[n].code or n for n in [*cycle, node])
            for n in cycle:
                problems.add(
                    name,
                    parent_line.get(n, items[n].line),
                    "isChildOf",
                    f"the tree has a cycle: {names}",
                )
        for n in path:
            state[n] = 2
    if problems:
        return pkg

    children: dict[str | None, list[Item]] = {}
    for item in items.values():
        children.setdefault(item.parent, []).append(item)
    for siblings in children.values():
        # sequenceNumber first; without one, the order of the associations; then listEnumeration.
        siblings.sort(
            key=lambda it: (
                it.sequence is None,
                it.sequence or 0,
                it.association_index,
                _natural(it.list_enumeration),
                it.index,
            )
        )

    ordered: list[Item] = []
    used: set[str] = set()

    def walk(parent: str | None, prefix: str, depth: int) -> None:
        for n, item in enumerate(children.get(parent, []), start=1):
            item.depth = depth
            if not item.code:
                item.code = f"{prefix}{n}" if prefix else f"{pkg_prefix}{n}"
            base, k = item.code, 2
            while item.code in used:
                item.code, k = f"{base[: MAX_CODE - 4]}-{k}", k + 1
            if item.code != base:
                pkg.warnings.append(
                    f"{name}:{item.line}: code {base} is used twice; this item was given {item.code}"
                )
            used.add(item.code)
            ordered.append(item)
            item.order = len(ordered)
            if not item.kind:
                item.kind = "competency" if item.identifier in children else "target"
            walk(item.identifier, f"{item.code}.", depth + 1)

    pkg_prefix = ""
    walk(None, "", 0)
    pkg.items = ordered
    return pkg


def _plain(obj):
    """Return a JSON value as plain dicts and lists (the line-keeping dicts dropped)."""
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    return obj


def _natural(text: str) -> tuple:
    """Sort key for listEnumeration values: numbers as numbers (2 before 10), then text."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.split(r"(\d+)", text)
        if part
    )


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _check_strings(name: str, root, problems: Problems) -> None:
    """Report control characters written as escapes (\\u0000) in any value, with the object's line."""
    stack = [(root, "", getattr(root, "line", 1))]
    while stack:
        node, path, line = stack.pop()
        if isinstance(node, dict):
            line = getattr(node, "line", line)
            stack.extend((v, f"{path}.{k}" if path else k, line) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, f"{path}[{i}]", line) for i, v in enumerate(node))
        elif isinstance(node, str) and (found := _CONTROL.search(node)):
            problems.add(
                name,
                line,
                path,
                f"control character U+{ord(found.group()):04X} is not allowed; remove it",
            )


MAX_DEPTH = 32  # a CFPackage nests 5 or 6 levels; a deeper file is not a framework
_STRUCTURE = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def too_deep(name: str, text: str, problems: Problems) -> bool:
    """Report (and return True) when the JSON nests deeper than MAX_DEPTH, without recursion."""
    depth = 0
    for match in _STRUCTURE.finditer(text):
        mark = match.group()
        if mark in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                line = text.count("\n", 0, match.start()) + 1
                column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
                problems.add(
                    name,
                    line,
                    f"column {column}",
                    f"nested deeper than {MAX_DEPTH} levels; a CASE package is not",
                )
                return True
        elif mark in "]}":
            depth -= 1
    return False


# --- writing ------------------------------------------------------------------------------------


def stable_uuid(*parts: str) -> str:
    """Return a UUID (version 5) that is always the same for the same parts."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "credo:" + ":".join(parts)))


def base_of(uri: str, identifier: str) -> str:
    """Return the `…/ims/case/v1p0` part of a CASE document URI, if it has one."""
    tail = f"/CFDocuments/{identifier}"
    return uri[: -len(tail)] if identifier and uri.endswith(tail) else ""


@dataclass
class ExportItem:
    identifier: str
    code: str
    statement: str
    kind: str
    parent: str | None
    sequence: int
    code_sourced: bool = True  # False: Credo made the code; the export leaves it out
    source: dict = field(default_factory=dict)  # the CFItem as a CASE source wrote it
    association: dict = field(default_factory=dict)  # its isChildOf association, as written


@dataclass
class ExportDocument:
    identifier: str
    uri: str
    title: str
    creator: str
    version: str
    description: str
    last_change: str
    source: dict = field(default_factory=dict)  # the CFDocument as a CASE source wrote it
    other_associations: list = field(default_factory=list)
    definitions: dict = field(default_factory=dict)


def _destination(assoc: dict) -> str:
    dest = assoc.get("destinationNodeURI")
    return dest.get("identifier", "") if isinstance(dest, dict) else ""


def build(*, document: ExportDocument, items: list[ExportItem], base: str) -> dict:
    """Return a CFPackage (CASE 1.0) for a framework; `base` is the `…/ims/case/v1p0` URL prefix.

    What a source said is written again as it said it (identifiers, URIs, notes, abbreviated
    statements, creator, dates, association identifiers, other associations, definitions); only
    what Credo holds itself (titles, statements, codes, the tree) is written from Credo. A code
    Credo made for an item without humanCodingScheme is not written as if the source had it.
    """
    last_change = document.last_change
    identifier = document.identifier

    def link(kind: str, ident: str, label: str) -> dict:
        return {"title": label, "identifier": ident, "uri": f"{base}/{kind}/{ident}"}

    if document.source:
        doc = dict(document.source)
        doc["identifier"] = identifier
        doc["title"] = document.title
        doc.setdefault("uri", document.uri or f"{base}/CFDocuments/{identifier}")
        doc.setdefault("creator", document.creator)
        doc.setdefault("lastChangeDateTime", last_change)
    else:
        doc = {
            "identifier": identifier,
            "uri": document.uri or f"{base}/CFDocuments/{identifier}",
            "creator": document.creator,
            "title": document.title,
            "lastChangeDateTime": last_change,
            "adoptionStatus": "Adopted",
            "language": "en",
        }
    for key, value in (("version", document.version), ("description", document.description)):
        if value:
            doc[key] = value
        elif not document.source:
            doc.pop(key, None)
    by_id = {i.identifier: i for i in items}

    def label(item: ExportItem) -> str:
        return item.code if item.code_sourced else " ".join(item.statement.split())[:60]

    cf_items, associations = [], []
    for item in items:
        if item.source:
            entry = dict(item.source)
            entry["identifier"] = item.identifier
            entry["fullStatement"] = item.statement
            if item.code_sourced:
                entry["humanCodingScheme"] = item.code
            else:
                entry.pop("humanCodingScheme", None)
        else:
            entry = {
                "identifier": item.identifier,
                "uri": f"{base}/CFItems/{item.identifier}",
                "fullStatement": item.statement,
                "humanCodingScheme": item.code,
                "CFItemType": KIND_TYPES.get(item.kind, "Competency"),
                "lastChangeDateTime": last_change,
            }
        cf_items.append(entry)
        parent = item.parent if item.parent and item.parent in by_id else None
        if item.association and _destination(item.association) == (parent or identifier):
            associations.append(dict(item.association))
            continue
        if parent:
            destination = link("CFItems", parent, label(by_id[parent]))
        else:
            destination = link("CFDocuments", identifier, document.title)
        ident = stable_uuid("association", identifier, item.identifier)
        associations.append(
            {
                "identifier": ident,
                "uri": f"{base}/CFAssociations/{ident}",
                "associationType": "isChildOf",
                "originNodeURI": link("CFItems", item.identifier, label(item)),
                "destinationNodeURI": destination,
                "sequenceNumber": item.sequence,
                "lastChangeDateTime": last_change,
            }
        )
    associations.extend(dict(a) for a in document.other_associations)
    definitions = document.definitions or {
        "CFConcepts": [],
        "CFSubjects": [],
        "CFLicenses": [],
        "CFItemTypes": [],
        "CFAssociationGroupings": [],
    }
    return {
        "CFDocument": doc,
        "CFItems": cf_items,
        "CFAssociations": associations,
        "CFDefinitions": definitions,
    }
