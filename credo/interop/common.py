"""What every import shares: problems with their place, CSV reading that survives bad bytes, summaries.

No Django here: parsers built on this module can be imported and tested alone.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def no_progress(stage: str, done: int, total: int) -> None:
    return None


@dataclass(frozen=True, order=True)
class Problem:
    """Something wrong with an input, where it is: `file:line: column: message`."""

    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.message}"

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


class Problems:
    """Collects every problem of an input instead of stopping at the first."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, file: str, line: int, column: str, message: str) -> None:
        self.items.append(Problem(file, line, column, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.items)

    def sorted(self) -> list[Problem]:
        return sorted(set(self.items), key=lambda p: (p.file, p.line, p.column, p.message))


class ImportRefused(Exception):
    """The input has problems; nothing was written. `problems` lists every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s); nothing was imported")


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    skipped: int = 0

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
        }


@dataclass
class Summary:
    """What an import changed (or would change), per kind of record, and what it noticed."""

    counts: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    warnings: list[str] = field(default_factory=list)
    notes: dict = field(default_factory=dict)

    def __getitem__(self, kind: str) -> Counts:
        return self.counts[kind]

    @property
    def changed(self) -> int:
        return sum(c.created + c.updated + c.deleted for c in self.counts.values())

    def as_dict(self) -> dict:
        return {
            "counts": {k: v.as_dict() for k, v in self.counts.items()},
            "changed": self.changed,
            "warnings": list(self.warnings),
            "notes": dict(self.notes),
        }


# --- reading text -------------------------------------------------------------------------------


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    return line, offset - start + 1


def decode_utf8(name: str, data: bytes, problems: Problems) -> str:
    """Return `data` as text; report every byte sequence that is not UTF-8 with its line and column.

    The text returned has U+FFFD where the bad bytes were, so the rest of the file can still be
    checked and every other problem reported too.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    seen_lines = set()
    pos = 0
    while True:
        try:
            data[pos:].decode("utf-8")
            break
        except UnicodeDecodeError as exc:
            bad = pos + exc.start
            line, column = _position(data, bad)
            if line not in seen_lines:
                seen_lines.add(line)
                problems.add(
                    name,
                    line,
                    f"byte {column}",
                    f"not UTF-8 (byte 0x{data[bad]:02x}); save the file as UTF-8 and try again",
                )
            pos = pos + exc.end
    return data.decode("utf-8", errors="replace")


@dataclass
class Row:
    """One CSV record: its values by column name and the line it starts on."""

    file: str
    line: int
    values: dict[str, str]
    extra: list[str] = field(default_factory=list)
    cells: list[str] = field(default_factory=list)  # every cell in order, unnamed columns included

    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")

    def get(self, column: str, default: str = "") -> str:
        return self.values.get(column, default) or default


@dataclass
class Table:
    file: str
    header: list[str]
    rows: list[Row]


def read_csv(
    name: str,
    data: bytes,
    problems: Problems,
    *,
    required: tuple[str, ...] = (),
    keep_extra: bool = False,
) -> Table:
    """Parse a CSV file with a header row, reporting missing columns and malformed rows.

    Values are stripped of surrounding spaces. Blank lines are skipped. A row with more cells
    than the header is reported unless `keep_extra` (the cells are then kept in `Row.extra`).
    """
    text = decode_utf8(name, data, problems)
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    rows: list[Row] = []
    header: list[str] = []
    try:
        first = next(reader, None)
        if first is None:
            problems.add(
                name, 1, "header", "the file is empty; the first line must name the columns"
            )
            return Table(name, [], [])
        header = [h.strip() for h in first]
        seen: set[str] = set()
        for h in header:
            if h and h in seen:
                problems.add(name, 1, h, "this column appears twice in the header")
            seen.add(h)
        missing = [c for c in required if c not in seen]
        for column in missing:
            problems.add(name, 1, column, "the column is missing from the header")
        start = reader.line_num + 1
        for cells in reader:
            line = start
            start = reader.line_num + 1
            if not cells or all(not c.strip() for c in cells):
                continue
            extra: list[str] = []
            if len(cells) > len(header):
                extra = cells[len(header) :]
                if not keep_extra and any(c.strip() for c in extra):
                    problems.add(
                        name, line, "row", f"{len(cells)} cells where the header has {len(header)}"
                    )
            values = {
                h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header) if h
            }
            rows.append(
                Row(name, line, values, [c.strip() for c in extra], [c.strip() for c in cells])
            )
    except csv.Error as exc:
        problems.add(name, reader.line_num, "row", f"not valid CSV: {exc}")
    return Table(name, header, rows)


# --- values -------------------------------------------------------------------------------------


def parse_date(value: str) -> dt.date | None:
    """Return the date of an ISO `YYYY-MM-DD` value (a date-time is cut to its date); None if invalid."""
    value = value.strip()
    if len(value) > 10 and value[10] in "T ":
        value = value[:10]
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def parse_datetime(value: str) -> dt.datetime | None:
    value = value.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def parse_decimal(value: str) -> Decimal | None:
    try:
        result = Decimal(value.strip())
    except (InvalidOperation, ValueError):
        return None
    return result if result.is_finite() else None


TRUE_WORDS = {"true", "t", "yes", "y", "1"}
FALSE_WORDS = {"false", "f", "no", "n", "0"}


def parse_bool(value: str) -> bool | None:
    """Return True/False for the usual spellings, None for blank; raise ValueError otherwise."""
    v = value.strip().lower()
    if not v:
        return None
    if v in TRUE_WORDS:
        return True
    if v in FALSE_WORDS:
        return False
    raise ValueError(value)
