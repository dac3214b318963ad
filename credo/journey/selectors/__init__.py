"""Reads of the journey. Every selector takes the school, the assessment or the network it is
about; none grows its number of queries with the size of the team, the history or the network.

One module per area, all importable from here as before: `framework`, `team`, `profile`,
`history`, `readiness`, `network`, `home`.
"""

from credo.journey.selectors.framework import (
    STATUS_LABELS,
    competencies_of,
    framework_domains,
    framework_essentials,
)
from credo.journey.selectors.history import (
    history_rows,
    progress_points,
    snapshot_changes,
    snapshots_of,
)
from credo.journey.selectors.home import home_summary
from credo.journey.selectors.network import (
    CompetencyTally,
    LearnFrom,
    NetworkOverview,
    NetworkSchool,
    framework_usage,
    network_frameworks,
    network_overview,
)
from credo.journey.selectors.profile import profile_areas, profile_counts
from credo.journey.selectors.readiness import Check, Readiness, readiness
from credo.journey.selectors.team import (
    BoardDomain,
    BoardRow,
    action_counts,
    actions_of,
    board_summary,
    competency_history,
    consensus_board,
    consensus_current,
    consensus_log,
    consensus_statuses,
    count_statuses,
    evidence_counts,
    evidence_for,
    my_ratings,
    ratings_current,
    team_of,
)

__all__ = [
    "BoardDomain",
    "BoardRow",
    "Check",
    "CompetencyTally",
    "LearnFrom",
    "NetworkOverview",
    "NetworkSchool",
    "Readiness",
    "STATUS_LABELS",
    "action_counts",
    "actions_of",
    "board_summary",
    "competencies_of",
    "competency_history",
    "consensus_board",
    "consensus_current",
    "consensus_log",
    "consensus_statuses",
    "count_statuses",
    "evidence_counts",
    "evidence_for",
    "framework_domains",
    "framework_essentials",
    "framework_usage",
    "history_rows",
    "home_summary",
    "my_ratings",
    "network_frameworks",
    "network_overview",
    "profile_areas",
    "profile_counts",
    "progress_points",
    "ratings_current",
    "readiness",
    "snapshot_changes",
    "snapshots_of",
    "team_of",
]
