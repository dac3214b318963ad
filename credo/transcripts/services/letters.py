"""Eligibility and scholarship letters: producing one for a student, and whether families read them."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from credo.accounts.access import require_manage_setup
from credo.core.audit import audit_record
from credo.core.errors import NotAllowed, ValidationError, refuse
from credo.core.limits import text_problem
from credo.transcripts import access, events, letters, selectors
from credo.transcripts.models import EligibilityLetter, TranscriptPolicy, content_hash

MAX_RECIPIENT = 200
MAX_PURPOSE = 300


def _one_line(value, *, field: str, limit: int, missing: str, errors: dict) -> str:
    text = " ".join(str(value or "").split())
    problem = text_problem(str(value or ""), limit=None) or text_problem(text, limit=limit)
    if not text:
        errors[field] = [missing]
    elif problem:
        errors[field] = [problem]
    return text


def letter_produce(
    *, actor, student, recipient: str, purpose: str, include_grades: bool = False
) -> EligibilityLetter:
    """Produce a letter about `student` for the named body or programme, frozen as it stands now.

    Only an admin or registrar, only while the school's grade conversion is on and its table
    defined, and only once the student has a published transcript (the letter points readers to
    its verification link). Audited as ``transcript.letter_produced``.
    """
    school = student.school
    if not access.letters_enabled(school):
        refuse(
            None,
            "Letters for eligibility bodies and scholarship programmes are off: the school has not "
            "turned on grade conversion (transcript settings).",
        )
    if not access.may_produce_letter(actor, school):
        raise NotAllowed("Only the school's admins and registrars produce these letters.")
    errors: dict[str, list[str]] = {}
    recipient = _one_line(
        recipient,
        field="recipient",
        limit=MAX_RECIPIENT,
        missing="Name the body or programme the letter is for, e.g. “NCAA Eligibility Center”.",
        errors=errors,
    )
    purpose = _one_line(
        purpose,
        field="purpose",
        limit=MAX_PURPOSE,
        missing="Say what the letter is for, e.g. “initial academic eligibility”.",
        errors=errors,
    )
    if errors:
        raise ValidationError(errors)
    table = selectors.grade_table_of(school)
    if table is None or not table.bands.exists():
        refuse(None, "Define the school's grade conversion table first (transcript settings).")
    version = selectors.versions_of(student).first()
    if version is None:
        refuse(
            None,
            "Publish the student's transcript first: the letter points the reader to its "
            "verification link.",
        )
    with transaction.atomic(durable=True):
        content = letters.letter_content(
            student=student,
            version=version,
            table=table,
            recipient=recipient,
            purpose=purpose,
            include_grades=bool(include_grades),
            signer=actor,
            today=timezone.localdate(),  # a letter is dated the day it is signed
        )
        letter = EligibilityLetter.objects.create(
            school=school,
            student=student,
            version=version,
            recipient=recipient,
            purpose=purpose,
            include_grades=bool(include_grades),
            content=content,
            content_hash=content_hash(content),
            produced_by=actor,
        )
        audit_record(
            actor=actor,
            school=school,
            action=events.LETTER_PRODUCED,
            target=letter,
            after={
                "student": student.pk,
                "recipient": recipient,
                "purpose": purpose,
                "include_grades": bool(include_grades),
                "version": str(version.public_id),
                "content_hash": letter.content_hash,
            },
        )
    return letter


def letters_to_family_set(*, actor, school, enabled: bool) -> TranscriptPolicy:
    """Choose whether students and their guardians may read the letters produced for them."""
    require_manage_setup(actor, school, "choose who reads eligibility letters")
    with transaction.atomic(durable=True):
        policy, _ = TranscriptPolicy.objects.select_for_update().get_or_create(school=school)
        before = {"letters_to_family": policy.letters_to_family}
        policy.letters_to_family = bool(enabled)
        policy.save(update_fields=["letters_to_family", "updated_at"])
        audit_record(
            actor=actor,
            school=school,
            action=events.LETTERS_TO_FAMILY_SET,
            target=policy,
            before=before,
            after={"letters_to_family": policy.letters_to_family},
        )
    return policy
