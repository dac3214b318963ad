"""What the transcript views share: form errors from services, no-store headers for
shared pages, evidence lookups and file serving, PDF responses."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header

from credo.transcripts import render as tx_render
from credo.transcripts.models import TranscriptVersion


def _apply(form, exc: ValidationError) -> None:
    """Put a service's messages beside the form's fields (or on the form when no field matches)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _no_store(response):
    # Revocation must work at once: nothing of a shared transcript may be cached on the way.
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _staff_evidence_url(school, version):
    return lambda key: reverse(
        "transcripts:version_evidence", args=[school.slug, version.public_id, key]
    )


def _evidence(version: TranscriptVersion, key: str) -> dict:
    item = version.content.get("evidence", {}).get(key)
    if item is None:
        raise Http404("No such evidence.")
    return {
        **item,
        "date": tx_render._date(item["demonstrated_on"]),
        "approved_date": tx_render._date(item.get("approved_on")),
    }


def _evidence_file(item: dict, key: str):
    """Serve a piece of evidence's file only while it is byte for byte what was published."""
    facts = item.get("file")
    if not facts:
        raise Http404("No file.")
    try:
        with default_storage.open(facts["path"], "rb") as fh:
            data = fh.read()
    except (KeyError, FileNotFoundError, OSError):
        data = None
    if data is not None and hashlib.sha256(data).hexdigest() == facts["sha256"]:
        # The type found when the file was uploaded; versions published before it was kept
        # are served as plain bytes.
        content_type = facts.get("content_type") or "application/octet-stream"
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(True, facts["name"])
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "sandbox"
        return response
    raise Http404("This file is no longer available as it was published.")


def _filename(version: TranscriptVersion) -> str:
    student = version.content["student"]
    name = f"{student['family_name']}-{student['given_name']}".replace(" ", "-")
    return f"mastery-transcript-{name}-v{version.number}"


def _pdf_response(version, data: bytes, *, inline: bool = False):
    response = FileResponse(iter([data]), content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{_filename(version)}.pdf"'
    response["Content-Length"] = str(len(data))
    return response
