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
import uuid
from dataclasses import dataclass, field

from credo.interop.common import Problems, decode_utf8

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


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def parse(name: str, data: bytes) -> Package:
    """Read a CFPackage; return it with every problem found (the caller refuses it when there are any)."""
    problems = Problems()
    text = decode_utf8(name, data, problems)
    empty = Package("", "", "", "", "", "", "", "", problems=problems)
    try:
        root = load_with_lines(text)
    except json.JSONDecodeError as exc:
        problems.add(name, exc.lineno, f"column {exc.colno}", f"not valid JSON: {exc.msg}")
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
    pkg = Package(
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
            continue  # other associations (exactMatchOf, precedes, …) do not shape the tree
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
        siblings.sort(key=lambda it: (it.sequence is None, it.sequence or 0, it.index))

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


def build(
    *,
    identifier: str,
    uri: str,
    title: str,
    creator: str,
    version: str,
    description: str,
    last_change: str,
    items: list[ExportItem],
    base: str,
) -> dict:
    """Return a CFPackage (CASE 1.0) for a framework; `base` is the `…/ims/case/v1p0` URL prefix."""

    def link(kind: str, ident: str, label: str) -> dict:
        return {"title": label, "identifier": ident, "uri": f"{base}/{kind}/{ident}"}

    document: dict = {
        "identifier": identifier,
        "uri": uri or f"{base}/CFDocuments/{identifier}",
        "creator": creator,
        "title": title,
        "lastChangeDateTime": last_change,
        "adoptionStatus": "Adopted",
        "language": "en",
    }
    if version:
        document["version"] = version
    if description:
        document["description"] = description
    by_id = {i.identifier: i for i in items}
    cf_items, associations = [], []
    for item in items:
        entry = {
            "identifier": item.identifier,
            "uri": f"{base}/CFItems/{item.identifier}",
            "fullStatement": item.statement,
            "humanCodingScheme": item.code,
            "CFItemType": KIND_TYPES.get(item.kind, "Competency"),
            "lastChangeDateTime": last_change,
        }
        cf_items.append(entry)
        if item.parent and item.parent in by_id:
            destination = link("CFItems", item.parent, by_id[item.parent].code)
        else:
            destination = link("CFDocuments", identifier, title)
        ident = stable_uuid("association", identifier, item.identifier)
        associations.append(
            {
                "identifier": ident,
                "uri": f"{base}/CFAssociations/{ident}",
                "associationType": "isChildOf",
                "originNodeURI": link("CFItems", item.identifier, item.code),
                "destinationNodeURI": destination,
                "sequenceNumber": item.sequence,
                "lastChangeDateTime": last_change,
            }
        )
    return {
        "CFDocument": document,
        "CFItems": cf_items,
        "CFAssociations": associations,
        "CFDefinitions": {
            "CFConcepts": [],
            "CFSubjects": [],
            "CFLicenses": [],
            "CFItemTypes": [],
            "CFAssociationGroupings": [],
        },
    }
