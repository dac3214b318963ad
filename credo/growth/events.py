"""The audit events the growth app records: each one's stored action, what it means on the
audit log page, and the model it is about (registered with `credo.core.audit`)."""

from credo.core.audit import register

GROWTH_EDUCATOR_ADDED = register(
    "growth.educator_added",
    "An educator joined the growth programme",
    "growth.educator",
)
GROWTH_EVIDENCE_ADDED = register(
    "growth.evidence_added",
    "An educator added growth evidence",
    "growth.observation",
)
GROWTH_FRAMEWORK_INSTALLED = register(
    "growth.framework_installed",
    "The educator growth framework was installed",
    "frameworks.framework",
)
GROWTH_OBSERVED = register("growth.observed", "An educator was observed", "growth.observation")
GROWTH_PEER_INVITED = register(
    "growth.peer_invited",
    "A peer was invited to observe an educator",
    "growth.peerinvitation",
)
GROWTH_PEER_CLOSED = register(
    "growth.peer_closed",
    "An invitation to observe an educator was closed",
    "growth.peerinvitation",
)
GROWTH_PLAN_SAVED = register(
    "growth.plan_saved",
    "An educator's growth plan was saved",
    "growth.growthplan",
)
GROWTH_SUPPORT_ASSIGNED = register(
    "growth.support_assigned",
    "Support was assigned to an educator",
    "growth.support",
)
GROWTH_SUPPORT_ENDED = register(
    "growth.support_ended",
    "Support for an educator ended",
    "growth.support",
)
