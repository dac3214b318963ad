"""What every benchmark section shares: `Metric`, `Section`, the `@section` registry
(`SECTIONS`, in registration order) and the `Bench` a section is given."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

EPOCH = dt.date(1970, 1, 1)


# --- sections ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    """How one measurement is shown, and the target it must meet, if any."""

    key: str
    label: str
    unit: str = ""  # "/s", "s", "ms", "x", or "" for a count
    target: tuple[str, float] | None = None  # (">=" or "<=", value)
    sqlite_only: bool = False  # the target holds on SQLite only


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    run: Callable[[Bench], dict]
    metrics: tuple[Metric, ...]


SECTIONS: dict[str, Section] = {}


def section(name: str, title: str, metrics: Sequence[Metric]):
    """Register a benchmark section; sections run in the order they are registered."""

    def register(fn: Callable[[Bench], dict]) -> Callable[[Bench], dict]:
        SECTIONS[name] = Section(name, title, fn, tuple(metrics))
        return fn

    return register


@dataclass
class Bench:
    """What the sections of one run share: the district, the options, cached columns."""

    district: object
    seed: int = 0
    repeat: int = 5
    reference_seconds: float = 20.0
    incremental_calls: int = 500
    web_clients: int = 20
    web_seconds: float = 20.0
    web_workers: int | None = None
    web_threads: int | None = None
    say: Callable[[str], None] = lambda _msg: None
    results: dict = field(default_factory=dict)
    _columns: object = None
    _configs: dict | None = None
    _materialized: bool = False

    @property
    def school_ids(self) -> list[int]:
        return self.district.school_ids

    def columns(self):
        """Return the live assessments as columns, loaded once per run."""
        from credo.mastery import bulk

        if self._columns is None:
            self._columns = bulk.load_columns(self.school_ids)
            self._configs = bulk.competency_configs(self.school_ids)
        return self._columns, self._configs

    def materialize(self) -> None:
        """Make sure the materialized rows exist (the incremental path reads and updates them)."""
        from credo.mastery import bulk

        if not self._materialized:
            bulk.recompute(self.school_ids)
            self._materialized = True
