"""The audit events the evidence app records: each one's stored action, what it means on the
audit log page, and the model it is about (registered with `credo.core.audit`)."""

from credo.core.audit import register

EVIDENCE_APPROVED = register(
    "evidence.approved",
    "A teacher approved a piece of evidence",
    "evidence.evidence",
)
EVIDENCE_SHARING_CHANGED = register(
    "evidence.sharing_changed",
    "Who may see a piece of evidence changed",
    "evidence.evidence",
)
EVIDENCE_SUBMITTED = register(
    "evidence.submitted",
    "A student submitted evidence",
    "evidence.evidence",
)
PEER_FEEDBACK_GIVEN = register(
    "peer_feedback.given",
    "A student gave feedback on a peer's evidence",
    "evidence.peerfeedback",
)
STORY_APPROVED = register(
    "story.approved",
    "A student's story was approved for the transcript",
    "evidence.studentstory",
)
STORY_SAVED = register("story.saved", "A student saved their story", "evidence.studentstory")
