"""The synthetic district's plan: its sizes, areas, habits, methods and names, what it reports,
its school calendar, and the plain-row writer the other modules share.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db import connection

from credo.core import bulkload

EPOCH = dt.date(1970, 1, 1)
BATCH = 50_000
SECTION_SIZE = 25
STUDENTS_PER_TEACHER = 20

AREAS = (
    ("QR", "Quantitative Reasoning", "#1f6f8b"),
    ("SI", "Scientific Inquiry", "#3c8d2f"),
    ("CE", "Clear Expression", "#b5523b"),
    ("HG", "History and Global Perspectives", "#7a4fa3"),
    ("CD", "Creative Design", "#c28a12"),
    ("WC", "Wellness and Community", "#2d6f6a"),
)
COMPETENCIES_PER_AREA = 14
HABITS = (
    "Perseverance",
    "Collaboration",
    "Self-direction",
    "Reflection",
    "Organization",
    "Integrity",
)
# Per-competency overrides cycle through every method so each one is exercised.
METHOD_OVERRIDES = (
    ("latest", None),
    ("highest", None),
    ("average", None),
    ("mode", None),
    ("decaying_average", 75),
    ("weighted_average", 65),
    ("n_mastery", 3),
    ("power_law", None),
)
# The academic framework's own method, by school.
FRAMEWORK_METHODS = (
    ("decaying_average", 65),
    ("weighted_average", 60),
    ("power_law", None),
    ("n_mastery", 4),
)
GIVEN = (
    "Ada",
    "Bilal",
    "Chen",
    "Dara",
    "Elif",
    "Femi",
    "Gia",
    "Hugo",
    "Ines",
    "Jae",
    "Kofi",
    "Lena",
    "Mateo",
    "Nia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tariq",
    "Uma",
    "Vera",
    "Wren",
    "Yusuf",
)
FAMILY = (
    "Abara",
    "Bergstrom",
    "Castillo",
    "Dube",
    "Eriksen",
    "Fofana",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Park",
    "Quispe",
    "Rossi",
    "Silva",
    "Tanaka",
    "Usman",
    "Varga",
    "Weber",
    "Zhou",
)


@dataclass
class SchoolRoster:
    """What the benchmark needs to know about one generated school."""

    school_id: int
    registrar_id: int
    student_ids: list[int]
    academic_ids: list[int]
    habit_ids: list[int]
    # (section id, teacher user id, competency ids aligned to the section's experience)
    sections: list[tuple[int, int, list[int]]]
    # student id -> indexes into `sections`
    enrollments: dict[int, list[int]]


@dataclass
class District:
    """A generated district: its ids, what it holds, and how long it took to make."""

    network_id: int
    seed: int
    today: dt.date
    schools: list[SchoolRoster]
    students: int = 0
    assessments: int = 0
    corrections: int = 0
    retractions: int = 0
    competencies: int = 0
    credits: int = 0
    enrollments: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def school_ids(self) -> list[int]:
        return [s.school_id for s in self.schools]


class _Calendar:
    """Three school years (late August to mid June) ending today, as epoch days of school days."""

    def __init__(self, today: dt.date):
        self.today = today
        first_year = today.year if today >= dt.date(today.year, 8, 25) else today.year - 1
        self.current_year = first_year
        self.years = [first_year - 2, first_year - 1, first_year]
        self.school_days: list[np.ndarray] = []
        for y in self.years:
            start, end = dt.date(y, 8, 25), min(dt.date(y + 1, 6, 15), today)
            days = np.arange(_day(start), _day(end) + 1, dtype=np.int64)
            weekday = (days + 3) % 7  # 1970-01-01 was a Thursday: 0 = Monday
            self.school_days.append(days[weekday < 5])
        low = _day(dt.date(self.years[0] - 1, 8, 1))
        high = _day(today) + 1
        self.first_day = low
        self.date_text = np.array(
            [(EPOCH + dt.timedelta(days=int(d))).isoformat() for d in range(low, high + 1)],
            dtype=object,
        )

    def days_for(self, years_of_history: int) -> np.ndarray:
        """Return the school days of the last `years_of_history` school years, up to today."""
        return np.concatenate(self.school_days[len(self.years) - years_of_history :])

    def text(self, days: np.ndarray) -> np.ndarray:
        return self.date_text[days - self.first_day]


def _day(d: dt.date) -> int:
    return (d - EPOCH).days


_TIMES = np.array(
    [f" {h:02d}:{m:02d}:{s:02d}" for h in range(7, 19) for m in range(60) for s in range(60)],
    dtype=object,
)


def _insert(table: str, columns: Sequence[str], rows, *, batched: bool = False) -> None:
    """Insert plain rows (or, when `batched`, an iterable of row lists) into `table`."""
    with connection.cursor() as cursor:
        bulkload.insert_rows(
            cursor, table, columns, itertools.chain.from_iterable(rows) if batched else rows
        )
