"""Every write of the journey: template versions, the team, ratings, consensus, evidence,
action items, snapshots. Keyword-only, validated, one transaction each, every write audited.

One module per entity, all importable from here as before: `template`, `team`, `ratings`, `work`
(evidence and action items), `snapshots`, `versions`, `network`; `common` holds what they share.
"""

from credo.journey.services.common import MAX_EVIDENCE_BYTES
from credo.journey.services.network import (
    framework_adapt,
    framework_competency_add,
    framework_competency_remove,
    framework_competency_update,
    framework_domain_update,
    framework_publish,
)
from credo.journey.services.ratings import (
    journey_consensus_record,
    journey_rating_record,
    journey_ratings_record,
)
from credo.journey.services.snapshots import (
    default_snapshot_label,
    journey_snapshot_take,
    term_label,
)
from credo.journey.services.team import (
    journey_start,
    team_member_add,
    team_member_remove,
    team_member_update,
)
from credo.journey.services.template import (
    framework_default_for,
    frameworks_available_to,
    journey_template_install,
)
from credo.journey.services.versions import journey_version_move
from credo.journey.services.work import (
    journey_action_create,
    journey_action_update,
    journey_evidence_add,
    journey_evidence_withdraw,
)

__all__ = [
    "MAX_EVIDENCE_BYTES",
    "default_snapshot_label",
    "framework_adapt",
    "framework_competency_add",
    "framework_competency_remove",
    "framework_competency_update",
    "framework_default_for",
    "framework_domain_update",
    "framework_publish",
    "frameworks_available_to",
    "journey_action_create",
    "journey_action_update",
    "journey_consensus_record",
    "journey_evidence_add",
    "journey_evidence_withdraw",
    "journey_rating_record",
    "journey_ratings_record",
    "journey_snapshot_take",
    "journey_start",
    "journey_template_install",
    "journey_version_move",
    "team_member_add",
    "team_member_remove",
    "team_member_update",
    "term_label",
]
