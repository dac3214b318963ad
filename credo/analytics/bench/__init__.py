"""`credo bench`: build a synthetic district in a fresh database and measure the engine on it.

A run switches the default connection to a throwaway database (a temporary SQLite file, or a
database created for the run on a PostgreSQL server), migrates it, generates the district
(`credo.analytics.synthetic`), then runs the sections in order. Each section is a function that
takes the shared `Bench` and returns a dict of measurements; the dicts are merged into one JSON
object and drawn as one table. Adding a section (transcript publishing, credential signing, a
OneRoster import) is writing one function and decorating it with `@section(...)`.
"""

# The package: `base.py` (the section registry and `Bench`), `sections.py` (the engine's own
# sections, registered on import, before any other app's), `runner.py` (`run`, `targets`,
# `render` and the throwaway database).
from credo.analytics.bench import sections
from credo.analytics.bench.base import EPOCH, SECTIONS, Bench, Metric, Section, section
from credo.analytics.bench.runner import fresh_database, render, run, targets

__all__ = [
    "EPOCH",
    "SECTIONS",
    "Bench",
    "Metric",
    "Section",
    "fresh_database",
    "render",
    "run",
    "section",
    "sections",
    "targets",
]
