"""The journey pages: a school's self-assessment (its leadership team only) and the network view
(network leads only). Views are thin: access functions fetch and authorize, services write.

One module per area: `home`, `ratings`, `competency`, `actions`, `history`, `team`, `network`;
`common` holds what they share. The URLconf names the views through this package.
"""

from credo.journey.views.actions import journey_action_update, journey_actions
from credo.journey.views.competency import (
    journey_competency,
    journey_evidence_add,
    journey_evidence_file,
    journey_evidence_withdraw,
)
from credo.journey.views.history import journey_history, journey_snapshot
from credo.journey.views.home import journey_home, journey_start
from credo.journey.views.network import (
    network_journey,
    network_school,
    network_version,
    network_versions,
)
from credo.journey.views.ratings import journey_consensus, journey_rate
from credo.journey.views.team import (
    journey_framework,
    journey_ready,
    journey_report,
    journey_team,
    journey_team_member,
)

__all__ = [
    "journey_action_update",
    "journey_actions",
    "journey_competency",
    "journey_consensus",
    "journey_evidence_add",
    "journey_evidence_file",
    "journey_evidence_withdraw",
    "journey_framework",
    "journey_history",
    "journey_home",
    "journey_rate",
    "journey_ready",
    "journey_report",
    "journey_snapshot",
    "journey_start",
    "journey_team",
    "journey_team_member",
    "network_journey",
    "network_school",
    "network_version",
    "network_versions",
]
