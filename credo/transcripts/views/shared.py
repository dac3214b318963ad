"""What readers without an account open: share links (/t/<token>/) and verification (/v/<id>/)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from credo.transcripts import render as tx_render
from credo.transcripts import selectors, services
from credo.transcripts.access import (
    find_share_link,
    find_version,
)
from credo.transcripts.models import TranscriptVersion, ViewKind
from credo.transcripts.pdf import pdf_for
from credo.transcripts.views.common import (
    _evidence,
    _evidence_file,
    _no_store,
    _pdf_response,
)

# --- share links (no account) ------------------------------------------------------------------------------


def _open_link(request, token: str):
    """Return (link, None) for a working link, or (None, response) saying plainly why it does not work."""
    try:
        link = find_share_link(token=token)
    except Http404:
        return None, _no_store(
            render(request, "transcripts/link_problem.html", {"problem": "unknown"}, status=404)
        )
    state = link.state
    if state != "active":
        return None, _no_store(
            render(
                request,
                "transcripts/link_problem.html",
                {"problem": state, "link": link},
                status=410,
            )
        )
    return link, None


def _agent(request) -> str:
    return request.headers.get("User-Agent", "")[:200]


def shared(request, token):
    """The read-only transcript a share link opens. Every opening is logged for the student."""
    link, problem = _open_link(request, token)
    if problem:
        return problem
    version = link.version
    services.share_view_record(link=link, kind=ViewKind.PAGE, user_agent=_agent(request))
    ctx = tx_render.context(
        version.content,
        version=version,
        mode="page",
        verification_url=version.verification_url(),
        evidence_url=lambda key: reverse("transcripts:shared_evidence", args=[token, key]),
    )
    ctx.update(
        link=link,
        is_current=version.is_current,
        hash_ok=version.hash_matches(),
        revocations=selectors.revocations_since(version),
    )
    return _no_store(render(request, "transcripts/shared.html", ctx))


def shared_pdf(request, token):
    link, problem = _open_link(request, token)
    if problem:
        return problem
    services.share_view_record(link=link, kind=ViewKind.PDF, user_agent=_agent(request))
    return _no_store(_pdf_response(link.version, pdf_for(link.version, link=link)))


def shared_evidence(request, token, key):
    link, problem = _open_link(request, token)
    if problem:
        return problem
    item = _evidence(link.version, key)
    services.share_view_record(
        link=link, kind=ViewKind.EVIDENCE, evidence_key=key, user_agent=_agent(request)
    )
    return _no_store(
        render(
            request,
            "transcripts/evidence.html",
            {
                "item": item,
                "version": link.version,
                "content": link.version.content,
                "public": True,
                "back": reverse("transcripts:shared", args=[token]),
                "file_url": reverse("transcripts:shared_evidence_file", args=[token, key]),
            },
        )
    )


def shared_evidence_file(request, token, key):
    link, problem = _open_link(request, token)
    if problem:
        return problem
    item = _evidence(link.version, key)
    response = _evidence_file(item, key)
    services.share_view_record(
        link=link, kind=ViewKind.FILE, evidence_key=key, user_agent=_agent(request)
    )
    return _no_store(response)


def verify(request, public_id):
    """Say whether a version id belongs to a transcript this installation published, and its status."""
    version = find_version(public_id=public_id)
    newest = (
        TranscriptVersion.objects.filter(student_id=version.student_id)
        .order_by("-number")
        .only("number")
        .first()
    )
    response = render(
        request,
        "transcripts/verify.html",
        {
            "version": version,
            "content": version.content,
            "hash_ok": version.hash_matches(),
            "is_current": version.is_current,
            "newest": newest,
            "revocations": selectors.revocations_since(version),
        },
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
