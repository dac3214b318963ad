"""Receivers that keep credentials in step with schools and transcripts.

- A new school gets its signing key in the same transaction that creates it.
- A newly published transcript version gets its CLR credential in the background, after the
  publication commits (``transcripts.services.version_published``).
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def school_created(sender, instance, created, raw=False, **kwargs) -> None:
    """Give a school its first signing key when it is created (not when loading fixtures)."""
    if not created or raw:
        return
    from credo.accounts.access import system_actor
    from credo.credentials.services import school_key_ensure

    school_key_ensure(actor=system_actor(), school=instance)


def version_published(sender, version, **kwargs) -> None:
    """Queue the CLR credential of a newly published transcript version."""
    from credo.credentials.tasks import issue_transcript_credential

    try:
        issue_transcript_credential.enqueue(version.pk)
    except Exception:  # a publication stands even if the CLR has to wait
        logger.exception("could not queue the CLR of transcript version %s", version.pk)


def connect() -> None:
    from django.db.models.signals import post_save

    from credo.schools.models import School

    post_save.connect(school_created, sender=School, dispatch_uid="credo.credentials.school_key")
    try:
        from credo.transcripts.services import version_published as published
    except ImportError:  # the transcripts app predates the hook
        return
    published.connect(version_published, dispatch_uid="credo.credentials.clr")
