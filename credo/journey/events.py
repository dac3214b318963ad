"""The audit events the journey app records: each one's stored action, what it means on the
audit log page, and the model it is about (registered with `credo.core.audit`)."""

from credo.core.audit import register

JOURNEY_ACTION_CHANGED = register(
    "journey.action_changed",
    "A journey action item was changed",
    "journey.journeyactionitem",
)
JOURNEY_ACTION_CREATED = register(
    "journey.action_created",
    "A journey action item was created",
    "journey.journeyactionitem",
)
JOURNEY_COMPETENCY_ADDED = register(
    "journey.competency_added",
    "A competency was added to a journey framework",
    "journey.journeycompetency",
)
JOURNEY_COMPETENCY_CHANGED = register(
    "journey.competency_changed",
    "A journey competency was changed",
    "journey.journeycompetency",
)
JOURNEY_COMPETENCY_REMOVED = register(
    "journey.competency_removed",
    "A competency was removed from a journey framework",
    "journey.journeycompetency",
)
JOURNEY_CONSENSUS_RECORDED = register(
    "journey.consensus_recorded",
    "A journey team recorded its consensus rating",
    "journey.journeyconsensus",
)
JOURNEY_DOMAIN_CHANGED = register(
    "journey.domain_changed",
    "A journey domain was changed",
    "journey.journeydomain",
)
JOURNEY_EVIDENCE_ADDED = register(
    "journey.evidence_added",
    "Evidence was added to a school's journey",
    "journey.journeyevidence",
)
JOURNEY_EVIDENCE_WITHDRAWN = register(
    "journey.evidence_withdrawn",
    "Journey evidence was withdrawn",
    "journey.journeyevidence",
)
JOURNEY_FRAMEWORK_ADAPTED = register(
    "journey.framework_adapted",
    "A network adapted its journey framework",
    "journey.journeyframework",
)
JOURNEY_FRAMEWORK_PUBLISHED = register(
    "journey.framework_published",
    "A journey framework version was published",
    "journey.journeyframework",
)
JOURNEY_RATED = register(
    "journey.rated",
    "A journey team member rated a competency",
    "journey.journeyrating",
)
JOURNEY_SNAPSHOT_TAKEN = register(
    "journey.snapshot_taken",
    "A snapshot of a school's journey was taken",
    "journey.journeysnapshot",
)
JOURNEY_STARTED = register(
    "journey.started",
    "A school started a journey self-assessment",
    "journey.journeyassessment",
)
JOURNEY_TEAM_MEMBER_ADDED = register(
    "journey.team_member_added",
    "Someone joined a journey team",
    "journey.journeyteammember",
)
JOURNEY_TEAM_MEMBER_CHANGED = register(
    "journey.team_member_changed",
    "A journey team member's role changed",
    "journey.journeyteammember",
)
JOURNEY_TEAM_MEMBER_REMOVED = register(
    "journey.team_member_removed",
    "Someone left a journey team",
    "journey.journeyteammember",
)
JOURNEY_TEMPLATE_INSTALLED = register(
    "journey.template_installed",
    "The journey framework template was installed",
    "journey.journeyframework",
)
JOURNEY_VERSION_MOVED = register(
    "journey.version_moved",
    "A journey moved to a newer framework version",
    "journey.journeyassessment",
)
