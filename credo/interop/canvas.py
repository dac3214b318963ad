"""Read and write the Canvas outcomes CSV. No Django here.

Groups become the upper levels of a competency tree and outcomes its leaves; each outcome's
ratings become a proficiency scale (points → level value, description → label, `mastery_points`
→ the mastery threshold) and its `calculation_method`/`calculation_int` become one of Credo's
methods. Canvas's legacy `decaying_average` (the latest score weighted against the mean of the
earlier ones — Canvas now labels it "weighted average") is Credo's `weighted_average`; Canvas's
`standard_decaying_average` is Credo's `decaying_average`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from decimal import Decimal

from credo.interop.common import Problems, formula_like, parse_decimal, read_csv, write_csv

REQUIRED = ("vendor_guid", "object_type", "title")
KNOWN = {
    "vendor_guid",
    "object_type",
    "title",
    "description",
    "display_name",
    "calculation_method",
    "calculation_int",
    "mastery_points",
    "parent_guids",
    "workflow_state",
    "canvas_id",
    "course_id",
    "friendly_description",
    "ratings",
}
# Canvas method → (Credo method, allowed range of calculation_int, Canvas's default int)
METHODS = {
    "decaying_average": ("weighted_average", (1, 99), 65),
    "weighted_average": ("weighted_average", (1, 99), 65),
    "standard_decaying_average": ("decaying_average", (50, 99), 65),
    "n_mastery": ("n_mastery", (1, 10), 5),
    "latest": ("latest", None, None),
    "highest": ("highest", None, None),
    "average": ("average", None, None),
}


@dataclass
class Entry:
    guid: str
    object_type: str
    title: str
    description: str
    display_name: str
    parents: list[str]
    line: int
    deleted: bool = False
    method: str = ""
    param: int | None = None
    mastery: Decimal | None = None
    ratings: list[tuple[Decimal, str]] = field(default_factory=list)


def _plain_text(value: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", value)).split())


def method_to_credo(method: str, value: int | None) -> tuple[str, int | None]:
    credo, allowed, default = METHODS[method]
    return credo, (value if value is not None else default) if allowed else None


def method_to_canvas(method: str, param: int | None) -> tuple[str, int | None, str]:
    """Return Canvas's (calculation_method, calculation_int, note) for one of Credo's methods."""
    if method == "weighted_average":
        return "decaying_average", param or 65, ""
    if method == "decaying_average":
        return "standard_decaying_average", param or 65, ""
    if method == "n_mastery":
        return "n_mastery", param or 5, ""
    if method in ("latest", "highest", "average"):
        return method, None, ""
    if method == "mode":
        return "average", None, "Canvas has no “most frequent” method; exported as average"
    return "latest", None, "Canvas has no trend (power law) method; exported as most recent"


def parse(name: str, data: bytes) -> tuple[list[Entry], Problems]:
    """Read an outcomes CSV; return its entries in file order and every problem found."""
    problems = Problems()
    # Canvas reads `;`-separated files as well as `,`-separated ones, and short rows.
    table = read_csv(
        name,
        data,
        problems,
        required=REQUIRED,
        keep_extra=True,
        ragged=True,
        delimiters=(",", ";"),
    )
    header = table.header
    if "ratings" in header:
        after = [h for h in header[header.index("ratings") + 1 :] if h]
        for h in after:
            problems.add(
                name,
                1,
                h,
                "no named column may follow ratings (their cells are points and descriptions)",
            )
    for h in header:
        if h and h not in KNOWN:
            problems.add(name, 1, h, "Canvas outcomes files have no such column")
    rating_start = header.index("ratings") if "ratings" in header else None
    entries: list[Entry] = []
    seen: dict[str, Entry] = {}
    for row in table.rows:
        guid, kind = row["vendor_guid"], row["object_type"]
        if not guid:
            problems.add(name, row.line, "vendor_guid", "a value is required")
            continue
        if " " in guid:
            problems.add(name, row.line, "vendor_guid", "must not contain spaces")
        if guid in seen:
            problems.add(
                name, row.line, "vendor_guid", f"“{guid}” is also on line {seen[guid].line}"
            )
            continue
        if kind not in ("group", "outcome"):
            problems.add(name, row.line, "object_type", f"“{kind}” is not group or outcome")
        state = row["workflow_state"] or "active"
        if state not in ("active", "deleted"):
            problems.add(name, row.line, "workflow_state", f"“{state}” is not active or deleted")
        title = row["title"]
        if not title and state != "deleted":
            problems.add(name, row.line, "title", "a value is required")
        entry = Entry(
            guid=guid,
            object_type=kind,
            title=title,
            description=_plain_text(row["description"]),
            display_name=row["display_name"],
            parents=row["parent_guids"].split(),
            line=row.line,
            deleted=state == "deleted",
        )
        seen[guid] = entry
        entries.append(entry)
        method = row["calculation_method"]
        if method:
            if method not in METHODS:
                problems.add(
                    name,
                    row.line,
                    "calculation_method",
                    f"“{method}” is not one of {', '.join(sorted(METHODS))}",
                )
            else:
                entry.method = method
        raw_int = row["calculation_int"]
        if raw_int:
            if not raw_int.isdigit():
                problems.add(
                    name, row.line, "calculation_int", f"“{raw_int}” is not a whole number"
                )
            else:
                entry.param = int(raw_int)
                allowed = METHODS.get(entry.method, (None, None, None))[1] if entry.method else None
                if entry.method and allowed is None:
                    problems.add(
                        name, row.line, "calculation_int", f"{entry.method} takes no number"
                    )
                elif allowed and not allowed[0] <= entry.param <= allowed[1]:
                    problems.add(
                        name,
                        row.line,
                        "calculation_int",
                        f"{entry.param} is outside {allowed[0]}–{allowed[1]} for {entry.method}",
                    )
        if row["mastery_points"]:
            entry.mastery = parse_decimal(row["mastery_points"])
            if entry.mastery is None:
                problems.add(
                    name, row.line, "mastery_points", f"“{row['mastery_points']}” is not a number"
                )
        cells = list(row.cells[rating_start:]) if rating_start is not None else []
        while cells and not cells[-1]:
            cells.pop()
        prior = None
        for i in range(0, len(cells), 2):
            tier = i // 2 + 1
            points = parse_decimal(cells[i]) if cells[i] else None
            if points is None:
                problems.add(
                    name,
                    row.line,
                    f"ratings tier {tier}",
                    f"“{cells[i]}” is not a number of points",
                )
                continue
            if prior is not None and points >= prior:
                problems.add(
                    name,
                    row.line,
                    f"ratings tier {tier}",
                    f"points must go down from tier to tier ({points} follows {prior})",
                )
            prior = points
            entry.ratings.append((points, cells[i + 1] if i + 1 < len(cells) else ""))
        if kind == "group" and (entry.ratings or entry.method or entry.mastery is not None):
            problems.add(
                name, row.line, "object_type", "a group has no ratings, mastery points or method"
            )
        for column in ("vendor_guid", "title", "display_name", "parent_guids"):
            if formula_like(row[column]):
                problems.add(
                    name,
                    row.line,
                    column,
                    f"“{row[column][:20]}” starts with {row[column][0]!r}, which spreadsheets run "
                    "as a formula; remove it",
                )
        # Without ratings an outcome uses the account's mastery scale, as Canvas does.
        if (
            kind == "outcome"
            and not entry.deleted
            and entry.ratings
            and entry.mastery is not None
            and not min(p for p, _ in entry.ratings)
            <= entry.mastery
            <= max(p for p, _ in entry.ratings)
        ):
            problems.add(
                name, row.line, "mastery_points", f"{entry.mastery} is outside the ratings' points"
            )
    groups = {e.guid for e in entries if e.object_type == "group"}
    for e in entries:
        for parent in e.parents:
            if parent == e.guid:
                problems.add(name, e.line, "parent_guids", "an entry cannot contain itself")
            elif parent not in groups:
                problems.add(
                    name,
                    e.line,
                    "parent_guids",
                    f"no group of this file has the vendor_guid “{parent}”",
                )
    # Cycles among groups.
    parent_of = {e.guid: e.parents[0] for e in entries if e.parents and e.parents[0] in groups}
    reported: set[str] = set()
    for start in parent_of:
        path, node = [], start
        while node in parent_of and node not in path:
            path.append(node)
            node = parent_of[node]
        if node in path and node not in reported:
            cycle = path[path.index(node) :]
            reported.update(cycle)
            for n in cycle:
                problems.add(
                    name,
                    seen[n].line,
                    "parent_guids",
                    "the groups contain each other: " + " → ".join([*cycle, node]),
                )
    return entries, problems


@dataclass
class ExportRow:
    guid: str
    object_type: str
    title: str
    code: str
    parent: str
    method: str = ""
    param: int | None = None
    mastery: Decimal | None = None
    ratings: list[tuple[Decimal, str]] = field(default_factory=list)


def _num(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text


def write(rows: list[ExportRow]) -> bytes:
    """Return the outcomes CSV of `rows` (formula-like cells neutralized, numbers as they are)."""
    width = max((len(r.ratings) for r in rows), default=0) * 2
    header = [
        "vendor_guid",
        "object_type",
        "title",
        "description",
        "display_name",
        "calculation_method",
        "calculation_int",
        "mastery_points",
        "parent_guids",
        "workflow_state",
        "ratings",
    ] + [""] * max(0, width - 1)
    lines = []
    for r in rows:
        cells: list[str] = []
        for points, label in r.ratings:
            cells += [_num(points), label]
        cells += [""] * (width - len(cells))
        lines.append(
            [
                r.guid,
                r.object_type,
                r.title,
                "",
                r.code,
                r.method,
                "" if r.param is None else str(r.param),
                "" if r.mastery is None else _num(r.mastery),
                r.parent,
                "active",
                *(cells or [""]),
            ]
        )
    return write_csv(lines, header=header)
