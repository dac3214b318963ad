"""Read a scores CSV — one assessment a line — for bringing history over from spreadsheets. No Django here.

Columns: `student_id` (the student number), `competency_code`, `value`, `date` (the day the student
showed it, YYYY-MM-DD), and optionally `assessor` (a username), `kind` (formative or summative;
summative when blank), `feedback`, and `framework` (needed only when two frameworks share a code).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from credo.interop.common import Problems, formula_like, parse_date, parse_decimal, read_csv

REQUIRED = ("student_id", "competency_code", "value", "date")
OPTIONAL = ("assessor", "kind", "feedback", "framework")
KINDS = ("formative", "summative")


@dataclass
class Score:
    line: int
    student: str
    code: str
    value: Decimal | None  # None when the cell is not a number (already reported)
    date: dt.date | None
    assessor: str
    kind: str
    feedback: str
    framework: str
    ok: bool = True  # False when a problem was found in the row already


def parse(name: str, data: bytes, *, today: dt.date) -> tuple[list[Score], Problems]:
    """Return the rows of a scores file and every problem found in it (rows with problems included)."""
    problems = Problems()
    table = read_csv(name, data, problems, required=REQUIRED)
    for h in table.header:
        if h and h not in REQUIRED + OPTIONAL:
            problems.add(
                name, 1, h, f"unknown column (the columns are {', '.join(REQUIRED + OPTIONAL)})"
            )
    scores: list[Score] = []
    for row in table.rows:
        ok = True
        for column in REQUIRED:
            if column in table.header and not row[column]:
                problems.add(name, row.line, column, "a value is required")
                ok = False
        value = parse_decimal(row["value"]) if row["value"] else None
        if row["value"] and (value is None or value < 0):
            problems.add(
                name, row.line, "value", f"“{row['value']}” is not a number of zero or more"
            )
            ok = False
        date = parse_date(row["date"]) if row["date"] else None
        if row["date"] and (date is None or len(row["date"]) != 10):
            problems.add(name, row.line, "date", f"“{row['date']}” is not a date (YYYY-MM-DD)")
            ok = False
        elif date and date > today + dt.timedelta(days=1):
            problems.add(name, row.line, "date", f"{date} is in the future")
            ok = False
        for column in ("student_id", "competency_code", "assessor", "framework"):
            if formula_like(row[column]):
                problems.add(
                    name,
                    row.line,
                    column,
                    f"“{row[column][:20]}” starts with {row[column][0]!r}, which spreadsheets run "
                    "as a formula; remove it",
                )
                ok = False
        kind = row["kind"].lower() or "summative"
        if kind not in KINDS:
            problems.add(name, row.line, "kind", f"“{row['kind']}” is not formative or summative")
            ok = False
        # Rows with a problem are still returned, so that their other cells are checked too.
        scores.append(
            Score(
                row.line,
                row["student_id"],
                row["competency_code"],
                value,
                date,
                row["assessor"],
                kind,
                row["feedback"],
                row["framework"],
                ok and value is not None and date is not None,
            )
        )
    return scores, problems
