"""Moving a school's journey to another version of the framework."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from credo.core.audit import audit_record
from credo.core.errors import refuse
from credo.journey.events import JOURNEY_VERSION_MOVED
from credo.journey.models import (
    ActionStatus,
    JourneyActionItem,
    JourneyAssessment,
    JourneyCompetency,
    JourneyConsensus,
    JourneyEvidence,
    JourneyFramework,
)
from credo.journey.services.ratings import _lead_or_refuse, _write_consensus

# --------------------------------------------------------------------------------------------
# Moving to another version


def journey_version_move(*, actor, school, framework: JourneyFramework) -> JourneyAssessment:
    """Move the school to another published version: close the current self-assessment (it keeps
    pointing at its version) and open a new one, carrying over the agreed ratings, open action
    items and evidence of every competency whose code the new version still has."""
    _lead_or_refuse(actor, school, "move the school to another version")
    if framework.published_at is None:
        refuse("framework", "That version is still a draft.")
    if framework.network_id not in (None, school.network_id):
        refuse("framework", "That version belongs to another network.")
    with transaction.atomic(durable=True):
        current = (
            JourneyAssessment.objects.select_for_update()
            .filter(school=school, closed_at__isnull=True)
            .first()
        )
        if current is None:
            refuse(None, "The school has not started its journey self-assessment.")
        if current.framework_id == framework.pk:
            refuse("framework", "The school already uses this version.")
        current.closed_at = timezone.now()
        current.save(update_fields=["closed_at"])
        new = JourneyAssessment.objects.create(
            school=school, framework=framework, started_by=actor, carried_from=current
        )
        targets = {c.code: c for c in JourneyCompetency.objects.filter(framework=framework)}
        carried = 0
        for decision in JourneyConsensus.objects.filter(
            assessment=current, replaced_by__isnull=True
        ).select_related("competency"):
            target = targets.get(decision.competency.code)
            if target is None:
                continue
            note = f"Carried over from version {current.framework.version}."
            if decision.note:
                note = f"{decision.note} ({note})"
            _write_consensus(
                actor=actor,
                assessment=new,
                competency=target,
                status=decision.status,
                note=note,
                previous=None,
            )
            carried += 1
        for item in JourneyActionItem.objects.filter(assessment=current).exclude(
            status=ActionStatus.DONE
        ):
            target = targets.get(item.competency.code)
            if target is not None:
                JourneyActionItem.objects.create(
                    school=school,
                    assessment=new,
                    competency=target,
                    title=item.title,
                    owner=item.owner,
                    due_on=item.due_on,
                    status=item.status,
                    created_by=item.created_by,
                )
        for ev in JourneyEvidence.objects.filter(assessment=current, withdrawn_at__isnull=True):
            target = targets.get(ev.competency.code)
            if target is not None:
                JourneyEvidence.objects.create(
                    school=school,
                    assessment=new,
                    competency=target,
                    kind=ev.kind,
                    title=ev.title,
                    url=ev.url,
                    file=ev.file.name,
                    added_by=ev.added_by,
                )
        audit_record(
            actor=actor,
            school=school,
            action=JOURNEY_VERSION_MOVED,
            target=new,
            before={"assessment": current.pk, "framework": current.framework_id},
            after={"framework": framework.pk, "version": framework.version, "carried": carried},
        )
    return new
