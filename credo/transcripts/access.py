"""Fetch-and-authorize for transcripts. Another school's or student's records answer 404.

Published versions are read by those who may see the student (staff who work with them, the
student, their guardians). Share links are opened by anyone holding the token; changing one
takes the student or a registrar.
"""

from __future__ import annotations

import uuid

from django.http import Http404

from credo.accounts.access import is_manager, roles_in, students_visible_to
from credo.accounts.models import MANAGER_ROLES
from credo.transcripts.models import (
    PublicationRun,
    ShareLink,
    TranscriptComment,
    TranscriptVersion,
)


def access_publication_run(*, user, school, run_id) -> PublicationRun:
    """Return the school's publication run for an admin or registrar; else Http404."""
    if not is_manager(user, school):
        raise Http404("No such run.")
    try:
        return PublicationRun.objects.select_related("requested_by").get(pk=run_id, school=school)
    except (PublicationRun.DoesNotExist, ValueError, TypeError):
        raise Http404("No such run.") from None


def access_version(*, user, school, public_id) -> TranscriptVersion:
    """Return the school's published version with `public_id` if `user` may see its student."""
    try:
        version = TranscriptVersion.objects.select_related("student", "published_by").get(
            school=school, public_id=uuid.UUID(str(public_id))
        )
    except (TranscriptVersion.DoesNotExist, ValueError):
        raise Http404("No such transcript.") from None
    if not students_visible_to(user, school).filter(pk=version.student_id).exists():
        raise Http404("No such transcript.")
    return version


def find_version(*, public_id) -> TranscriptVersion:
    """Return any version by its public id (the verification page shows only its status)."""
    try:
        return TranscriptVersion.objects.select_related("student", "school").get(
            public_id=uuid.UUID(str(public_id))
        )
    except (TranscriptVersion.DoesNotExist, ValueError):
        raise Http404("No such transcript.") from None


def find_share_link(*, token: str) -> ShareLink:
    """Return the link with this token, whatever its state (the view says if it lapsed); else
    Http404. Looked up by the token's hash, the only form stored; the link carries the token."""
    if not token or len(token) > 64:
        raise Http404("No such link.")
    try:
        link = ShareLink.objects.select_related("version", "student").get(
            token_hash=ShareLink.hash_token(token)
        )
    except ShareLink.DoesNotExist:
        raise Http404("No such link.") from None
    link.token = token
    return link


def may_share(user, student) -> bool:
    """Return whether `user` may create and withdraw links to the student's transcript."""
    if user is None or not user.is_authenticated:
        return False
    if student.user_id is not None and student.user_id == user.pk:
        return True
    return bool(roles_in(user, student.school_id) & MANAGER_ROLES)


def access_link_for_change(*, user, school, link_id) -> ShareLink:
    """Return the school's link if `user` may withdraw it; else Http404."""
    try:
        link = ShareLink.objects.select_related("student").get(pk=link_id, school=school)
    except (ShareLink.DoesNotExist, ValueError, TypeError):
        raise Http404("No such link.") from None
    if not may_share(user, link.student):
        raise Http404("No such link.")
    return link


def access_comment(*, user, school, comment_id) -> TranscriptComment:
    """Return the school's comment if `user` may see its student; else Http404."""
    try:
        comment = TranscriptComment.objects.select_related("student").get(
            pk=comment_id, school=school
        )
    except (TranscriptComment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such comment.") from None
    if not students_visible_to(user, school).filter(pk=comment.student_id).exists():
        raise Http404("No such comment.")
    return comment
