"""Fetch-and-authorize for transcripts. Another school's or student's records answer 404.

Published versions are read by those who may see the student (staff who work with them, the
student, their guardians). Share links are opened by anyone holding the token; changing one
takes the student or a registrar.

Eligibility and scholarship letters exist only while the school has turned grade conversion on:
admins and registrars produce and read them; the student and their guardians read their own
when the school lets them (`TranscriptPolicy.letters_to_family`); nobody else, ever.
"""

from __future__ import annotations

import uuid

from django.http import Http404

from credo.accounts.access import is_manager, is_student_self, roles_in, students_visible_to
from credo.accounts.models import MANAGER_ROLES, GuardianLink, Role
from credo.transcripts.models import (
    EligibilityLetter,
    PublicationRun,
    ShareLink,
    TranscriptComment,
    TranscriptPolicy,
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
    if is_student_self(user, student):
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


# --- eligibility and scholarship letters ---------------------------------------------------------


def letters_enabled(school) -> bool:
    """Return whether the school produces letters at all: only while grade conversion is on."""
    return bool(school.grade_conversion_enabled)


def letters_open_to_family(school) -> bool:
    """Return whether the school lets students and guardians read the letters made for them."""
    return TranscriptPolicy.objects.filter(school=school, letters_to_family=True).exists()


def may_produce_letter(user, school) -> bool:
    """Return whether `user` may produce letters for the school's students: an admin or registrar,
    while the school's grade conversion is on."""
    return letters_enabled(school) and is_manager(user, school)


def may_read_letters(user, student) -> bool:
    """Return whether `user` may read the letters produced about `student`: the school's admins and
    registrars; the student and their guardians if the school lets them; only while conversion is on.
    """
    if user is None or not user.is_authenticated:
        return False
    school = student.school
    if not letters_enabled(school):
        return False
    roles = roles_in(user, school)
    if roles & MANAGER_ROLES:
        return True
    if not letters_open_to_family(school):
        return False
    if Role.STUDENT in roles and is_student_self(user, student):
        return True
    return (
        Role.GUARDIAN in roles
        and GuardianLink.objects.filter(guardian=user, student=student, school=school).exists()
    )


def access_letter(*, user, school, letter_id) -> EligibilityLetter:
    """Return the school's letter with public id `letter_id` if `user` may read it; else Http404."""
    try:
        letter = EligibilityLetter.objects.select_related(
            "student", "student__school", "version", "produced_by"
        ).get(school=school, public_id=uuid.UUID(str(letter_id)))
    except (EligibilityLetter.DoesNotExist, ValueError):
        raise Http404("No such letter.") from None
    if not may_read_letters(user, letter.student):
        raise Http404("No such letter.")
    return letter
