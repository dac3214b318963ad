"""What every import shares: problems with their place, CSV reading that survives bad bytes, summaries.

No Django here: parsers built on this module can be imported and tested alone.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
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
    skips: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def __getitem__(self, kind: str) -> Counts:
        return self.counts[kind]

    def skip(self, kind: str, reason: str, where: str = "") -> None:
        """Count one record of `kind` left out, and say why (and where, for the first few)."""
        self.counts[kind].skipped += 1
        places = self.skips.setdefault((kind, reason), [])
        places.append(where)

    def skipped(self) -> list[dict]:
        """Return what was left out: kind, reason, how many, and the first places."""
        return [
            {
                "kind": kind,
                "reason": reason,
                "count": len(places),
                "examples": [w for w in places if w][:5],
            }
            for (kind, reason), places in sorted(self.skips.items())
        ]

    @property
    def changed(self) -> int:
        return sum(c.created + c.updated + c.deleted for c in self.counts.values())

    def as_dict(self) -> dict:
        return {
            "counts": {k: v.as_dict() for k, v in self.counts.items()},
            "changed": self.changed,
            "warnings": list(self.warnings),
            "notes": dict(self.notes),
            "skipped": self.skipped(),
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
    delimiter: str = ","


# Control characters have no place in a roster, a framework or a score: NUL breaks PostgreSQL
# text columns, and the others are invisible in every program that shows the value.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_controls(name: str, text: str, problems: Problems, *, line_offset: int = 0) -> None:
    """Report every control character of `text` (tab and line ends excepted) with its place."""
    seen: set[int] = set()
    for match in _CONTROL.finditer(text):
        line = text.count("\n", 0, match.start()) + 1 + line_offset
        if line in seen:
            continue
        seen.add(line)
        column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        problems.add(
            name,
            line,
            f"character {column}",
            f"control character U+{ord(match.group()):04X} is not allowed; remove it",
        )


# --- spreadsheet formulas -------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def formula_like(value: str) -> bool:
    """Whether a spreadsheet would run `value` as a formula (a plain number, signed or not, is safe)."""
    return bool(value) and value[0] in FORMULA_STARTS and not _NUMBER.match(value)


def neutralize(value: str) -> str:
    """Return `value` as a CSV export writes it: a leading apostrophe when it would run as a formula.

    Values that already start with apostrophes before a formula character get one more, so that
    `unneutralize` gives back exactly what was exported.
    """
    return "'" + value if formula_like(value.lstrip("'")) else value


def unneutralize(value: str) -> str:
    """Undo `neutralize`: drop the one apostrophe an export put before a formula character."""
    if value.startswith("'") and formula_like(value.lstrip("'")):
        return value[1:]
    return value


def write_csv(rows, *, header: list[str]) -> bytes:
    """Return UTF-8 CSV (RFC 4180 quoting, LF line ends) with every formula-like cell neutralized."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else neutralize(str(v)) for v in row])
    return out.getvalue().encode("utf-8")


# --- reading CSV ----------------------------------------------------------------------------------


def _record_pattern(delimiter: str) -> re.Pattern:
    d = re.escape(delimiter)
    field_ = f'(?:"(?:[^"]|"")*"|[^"{d}\\r\\n]*)'
    return re.compile(f"{field_}(?:{d}{field_})*(?:\\r\\n|\\n|\\r)?")


_PATTERNS: dict[str, re.Pattern] = {}


def sniff_delimiter(text: str, allowed: tuple[str, ...]) -> str:
    """Return the delimiter of a CSV file's header among `allowed` (the one it uses most)."""
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in allowed}
    return max(allowed, key=lambda d: (counts[d], -allowed.index(d)))


