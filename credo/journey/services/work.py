"""Evidence and action items of a journey."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from credo.core.audit import audit_record, audit_stamp, snapshot
from credo.core.errors import NotAllowed, refuse
from credo.journey.events import (
    JOURNEY_ACTION_CHANGED,
    JOURNEY_ACTION_CREATED,
    JOURNEY_EVIDENCE_ADDED,
    JOURNEY_EVIDENCE_WITHDRAWN,
)
from credo.journey.models import (
    ActionStatus,
    EvidenceKind,
    JourneyActionItem,
    JourneyAssessment,
    JourneyCompetency,
    JourneyEvidence,
    JourneyTeamMember,
)
from credo.journey.services.common import MAX_EVIDENCE_BYTES, _validated
from credo.journey.services.ratings import _lock_assessment, _member_or_refuse

# --------------------------------------------------------------------------------------------
# Evidence and action items


def journey_evidence_add(
    *,
    actor,
    assessment: JourneyAssessment,
    competency: JourneyCompetency,
    title: str,
    url: str = "",
    file=None,
) -> JourneyEvidence:
    """Attach a link or a file to a competency as evidence of where the school stands."""
    school = assessment.school
    _member_or_refuse(actor, school)
    if competency.framework_id != assessment.framework_id:
        refuse("competency", f"{competency.code} is not a competency of this version.")
    url = (url or "").strip()
    if bool(url) == bool(file):
        refuse("url", "Give either a link or a file.")
    if file is not None and file.size > MAX_EVIDENCE_BYTES:
        refuse("file", f"That file is larger than {MAX_EVIDENCE_BYTES // (1024 * 1024)} MB.")
    evidence = JourneyEvidence(
        school_id=school.pk,
        assessment=assessment,
        competency=competency,
        kind=EvidenceKind.FILE if file else EvidenceKind.LINK,
        title=(title or "").strip(),
        url=url,
        added_by=actor,
    )
    if file is not None:
        evidence.file = file
    _validated(evidence, exclude=["file"] if file is not None else None)
    with transaction.atomic(durable=True):
        _lock_assessment(assessment)
        evidence.save()
        audit_record(
            actor=actor,
            school=school,
            action=JOURNEY_EVIDENCE_ADDED,
            target=evidence,
            after={
                "competency": competency.code,
                "kind": evidence.kind,
                "title": evidence.title,
                "url": url,
                "file": evidence.file.name if file else "",
            },
        )
    return evidence


def journey_evidence_withdraw(*, actor, evidence: JourneyEvidence) -> JourneyEvidence:
    """Withdraw a piece of evidence (whoever added it, or the lead). It stays in the record."""
    member = _member_or_refuse(actor, evidence.school_id)
    if not (member.is_lead or evidence.added_by_id == actor.pk):
        raise NotAllowed("Only whoever added this evidence, or the team's lead, may withdraw it.")
    with transaction.atomic(durable=True):
        evidence = JourneyEvidence.objects.select_for_update().get(pk=evidence.pk)
        if evidence.withdrawn_at is not None:
            return evidence
        audit_stamp(evidence, "withdrawn", actor=actor, action=JOURNEY_EVIDENCE_WITHDRAWN)
    return evidence


def _check_owner(owner, school):
    if (
        owner is not None
        and not JourneyTeamMember.objects.filter(school=school, user=owner).exists()
    ):
        refuse("owner", f"{owner} is not on the leadership team.")


def journey_action_create(
    *,
    actor,
    assessment: JourneyAssessment,
    competency: JourneyCompetency,
    title: str,
    owner=None,
    due_on: dt.date | None = None,
) -> JourneyActionItem:
    """Add an action item on a competency, owned by a team member, with an optional due date."""
    school = assessment.school
    _member_or_refuse(actor, school)
    if competency.framework_id != assessment.framework_id:
        refuse("competency", f"{competency.code} is not a competency of this version.")
    _check_owner(owner, school)
    item = _validated(
        JourneyActionItem(
            school_id=school.pk,
            assessment=assessment,
            competency=competency,
            title=(title or "").strip(),
            owner=owner,
            due_on=due_on,
            created_by=actor,
        )
    )
    with transaction.atomic(durable=True):
        _lock_assessment(assessment)
        item.save()
        audit_record(
            actor=actor,
            school=school,
            action=JOURNEY_ACTION_CREATED,
            target=item,
            after={
                "competency": competency.code,
                **snapshot(item, ["title", "owner_id", "due_on", "status"]),
            },
        )
    return item


_UNSET = object()


def journey_action_update(
    *, actor, item: JourneyActionItem, title=_UNSET, owner=_UNSET, due_on=_UNSET, status=_UNSET
) -> JourneyActionItem:
    """Change an action item's title, owner, due date or status (any team member may)."""
    school = item.school
    _member_or_refuse(actor, school)
    if owner is not _UNSET:
        _check_owner(owner, school)
    if status is not _UNSET and status not in ActionStatus.values:
        refuse("status", f"“{status}” is not an action status.")
    fields = ["title", "owner_id", "due_on", "status"]
    with transaction.atomic(durable=True):
        item = JourneyActionItem.objects.select_for_update().get(pk=item.pk)
        before = snapshot(item, fields)
        if title is not _UNSET:
            item.title = (title or "").strip()
        if owner is not _UNSET:
            item.owner = owner
        if due_on is not _UNSET:
            item.due_on = due_on
        if status is not _UNSET:
            item.status = status
            item.completed_at = timezone.now() if status == ActionStatus.DONE else None
        _validated(item)
        after = snapshot(item, fields)
        if after == before:
            return item
        item.save()
        audit_record(
            actor=actor,
            school=school,
            action=JOURNEY_ACTION_CHANGED,
            target=item,
            before=before,
            after=after,
        )
    return item
