"""What a credit profile shows: its levels and states, areas and cells, the names of cells, and the
text alternatives (a table and a summary) every chart carries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Level = Literal["foundational", "advanced"]
State = Literal["earned", "in_progress", "not_started"]

LEVELS: tuple[Level, ...] = ("foundational", "advanced")
STATES: tuple[State, ...] = ("earned", "in_progress", "not_started")
STATE_WORDS: dict[str, str] = {
    "earned": "earned",
    "in_progress": "in progress",
    "not_started": "not started",
}

_HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_ID_PREFIX = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
# Links may point at pages of this site or at http(s) pages; anything else (javascript:, data:)
# could run code inside the SVG.
_SAFE_HREF = re.compile(r"^(?:https?://|/|\.{0,2}/|#|\?)|^[A-Za-z0-9_\-.~%]+(?:[/?#]|$)")
# Characters XML 1.0 does not allow, even escaped.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_TEXT = "#1f2328"  # labels: 15:1 on white
_MUTED = "#57606a"  # secondary text: 6.4:1 on white
_NOT_STARTED_STROKE = "#949494"  # 3:1 on white, the floor for meaningful graphics
_FONT = "Helvetica, Arial, 'Liberation Sans', sans-serif"


# --------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class ProfileCell:
    """One credit (or journey competency) in an area."""

    label: str
    level: Level
    state: State
    detail: str = ""
    href: str | None = None

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {self.level!r}")
        if self.state not in STATES:
            raise ValueError(f"state must be one of {', '.join(STATES)}, not {self.state!r}")
        if self.href is not None and not _SAFE_HREF.match(self.href.strip()):
            raise ValueError(f"href must be an http(s) or relative URL, not {self.href!r}")


@dataclass(frozen=True)
class ProfileArea:
    """A credit area (or journey domain): a sector of the chart."""

    name: str
    colour: str
    cells: tuple[ProfileCell, ...] = ()
    short: str = ""

    def __post_init__(self) -> None:
        if not _HEX_COLOUR.match(self.colour):
            raise ValueError(f"colour must be a hex colour like #1f77b4, not {self.colour!r}")
        if not self.name.strip():
            raise ValueError("an area needs a name")
        # Accept a list for convenience but keep the dataclass hashable and immutable.
        object.__setattr__(self, "cells", tuple(self.cells))


def cell_name(area: ProfileArea, cell: ProfileCell) -> str:
    """Return how a cell is named to assistive technology: area, credit, level and status."""
    return f"{area.name}: {cell.label}, {cell.level}, {STATE_WORDS[cell.state]}"


def _check_areas(areas: Iterable[ProfileArea]) -> tuple[ProfileArea, ...]:
    areas = tuple(areas)
    seen: set[str] = set()
    for area in areas:
        if area.name in seen:
            raise ValueError(f"area names must be unique; {area.name!r} appears twice")
        seen.add(area.name)
    return areas


# --------------------------------------------------------------------------------------------
# Text alternatives


def profile_table(areas: Iterable[ProfileArea]) -> list[dict[str, str | None]]:
    """Return one row per cell for the chart's text alternative.

    Rows come area by area, foundational before advanced, cells in the caller's order. Each row
    has ``area``, ``level``, ``label``, ``state`` (words: "earned", "in progress", "not started"),
    ``state_key`` (the code, for CSS classes), ``detail`` and ``href``.
    """
    rows: list[dict[str, str | None]] = []
    for area in _check_areas(areas):
        for level in LEVELS:
            rows.extend(
                {
                    "area": area.name,
                    "level": level,
                    "label": cell.label,
                    "state": STATE_WORDS[cell.state],
                    "state_key": cell.state,
                    "detail": cell.detail,
                    "href": cell.href,
                }
                for cell in area.cells
                if cell.level == level
            )
    return rows


def profile_summary(areas: Iterable[ProfileArea]) -> dict[str, dict[str, dict[str, int]]]:
    """Return counts per area and level.

    ``{area name: {"foundational": {"earned", "in_progress", "not_started", "total"},
    "advanced": {...}}}``, in the areas' order.
    """
    summary: dict[str, dict[str, dict[str, int]]] = {}
    for area in _check_areas(areas):
        per_level = summary[area.name] = {}
        for level in LEVELS:
            cells = [cell for cell in area.cells if cell.level == level]
            counts: dict[str, int] = {
                state: sum(1 for cell in cells if cell.state == state) for state in STATES
            }
            counts["total"] = len(cells)
            per_level[level] = counts
    return summary


def _describe(areas: Sequence[ProfileArea]) -> str:
    """Return the sentences for the SVG's <desc>: totals, then each area."""
    summary = profile_summary(areas)

    def phrase(counts: dict[str, int], level: str) -> str:
        if not counts["total"]:
            return f"no {level}"
        text = f"{level} {counts['earned']} of {counts['total']} earned"
        if counts["in_progress"]:
            text += f", {counts['in_progress']} in progress"
        return text

    totals = {
        level: {
            key: sum(per_area[level][key] for per_area in summary.values())
            for key in (*STATES, "total")
        }
        for level in LEVELS
    }
    sentences = ["Overall: " + "; ".join(phrase(totals[level], level) for level in LEVELS) + "."]
    sentences.extend(
        f"{name}: " + "; ".join(phrase(per_area[level], level) for level in LEVELS) + "."
        for name, per_area in summary.items()
    )
    if not areas:
        sentences = ["No areas."]
    return " ".join(sentences)
