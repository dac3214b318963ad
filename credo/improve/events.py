"""The audit events the improve app records: each one's stored action, what it means on the
audit log page, and the model it is about (registered with `credo.core.audit`)."""

from credo.core.audit import register

MODERATION_CLOSED = register(
    "moderation.closed",
    "A moderation session was closed",
    "improve.moderationsession",
)
MODERATION_SCORED = register(
    "moderation.scored",
    "An assessor scored a moderation item",
    "improve.moderationscore",
)
MODERATION_SESSION_CREATED = register(
    "moderation.session_created",
    "A moderation session was created",
    "improve.moderationsession",
)
