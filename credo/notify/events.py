"""What the other domains call when something happened that people should hear of.

Each call queues one task (`tasks.deliver`) once the caller's transaction commits, carrying only
the kind and the ids of what happened; the task decides who hears of it (`access.py`) and writes
the notifications. Nothing here reads or writes the database, so the writes that call it (an
assessment must take milliseconds) stay as they were.
"""

from __future__ import annotations

import logging

from django.db import transaction

from credo.core.audit import register
from credo.notify.models import Kind

log = logging.getLogger(__name__)


def after_commit(kind: str, ids) -> None:
    """Queue the notification of `kind` about the records `ids` once the transaction commits."""
    ids = sorted({int(i) for i in ids})
    if ids:
        transaction.on_commit(lambda: _enqueue(str(kind), ids))


def _enqueue(kind: str, ids: list[int]) -> None:
    from credo.notify.tasks import deliver

    try:
        deliver.enqueue(kind, ids)
    except Exception:  # the write has committed; a lost notification must not turn it into a 500
        log.exception("Could not queue the %s notification of %s", kind, ids)


def new_work(evidence) -> None:
    after_commit(Kind.NEW_WORK, [evidence.pk])


def feedback_given(assessments) -> None:
    after_commit(Kind.FEEDBACK, [a.pk for a in assessments if (a.feedback or "").strip()])


def decision_made(decision) -> None:
    after_commit(Kind.DECISION, [decision.pk])


def seats_invited(seats) -> None:
    after_commit(Kind.REVIEW_INVITATION, [s.pk for s in seats])


# The audit events of notifications (registered with `credo.core.audit`).
NOTIFICATION_ALL_READ = register(
    "notification.all_read",
    "Someone marked all their notifications read",
    "notify.notification",
)
NOTIFICATION_CREATED = register(
    "notification.created",
    "A notification was created",
    "notify.notification",
)
NOTIFICATION_DIGEST_SENT = register(
    "notification.digest_sent",
    "A notification digest email was sent",
    "accounts.user",
)
NOTIFICATION_PREFERENCES_SAVED = register(
    "notification.preferences_saved",
    "Someone saved their notification preferences",
    "accounts.user",
)
NOTIFICATION_READ = register(
    "notification.read",
    "Someone read a notification",
    "notify.notification",
)
