"""The audit events the frameworks app records: each one's stored action, what it means on the
audit log page, and the model it is about (registered with `credo.core.audit`)."""

from credo.core.audit import register

COMPETENCY_SAVED = register(
    "competency.saved",
    "A competency was created or changed",
    "frameworks.competency",
)
FRAMEWORK_SAVED = register(
    "framework.saved",
    "A framework was created or changed",
    "frameworks.framework",
)
OUTCOME_CREDITS_SET = register(
    "outcome.credits_set",
    "The credits an outcome counts toward were set",
    "frameworks.outcome",
)
OUTCOME_RESTORED = register(
    "outcome.restored",
    "A retired outcome was restored",
    "frameworks.outcome",
)
OUTCOME_RETIRED = register("outcome.retired", "An outcome was retired", "frameworks.outcome")
OUTCOME_SAVED = register(
    "outcome.saved",
    "An outcome was created or changed",
    "frameworks.outcome",
)
SCALE_SAVED = register(
    "scale.saved",
    "A proficiency scale was created or changed",
    "frameworks.proficiencyscale",
)