def read_csv(
    name: str,
    data: bytes,
    problems: Problems,
    *,
    required: tuple[str, ...] = (),
    keep_extra: bool = False,
    ragged: bool = False,
    multiline: bool = True,
    delimiters: tuple[str, ...] = (",",),
) -> Table:
    """Parse a CSV file with a header row (RFC 4180), reporting every malformed record with its line.

    Refused, each with its place: bytes that are not UTF-8, control characters, broken quoting (a
    quote in an unquoted field, text after a closing quote, a quote never closed), a record with
    fewer or more cells than the header (unless `ragged`, where a short record is padded, or
    `keep_extra`, where the cells beyond the header are kept in `Row.extra`), and values running
    over several lines unless `multiline`. Values are stripped of surrounding spaces, and the one
    apostrophe a CSV export puts before a formula character is taken off (`unneutralize`).
    Blank lines are skipped.
    """
    text = decode_utf8(name, data, problems)
    check_controls(name, text, problems)
    delimiter = sniff_delimiter(text, delimiters) if len(delimiters) > 1 else delimiters[0]
    pattern = _PATTERNS.get(delimiter) or _PATTERNS.setdefault(
        delimiter, _record_pattern(delimiter)
    )
    source = io.StringIO(text, newline="")
    consumed: list[str] = []

    def lines():
        for raw in source:
            consumed.append(raw)
            yield raw

    reader = csv.reader(lines(), delimiter=delimiter, strict=True)
    rows: list[Row] = []
    header: list[str] = []
    line = 1
    first = True
    while True:
        consumed.clear()
        try:
            cells = next(reader, None)
        except csv.Error as exc:
            message = str(exc)
            if "unexpected end of data" in message or not consumed:
                problems.add(
                    name,
                    line,
                    "row",
                    'a quoted value that starts on this line is never closed (a missing ")',
                )
                break
            problems.add(
                name,
                line,
                "row",
                "broken quoting: a value with a quote in it must be wrapped in quotes, and each quote "
                'inside doubled ("")',
            )
            line += len(consumed)
            # Skip to the end of the physical line and read on.
            continue
        if cells is None:
            break
        raw = "".join(consumed)
        here, line = (
            line,
            line + max(1, raw.count("\n") + (1 if raw.endswith("\r") and "\n" not in raw else 0)),
        )
        if '"' in raw and not pattern.fullmatch(raw):
            problems.add(
                name,
                here,
                "row",
                "broken quoting: a value with a quote in it must be wrapped in quotes, and each quote "
                'inside doubled ("")',
            )
            if first:
                first = False
                header = [h.strip() for h in cells]
            continue
        if not multiline and any("\n" in c or "\r" in c for c in cells):
            problems.add(
                name,
                here,
                "row",
                f"a value runs over several lines (lines {here}–{line - 1}); "
                "a quote is probably not closed",
            )
            continue
        if first:
            first = False
            header = [h.strip() for h in cells]
            seen: set[str] = set()
            for h in header:
                if h and h in seen:
                    problems.add(name, 1, h, "this column appears twice in the header")
                seen.add(h)
            for column in required:
                if column not in seen:
                    problems.add(name, 1, column, "the column is missing from the header")
            continue
        if not cells or all(not c.strip() for c in cells):
            continue
        extra: list[str] = []
        if len(cells) > len(header):
            extra = cells[len(header) :]
            if not keep_extra and any(c.strip() for c in extra):
                problems.add(
                    name, here, "row", f"{len(cells)} cells where the header has {len(header)}"
                )
        elif len(cells) < len(header) and not ragged:
            problems.add(
                name,
                here,
                "row",
                f"{len(cells)} cells where the header has {len(header)}: "
                f"the row ends before column {header[len(cells)] or len(cells) + 1}",
            )
            continue
        cells = [unneutralize(c.strip()) for c in cells]
        values = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h}
        rows.append(Row(name, here, values, cells[len(header) :], cells))
    if first:
        problems.add(name, 1, "header", "the file is empty; the first line must name the columns")
    return Table(name, header, rows, delimiter)


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
