"""The improvement pages' reads: attainment, pace and time to proficiency by group of students.

Everything is read as columns in a handful of queries (`values_list` into numpy arrays, the
engine's column loader for assessments) and aggregated with numpy; no loop runs over students or
assessments. What leaves here is aggregates only, already suppressed (`stats.suppress`).

Definitions the pages state:
- *attainment*: of the targets in scope on which the students have evidence, the share the
  engine now marks proficient or beyond (`MasteryState`);
- *credits*: credits awarded (not revoked) per student, among the credits in scope;
- *reaching proficiency*: the first counted assessment at or above the scale's proficiency level;
  *days* run from the first counted assessment of that student on that target, *attempts* count
  the counted assessments up to and including it;
- *by term*: at each term's end, the share of the targets begun by then that had reached
  proficiency by then.

One module per view, all importable from here as before: `scope`, `columns`, `equity`,
`proficiency`, `moderation`.
"""

from credo.improve.selectors.columns import (
    _MILESTONES,
    Pairs,
    read_awards,
    read_pairs,
    read_states,
    school_milestones,
)
from credo.improve.selectors.equity import Cell, Equity, equity, scope_choices
from credo.improve.selectors.moderation import Agreement, Calibration, calibration, session_progress
from credo.improve.selectors.proficiency import SpreadRow, TimeToProficiency, time_to_proficiency
from credo.improve.selectors.scope import (
    EPOCH,
    FLAG_FIELDS,
    NOT_RECORDED,
    RACE_FIELDS,
    Groups,
    demographic_groups,
    scope_competencies,
    scope_credits,
    scope_students,
)

__all__ = [
    "Agreement",
    "Calibration",
    "Cell",
    "EPOCH",
    "Equity",
    "FLAG_FIELDS",
    "Groups",
    "NOT_RECORDED",
    "Pairs",
    "RACE_FIELDS",
    "SpreadRow",
    "TimeToProficiency",
    "_MILESTONES",
    "calibration",
    "demographic_groups",
    "equity",
    "read_awards",
    "read_pairs",
    "read_states",
    "school_milestones",
    "scope_choices",
    "scope_competencies",
    "scope_credits",
    "scope_students",
    "session_progress",
    "time_to_proficiency",
]
