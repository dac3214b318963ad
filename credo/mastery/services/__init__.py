"""Every write of the mastery domain, one module per entity, all importable from here as before:
`assessments` (recording, correcting, retracting), `judgments` (professional judgment),
`credits` (credits, graduation rules, retiring credits and frameworks), `reviews` (credit reviews,
panels, votes, decisions, awards and their revocation), `habits` (habits of work, credit areas);
`common` holds the students' row lock.
"""

from credo.mastery.services.assessments import (
    _check_assessment,
    assessment_correct,
    assessment_record,
    assessment_retract,
    assessments_record_for_class,
)
from credo.mastery.services.common import lock_students
from credo.mastery.services.credits import (
    credit_retire,
    credit_save,
    credit_validate,
    framework_retire,
    graduation_rule_save,
)
from credo.mastery.services.habits import credit_area_save, habits_record
from credo.mastery.services.judgments import judgment_set, judgment_withdraw
from credo.mastery.services.reviews import (
    credit_award_revoke,
    credit_requirement_missing,
    credit_review_decide,
    credit_review_request,
    credit_review_schedule,
    panel_state,
    send_invitation,
)

__all__ = [
    "_check_assessment",
    "assessment_correct",
    "assessment_record",
    "assessment_retract",
    "assessments_record_for_class",
    "credit_area_save",
    "credit_award_revoke",
    "credit_requirement_missing",
    "credit_retire",
    "credit_review_decide",
    "credit_review_request",
    "credit_review_schedule",
    "credit_save",
    "credit_validate",
    "framework_retire",
    "graduation_rule_save",
    "habits_record",
    "judgment_set",
    "judgment_withdraw",
    "lock_students",
    "panel_state",
    "send_invitation",
]
