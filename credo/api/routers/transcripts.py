"""The API's transcripts router: published transcripts and share links."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from ninja import Router, Status

from credo.accounts.access import roles_in
from credo.accounts.models import Role
from credo.api.models import ApiToken, Scope
from credo.api.routers.common import _school, _student
from credo.api.schemas import (
    ERRORS,
    ShareLinkIn,
    ShareLinkOut,
    TranscriptVersionDetailOut,
    TranscriptVersionOut,
)
from credo.core.errors import NotAllowed

router = Router()


def _version_out(v, *, content: bool = False) -> dict:
    row = {
        "public_id": v.public_id,
        "number": v.number,
        "published_at": v.published_at,
        "content_hash": v.content_hash,
        "current": not getattr(v, "is_superseded", False),
        "note": v.note,
    }
    if content:
        row["content"] = v.content
    return row


@router.get(
    "/schools/{slug}/students/{student_id}/transcripts",
    response={200: list[TranscriptVersionOut], **ERRORS},
    tags=["transcripts"],
    summary="A student's published transcript versions, newest first",
)
def transcripts(request, slug: str, student_id: int):
    from credo.transcripts.models import TranscriptVersion

    _, student = _student(request, slug, student_id)
    later = TranscriptVersion.objects.filter(supersedes=OuterRef("pk"))
    qs = (
        TranscriptVersion.objects.filter(school_id=student.school_id, student=student)
        .annotate(is_superseded=Exists(later))
        .order_by("-number")
    )
    return [_version_out(v) for v in qs]


@router.get(
    "/schools/{slug}/transcripts/{public_id}",
    response={200: TranscriptVersionDetailOut, **ERRORS},
    tags=["transcripts"],
    summary="One published version with its content",
)
def transcript_detail(request, slug: str, public_id: str):
    from credo.transcripts.access import access_version
    from credo.transcripts.models import TranscriptVersion

    school = _school(request, slug)
    version = access_version(user=request.user, school=school, public_id=public_id)
    version.is_superseded = TranscriptVersion.objects.filter(supersedes=version).exists()
    return _version_out(version, content=True)


def _link_out(request, link) -> dict:
    return {
        "id": link.pk,
        "version": link.version.public_id,
        "recipient": link.recipient,
        # Only the token's hash is kept: the address is known in the answer that makes the link.
        "url": (
            request.build_absolute_uri(reverse("transcripts:shared", args=[link.token]))
            if link.token
            else None
        ),
        "created_at": link.created_at,
        "expires_at": link.expires_at,
        "revoked_at": link.revoked_at,
        "view_count": getattr(link, "view_count", 0),
    }


@router.get(
    "/schools/{slug}/students/{student_id}/share-links",
    response={200: list[ShareLinkOut], **ERRORS},
    tags=["transcripts"],
    summary="Links to a student's transcript (the student and registrars)",
)
def share_links(request, slug: str, student_id: int):
    from credo.transcripts.access import may_share
    from credo.transcripts.models import ShareLink

    _, student = _student(request, slug, student_id)
    if not may_share(request.user, student):
        raise PermissionDenied("Only the student or a registrar sees the transcript's share links.")
    qs = (
        ShareLink.objects.filter(school_id=student.school_id, student=student)
        .select_related("version")
        .annotate(view_count=Count("views"))
        .order_by("-created_at", "-id")
    )
    return [_link_out(request, link) for link in qs]


@router.post(
    "/schools/{slug}/share-links",
    response={201: ShareLinkOut, **ERRORS},
    tags=["transcripts"],
    summary="Share a published version with one recipient (the student or a registrar)",
)
def share_link_create(request, slug: str, payload: ShareLinkIn):
    from credo.transcripts import services as transcript_services
    from credo.transcripts.access import access_version

    school = _school(request, slug, _share_scope(request))
    version = access_version(user=request.user, school=school, public_id=payload.version)
    try:
        link = transcript_services.share_link_create(
            actor=request.user,
            version=version,
            recipient=payload.recipient,
            expires_on=payload.expires_on,
        )
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    link.view_count = 0
    return Status(201, _link_out(request, link))


@router.post(
    "/schools/{slug}/share-links/{link_id}/revoke",
    response={200: ShareLinkOut, **ERRORS},
    tags=["transcripts"],
    summary="Withdraw a share link",
)
def share_link_revoke(request, slug: str, link_id: int):
    from credo.transcripts import services as transcript_services
    from credo.transcripts.access import access_link_for_change

    school = _school(request, slug, _share_scope(request))
    link = access_link_for_change(user=request.user, school=school, link_id=link_id)
    try:
        link = transcript_services.share_link_revoke(actor=request.user, link=link)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    link.view_count = link.views.count()
    return _link_out(request, link)


def _share_scope(request) -> str:
    """A student shares their own transcript with a read token; staff need the admin scope to share."""
    token: ApiToken = request.auth
    return Scope.READ if Role.STUDENT in roles_in(token.user, token.school) else Scope.ADMIN
