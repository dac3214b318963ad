"""Writes of the improvement app: moderation sessions (start, score, close). Keyword-only,
validated, one transaction each, audited."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from credo.accounts.access import roles_in
from credo.accounts.models import MANAGER_ROLES, Role
from credo.core.audit import audit_record
from credo.core.errors import Conflict, NotAllowed, ValidationError
from credo.improve.access import is_session_assessor, may_run_moderation
from credo.improve.events import MODERATION_CLOSED, MODERATION_SCORED, MODERATION_SESSION_CREATED
from credo.improve.models import (
    ModerationAssessor,
    ModerationItem,
    ModerationScore,
    ModerationSession,
)

MAX_ITEMS = 60
MAX_ASSESSORS = 12


def session_create(
    *, actor, school, title: str, competency_id, evidence_ids, assessor_ids
) -> ModerationSession:
    """Start a moderation session on one target with the chosen evidence and assessors."""
    from credo.accounts.models import User
    from credo.evidence.models import Evidence
    from credo.frameworks.models import Competency

    if actor is None or not may_run_moderation(actor, school):
        raise NotAllowed("Only a school admin or registrar may start a moderation session.")
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = ["Give the session a title."]
    competency = None
    try:
        competency = Competency.objects.get(pk=int(competency_id), school=school)
    except (TypeError, ValueError, OverflowError, Competency.DoesNotExist):
        errors["competency"] = ["Choose a target of this school."]
    try:
        evidence_ids = sorted({int(e) for e in evidence_ids or []})
        assessor_ids = sorted({int(a) for a in assessor_ids or []})
    except (TypeError, ValueError, OverflowError):
        raise ValidationError("Evidence and assessors are chosen by their numbers.") from None
    evidence = list(Evidence.objects.filter(school=school, pk__in=evidence_ids))
    if len(evidence) != len(evidence_ids):
        errors["evidence"] = ["Some of the chosen evidence is not this school's."]
    elif not 2 <= len(evidence) <= MAX_ITEMS:
        errors["evidence"] = [f"Choose from 2 to {MAX_ITEMS} pieces of evidence."]
    assessors = list(User.objects.filter(pk__in=assessor_ids, is_active=True))
    staff = {Role.TEACHER, *MANAGER_ROLES}
    if len(assessors) != len(assessor_ids) or any(
        not (roles_in(u, school) & staff) or u.is_superuser for u in assessors
    ):
        errors["assessors"] = ["Assessors must be teachers, admins or registrars of this school."]
    elif not 2 <= len(assessors) <= MAX_ASSESSORS:
        errors["assessors"] = [f"Choose from 2 to {MAX_ASSESSORS} assessors."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        session = ModerationSession.objects.create(
            school=school, title=title, competency=competency, created_by=actor
        )
        ModerationItem.objects.bulk_create(
            ModerationItem(school=school, session=session, evidence=e, position=k)
            for k, e in enumerate(evidence)
        )
        ModerationAssessor.objects.bulk_create(
            ModerationAssessor(school=school, session=session, user=u) for u in assessors
        )
        audit_record(
            actor=actor,
            school=school,
            action=MODERATION_SESSION_CREATED,
            target=session,
            after={
                "title": title,
                "competency": competency.pk,
                "evidence": evidence_ids,
                "assessors": assessor_ids,
            },
        )
    return session


def score_record(*, actor, session, item_id, value) -> ModerationScore:
    """Record (or change, while the session is open) `actor`'s level for one piece."""
    if actor is None or not is_session_assessor(actor, session):
        raise NotAllowed("Only the session's assessors score its evidence.")
    scale = session.competency.effective_scale
    levels = [lv for lv in scale.levels.values_list("value", flat=True)]
    try:
        value = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"value": ["Choose one of the scale's levels."]}) from None
    if value not in levels:
        raise ValidationError({"value": ["Choose one of the scale's levels."]})
    try:
        item = ModerationItem.objects.get(pk=int(item_id), session=session)
    except (TypeError, ValueError, OverflowError, ModerationItem.DoesNotExist):
        raise ValidationError({"item": ["That piece is not part of this session."]}) from None
    with transaction.atomic(durable=True):
        locked = ModerationSession.objects.select_for_update().get(pk=session.pk)
        if not locked.is_open:
            raise Conflict("The session was closed meanwhile; scores can no longer change.")
        score, created = ModerationScore.objects.update_or_create(
            item=item, assessor=actor, defaults={"school": session.school, "value": value}
        )
        audit_record(
            actor=actor,
            school=session.school,
            action=MODERATION_SCORED,
            target=score,
            after={"item": item.pk, "value": str(value), "new": created},
        )
    return score


def session_close(*, actor, session) -> ModerationSession:
    """Close the session: no score changes any more, and everyone in it sees every score."""
    if actor is None or not may_run_moderation(actor, session.school):
        raise NotAllowed("Only a school admin or registrar may close a moderation session.")
    with transaction.atomic(durable=True):
        locked = ModerationSession.objects.select_for_update().get(pk=session.pk)
        if not locked.is_open:
            raise Conflict("The session is already closed.")
        locked.closed_at = timezone.now()
        locked.closed_by = actor
        locked.save(update_fields=["closed_at", "closed_by"])
        audit_record(actor=actor, school=session.school, action=MODERATION_CLOSED, target=locked)
    return locked
