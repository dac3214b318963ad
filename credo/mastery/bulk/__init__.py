"""The bulk path: recompute (or check) every materialized row of one or more schools at once.

Assessments are loaded as columns, grouped by student × competency and scored with the vectorized
kernels (`credo.mastery.vectorized`), which agree with `calculations.calculate` to the last digit.
Credits and graduation then go through the same `engine.compute_*` functions as the incremental path.
"""

# The package: `compute.py` (columns in, states and credits out), `store.py` (`materialize`,
# `recompute`), `check.py` (`check`: the stored rows against a fresh computation).
from credo.mastery.bulk.check import (
    Difference,
    _canonical,
    _state_differences,
    check,
    stored_states,
)
from credo.mastery.bulk.compute import (
    EPOCH,
    SORT_TIME_DTYPE,
    SQL,
    STATUS_CODES,
    Columns,
    Result,
    States,
    _exclusive_cumsum,
    _group_starts,
    _in_clause,
    _school_of_students,
    _schools_of,
    _sql,
    _vendor,
    apply_judgments,
    competency_configs,
    compute,
    compute_credits_and_graduation,
    compute_states,
    load_columns,
    states_from_table,
)
from credo.mastery.bulk.store import (
    STATE_COLUMNS,
    _state_rows,
    materialize,
    recompute,
)

__all__ = [
    "Columns",
    "Difference",
    "EPOCH",
    "Result",
    "SORT_TIME_DTYPE",
    "SQL",
    "STATE_COLUMNS",
    "STATUS_CODES",
    "States",
    "_canonical",
    "_exclusive_cumsum",
    "_group_starts",
    "_in_clause",
    "_school_of_students",
    "_schools_of",
    "_sql",
    "_state_differences",
    "_state_rows",
    "_vendor",
    "apply_judgments",
    "check",
    "competency_configs",
    "compute",
    "compute_credits_and_graduation",
    "compute_states",
    "load_columns",
    "materialize",
    "recompute",
    "states_from_table",
    "stored_states",
]
