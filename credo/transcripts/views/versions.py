"""Published versions, signed in: the page, its PDF and JSON, its evidence."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import reverse

from credo.accounts.http import school_page
from credo.core.http import page
from credo.transcripts import render as tx_render
from credo.transcripts import selectors
from credo.transcripts.access import (
    access_version,
)
from credo.transcripts.pdf import pdf_for
from credo.transcripts.views.common import (
    _evidence,
    _evidence_file,
    _filename,
    _pdf_response,
    _staff_evidence_url,
)

# --- published versions (signed in) ---------------------------------------------------------------------


@login_required
@school_page
def version_page(request, school, public_id):
    version = access_version(user=request.user, school=school, public_id=public_id)
    ctx = tx_render.context(
        version.content,
        version=version,
        evidence_url=_staff_evidence_url(school, version),
        mode="page",
        verification_url=version.verification_url(),
    )
    ctx.update(
        student_obj=version.student,
        draft=False,
        is_current=version.is_current,
        hash_ok=version.hash_matches(),
        revocations=selectors.revocations_since(version),
    )
    return page(request, "transcripts/version.html", ctx)


@login_required
@school_page
def version_pdf(request, school, public_id):
    version = access_version(user=request.user, school=school, public_id=public_id)
    return _pdf_response(version, pdf_for(version))


@login_required
@school_page
def version_json(request, school, public_id):
    version = access_version(user=request.user, school=school, public_id=public_id)
    from credo.transcripts.exports import export_json

    response = HttpResponse(export_json(version), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{_filename(version)}.json"'
    return response


@login_required
@school_page
def version_evidence(request, school, public_id, key):
    version = access_version(user=request.user, school=school, public_id=public_id)
    item = _evidence(version, key)
    back = reverse("transcripts:version", args=[school.slug, version.public_id])
    file_url = reverse(
        "transcripts:version_evidence_file", args=[school.slug, version.public_id, key]
    )
    return page(
        request,
        "transcripts/evidence.html",
        {
            "item": item,
            "version": version,
            "content": version.content,
            "back": back,
            "file_url": file_url,
            "public": False,
        },
    )


@login_required
@school_page
def version_evidence_file(request, school, public_id, key):
    version = access_version(user=request.user, school=school, public_id=public_id)
    return _evidence_file(_evidence(version, key), key)
