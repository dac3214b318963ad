"""Background work for credentials (django-tasks; `credo serve` runs the worker)."""

from __future__ import annotations

from django_tasks import task


@task()
def issue_transcript_credential(version_id: int) -> str:
    """Issue the CLR credential of a published transcript version; return its id (or why not)."""
    from credo.accounts.access import system_actor
    from credo.core.errors import ValidationError
    from credo.credentials.services import transcript_credential_issue
    from credo.transcripts.models import TranscriptVersion

    version = TranscriptVersion.objects.select_related("student__school").get(pk=version_id)
    try:
        issued = transcript_credential_issue(actor=system_actor(), version=version)
    except ValidationError as error:  # e.g. no credit earned yet: nothing to issue
        return "; ".join(error.messages)
    return issued.credential_id
