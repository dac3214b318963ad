"""What the demo loader reports: the accounts to sign in with and what each school got."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

Progress = Callable[[str], None]


# --- what the loader reports ------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    """A sign-in account worth printing: which school, which role, the username and the name."""

    school: str
    role: str
    username: str
    name: str


@dataclass
class SchoolSummary:
    """What the loader made for one school."""

    slug: str
    name: str
    students: int = 0
    users: int = 0
    competencies: int = 0
    assessable: int = 0
    credits: int = 0
    foundational: int = 0
    advanced: int = 0
    experiences: int = 0
    sections: int = 0
    assessments: int = 0
    corrections: int = 0
    retractions: int = 0
    evidence: int = 0
    outside_evidence: int = 0
    reviews: int = 0
    awards: int = 0
    eligible: int = 0
    stories: int = 0
    comments: int = 0
    published: int = 0
    links: int = 0


@dataclass
class DemoSummary:
    """What `load_demo` made, the accounts to sign in with, and how long it took."""

    network: str
    seed: int
    today: dt.date
    schools: list[SchoolSummary]
    accounts: list[Account]
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def students(self) -> int:
        return sum(s.students for s in self.schools)

    @property
    def assessments(self) -> int:
        return sum(s.assessments for s in self.schools)


class DemoError(Exception):
    """The demo cannot be loaded as asked (for instance: it is already there)."""
