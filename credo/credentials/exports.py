"""The ``clr`` export format of a published transcript version (registered from ``ready()``)."""

from __future__ import annotations

import json


def export_clr(version) -> bytes:
    """Return the signed CLR 2.0 credential of ``version`` as JSON, issuing it if needed."""
    from django.core.management.base import CommandError

    from credo.accounts.access import system_actor
    from credo.core.errors import ValidationError
    from credo.credentials.services import transcript_credential_issue

    try:
        issued = transcript_credential_issue(actor=system_actor(), version=version)
    except ValidationError as error:
        # Export runs from `credo transcript export`: say why, without a traceback.
        raise CommandError(" ".join(error.messages)) from None
    return json.dumps(issued.document, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"


def register() -> None:
    try:
        from credo.transcripts import exports
    except ImportError:  # the transcripts app predates the export registry
        return
    exports.register(
        "clr",
        export_clr,
        suffix="json",
        media_type="application/ld+json",
        description="the signed CLR 2.0 credential (Open Badges 3.0 credentials inside)",
    )
