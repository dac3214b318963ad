"""The audit events the mastery app records: each one's stored action, what it means on the
audit log page, and the model it is about (registered with `credo.core.audit`)."""

from credo.core.audit import register

ASSESSMENT_CORRECTED = register(
    "assessment.corrected",
    "An assessment was corrected (the new row replaces the old)",
    "mastery.assessment",
)
ASSESSMENT_RECORDED = register(
    "assessment.recorded",
    "A teacher recorded an assessment of a competency",
    "mastery.assessment",
)
ASSESSMENT_RETRACTED = register(
    "assessment.retracted",
    "An assessment was retracted",
    "mastery.assessment",
)
CREDIT_AWARDED = register(
    "credit.awarded",
    "A credit was awarded by a review panel's decision",
    "mastery.creditaward",
)
CREDIT_AWARDED_AUTOMATICALLY = register(
    "credit.awarded_automatically",
    "A credit was awarded because every requirement was met",
    "mastery.creditaward",
)
CREDIT_RETIRED = register(
    "credit.retired",
    "A credit was retired after a last graduating class",
    "mastery.masterycredit",
)
CREDIT_REVOKED = register("credit.revoked", "An awarded credit was revoked", "mastery.creditaward")
CREDIT_SAVED = register(
    "credit.saved",
    "A credit and its requirements were created or changed",
    "mastery.masterycredit",
)
CREDIT_AREA_SAVED = register(
    "credit_area.saved",
    "A credit area was created or changed",
    "mastery.creditarea",
)
CREDIT_REVIEW_DECIDED = register(
    "credit_review.decided",
    "A review panel reached its decision",
    "mastery.reviewdecision",
)
CREDIT_REVIEW_REQUESTED = register(
    "credit_review.requested",
    "A student asked for a credit review",
    "mastery.creditreview",
)
CREDIT_REVIEW_SCHEDULED = register(
    "credit_review.scheduled",
    "A credit review was scheduled and its panel seated",
    "mastery.creditreview",
)
CREDIT_REVIEW_VOTED = register(
    "credit_review.voted",
    "A panel member voted on a credit review",
    "mastery.reviewvote",
)
FRAMEWORK_RETIRED = register(
    "framework.retired",
    "A framework was retired after a last graduating class",
    "frameworks.framework",
)
GRADUATION_RULE_SAVED = register(
    "graduation_rule.saved",
    "A graduation rule was created or changed",
    "mastery.graduationrule",
)
JUDGMENT_SET = register(
    "judgment.set",
    "A teacher set a professional judgment of a competency",
    "mastery.judgment",
)
JUDGMENT_WITHDRAWN = register(
    "judgment.withdrawn",
    "A professional judgment was withdrawn",
    "mastery.judgment",
)
MASTERY_RECOMPUTED = register(
    "mastery.recomputed",
    "Mastery, credits and graduation were recomputed in bulk",
    "",
)
SETUP_CHANGE_APPLIED = register(
    "setup.change_applied",
    "A previewed change to the school's setup was applied",
    "",
)
