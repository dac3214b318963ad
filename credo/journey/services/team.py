"""Every write of the journey: template versions, the team, ratings, consensus, evidence,
action items, snapshots. Keyword-only, validated, one transaction each, every write audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from credo.accounts.access import roles_in, system_actor
from credo.accounts.models import STAFF_ROLES
from credo.core.audit import audit_record, audit_stamp, snapshot
from credo.core.errors import NotAllowed, ValidationError, refuse
from credo.journey.access import is_network_lead, may_manage_team, may_start_journey
from credo.journey.install import TemplateModels, install_template
from credo.journey.models import (
    ActionStatus,
    DesignEssential,
    EssentialDomain,
    EvidenceKind,
    JourneyActionItem,
    JourneyAssessment,
    JourneyCompetency,
    JourneyConsensus,
    JourneyDomain,
    JourneyEvidence,
    JourneyFramework,
    JourneyRating,
    JourneySnapshot,
    JourneyTeamMember,
    Level,
    Status,
    TeamRole,
)
from credo.journey.template import JOURNEY_TEMPLATE

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024

_MODELS = TemplateModels(
    framework=JourneyFramework,
    domain=JourneyDomain,
    competency=JourneyCompetency,
    essential=DesignEssential,
    essential_domain=EssentialDomain,
)


def _validated(obj, *, exclude=None):
    """Run full_clean and return the object; ValidationError carries field messages."""
    obj.full_clean(exclude=exclude, validate_constraints=False)
    return obj


# --------------------------------------------------------------------------------------------
# The template


def journey_template_install() -> JourneyFramework:
    """Return the built-in framework version, installing it from `template.py` when missing."""
    existing = JourneyFramework.objects.filter(
        key=JOURNEY_TEMPLATE.key, version=JOURNEY_TEMPLATE.version
    ).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        framework, created = install_template(_MODELS, published_at=timezone.now())
        if created:
            audit_record(
                actor=system_actor(),
                school=None,
                action="journey.template_installed",
                target=framework,
                after={"key": framework.key, "version": framework.version},
            )
    return framework


def frameworks_available_to(school) -> list[JourneyFramework]:
    """Return the published versions a school may use: built-in ones and its network's own."""
    journey_template_install()
    qs = JourneyFramework.objects.filter(published_at__isnull=False, network__isnull=True)
    if school.network_id:
        qs = qs | JourneyFramework.objects.filter(
            published_at__isnull=False, network_id=school.network_id
        )
    return list(qs.order_by("published_at", "id"))


def framework_default_for(school) -> JourneyFramework:
    """Return the version a school starts with: its network's newest adaptation, else the built-in."""
    available = frameworks_available_to(school)
    own = [f for f in available if f.network_id is not None]
    if own:
        return own[-1]
    return journey_template_install()


# --------------------------------------------------------------------------------------------
# Starting, and the team


def journey_start(
    *, actor, school, framework: JourneyFramework | None = None, position: str = ""
) -> JourneyAssessment:
    """Open the school's self-assessment (a school admin does this) and seat the admin as lead."""
    if actor is not None and not may_start_journey(actor, school):
        raise NotAllowed("Only a school admin may start the school's journey self-assessment.")
    framework = framework or framework_default_for(school)
    if framework.published_at is None:
        refuse("framework", "That version is still a draft; publish it first.")
    if framework.network_id not in (None, school.network_id):
        refuse("framework", "That version belongs to another network.")
    with transaction.atomic(durable=True):
        if JourneyAssessment.objects.filter(school=school, closed_at__isnull=True).exists():
            refuse(None, f"{school} has already started its journey self-assessment.")
        assessment = JourneyAssessment.objects.create(
            school=school, framework=framework, started_by=actor
        )
        audit_record(
            actor=actor,
            school=school,
            action="journey.started",
            target=assessment,
            after={"framework": framework.pk, "version": framework.version},
        )
        if (
            actor is not None
            and not JourneyTeamMember.objects.filter(school=school, user=actor).exists()
        ):
            _add_member(
                actor=actor, school=school, user=actor, role=TeamRole.LEAD, position=position
            )
    return assessment


def _add_member(*, actor, school, user, role, position) -> JourneyTeamMember:
    member = _validated(
        JourneyTeamMember(
            school=school, user=user, role=role, position=position.strip(), added_by=actor
        ),
        exclude=["added_by"],
    )
    member.save()
    audit_record(
        actor=actor,
        school=school,
        action="journey.team_member_added",
        target=member,
        after={"user": user.pk, "role": role, "position": member.position},
    )
    team = actor.__dict__.get("_credo_journey_team") if actor is not None else None
    if team is not None:
        team.pop(school.pk, None)
    return member


def team_member_add(
    *, actor, school, user, role: str = TeamRole.MEMBER, position: str = ""
) -> JourneyTeamMember:
    """Seat a staff member of the school on its leadership team."""
    if not may_manage_team(actor, school):
        raise NotAllowed("Only a school admin or the team's lead may change the team.")
    if role not in TeamRole.values:
        refuse("role", f"“{role}” is not a team role.")
    if not roles_in(user, school) & STAFF_ROLES:
        refuse("user", f"{user} is not on the staff of {school}.")
    with transaction.atomic(durable=True):
        if JourneyTeamMember.objects.filter(school=school, user=user).exists():
            refuse("user", f"{user} is already on the team.")
        return _add_member(actor=actor, school=school, user=user, role=role, position=position)


def _leads_other_than(member) -> int:
    return (
        JourneyTeamMember.objects.filter(school_id=member.school_id, role=TeamRole.LEAD)
        .exclude(pk=member.pk)
        .count()
    )


def team_member_update(
    *, actor, member: JourneyTeamMember, role: str, position: str = ""
) -> JourneyTeamMember:
    """Change a member's team role or position. The team always keeps at least one lead."""
    school = member.school
    if not may_manage_team(actor, school):
        raise NotAllowed("Only a school admin or the team's lead may change the team.")
    if role not in TeamRole.values:
        refuse("role", f"“{role}” is not a team role.")
    with transaction.atomic(durable=True):
        member = JourneyTeamMember.objects.select_for_update().get(pk=member.pk)
        if member.is_lead and role != TeamRole.LEAD and not _leads_other_than(member):
            refuse("role", "The team needs a lead; name another lead first.")
        before = snapshot(member, ["role", "position"])
        member.role, member.position = role, position.strip()
        _validated(member)
        member.save(update_fields=["role", "position"])
        audit_record(
            actor=actor,
            school=school,
            action="journey.team_member_changed",
            target=member,
            before=before,
            after=snapshot(member, ["role", "position"]),
        )
    return member


def team_member_remove(*, actor, member: JourneyTeamMember) -> JourneyTeamMember:
    """Take a member off the team and return the removed seat. Their past ratings stay."""
    school = member.school
    if not may_manage_team(actor, school):
        raise NotAllowed("Only a school admin or the team's lead may change the team.")
    with transaction.atomic(durable=True):
        member = JourneyTeamMember.objects.select_for_update().get(pk=member.pk)
        if member.is_lead and not _leads_other_than(member):
            refuse(None, "The team needs a lead; name another lead before removing this one.")
        before = snapshot(member, ["user", "role", "position"])
        target_id = member.pk
        member.delete()
        audit_record(
            actor=actor,
            school=school,
            action="journey.team_member_removed",
            target_type="journey.journeyteammember",
            target_id=target_id,
            before=before,
        )
    return member


# --------------------------------------------------------------------------------------------
# Ratings and consensus


def _member_or_refuse(user, school) -> JourneyTeamMember:
    member = JourneyTeamMember.objects.filter(school=school, user=user).first()
    if member is None:
        raise NotAllowed(f"{user} is not on the leadership team of {school}.")
    return member


def _lead_or_refuse(user, school, what: str) -> JourneyTeamMember:
    member = _member_or_refuse(user, school)
    if not member.is_lead:
        raise NotAllowed(f"Only the team's lead may {what}.")
    return member


def _lock_assessment(assessment) -> JourneyAssessment:
    locked = JourneyAssessment.objects.select_for_update().get(pk=assessment.pk)
    if not locked.is_open:
        refuse(None, "This self-assessment is closed; the school has moved to another version.")
    return locked


def _check_status(status, field: str = "status") -> str:
    if status not in Status.values:
        refuse(field, f"“{status}” is not one of: not started, in progress, earned.")
    return status


def journey_ratings_record(
    *, rater, assessment: JourneyAssessment, entries: Mapping[str, tuple[str, str]]
) -> list[JourneyRating]:
    """Record a team member's own ratings, `entries` mapping competency code to (status, note).

    All or nothing. A rating equal to the member's current one (status and note) is skipped, so
    saving an unchanged form writes nothing. Return the new rows.
    """
    school = assessment.school
    _member_or_refuse(rater, school)
    competencies = {
        c.code: c for c in JourneyCompetency.objects.filter(framework_id=assessment.framework_id)
    }
    errors: dict[str, list[str]] = {}
    cleaned: list[tuple[JourneyCompetency, str, str]] = []
    for code, (status, note) in entries.items():
        competency = competencies.get(code)
        if competency is None:
            errors.setdefault(code, []).append(f"{code} is not a competency of this version.")
            continue
        if status not in Status.values:
            errors.setdefault(code, []).append(
                f"Choose not started, in progress or earned for {code}, not “{status}”."
            )
            continue
        cleaned.append((competency, status, (note or "").strip()))
    if errors:
        raise ValidationError(errors)
    written: list[JourneyRating] = []
    with transaction.atomic(durable=True):
        assessment = _lock_assessment(assessment)
        current = {
            r.competency_id: r
            for r in JourneyRating.objects.filter(
                assessment=assessment, rater=rater, replaced_by__isnull=True
            )
        }
        now = timezone.now()
        for competency, status, note in cleaned:
            previous = current.get(competency.pk)
            if previous is not None and previous.status == status and previous.note == note:
                continue
            if previous is None and status == Status.NOT_STARTED and not note:
                # Not started is what an unrated competency already means; a blank form row adds nothing.
                continue
            rating = JourneyRating(
                school_id=school.pk,
                assessment=assessment,
                competency=competency,
                rater=rater,
                status=status,
                note=note,
                rated_at=now,
                replaces=previous,
            )
            rating.save()
            written.append(rating)
            audit_record(
                actor=rater,
                school=school,
                action="journey.rated",
                target=rating,
                before={"status": previous.status, "note": previous.note} if previous else None,
                after={"competency": competency.code, "status": status, "note": note},
            )
    return written


def journey_rating_record(
    *, rater, assessment, competency: JourneyCompetency, status: str, note: str = ""
):
    """Record one rating; return the new row, or None when nothing changed."""
    written = journey_ratings_record(
        rater=rater, assessment=assessment, entries={competency.code: (status, note)}
    )
    return written[0] if written else None


def _write_consensus(*, actor, assessment, competency, status, note, previous) -> JourneyConsensus:
    decision = JourneyConsensus(
        school_id=assessment.school_id,
        assessment=assessment,
        competency=competency,
        status=status,
        note=note,
        decided_by=actor,
        decided_at=timezone.now(),
        replaces=previous,
    )
    decision.save()
    audit_record(
        actor=actor,
        school=assessment.school_id,
        action="journey.consensus_recorded",
        target=decision,
        before={"status": previous.status, "note": previous.note} if previous else None,
        after={"competency": competency.code, "status": status, "note": note},
    )
    return decision


def journey_consensus_record(
    *,
    actor,
    assessment: JourneyAssessment,
    competency: JourneyCompetency,
    status: str,
    note: str = "",
) -> JourneyConsensus:
    """Record the rating the team agreed on for one competency (the team's lead does this).

    Return the current decision, which is the previous one when nothing changed.
    """
    school = assessment.school
    _lead_or_refuse(actor, school, "record the team's agreed rating")
    _check_status(status)
    if competency.framework_id != assessment.framework_id:
        refuse("competency", f"{competency.code} is not a competency of this version.")
    note = (note or "").strip()
    with transaction.atomic(durable=True):
        assessment = _lock_assessment(assessment)
        previous = JourneyConsensus.objects.filter(
            assessment=assessment, competency=competency, replaced_by__isnull=True
        ).first()
        if previous is not None and previous.status == status and previous.note == note:
            return previous
        return _write_consensus(
            actor=actor,
            assessment=assessment,
            competency=competency,
            status=status,
            note=note,
            previous=previous,
        )


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
            action="journey.evidence_added",
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
        audit_stamp(evidence, "withdrawn", actor=actor, action="journey.evidence_withdrawn")
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
            action="journey.action_created",
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
            action="journey.action_changed",
            target=item,
            before=before,
            after=after,
        )
    return item


# --------------------------------------------------------------------------------------------
# Snapshots


def term_label(term) -> str:
    """Return a term's name with its school year, unless the name already says the year."""
    name, year = term.name.strip(), term.school_year.strip()
    if not year or year.replace("–", "-") in name.replace("–", "-"):
        return name
    return f"{name} {year}"


def default_snapshot_label(school, today: dt.date | None = None) -> str:
    """Return the current term's name (“Fall 2025-26”), or the date when no term is running."""
    from credo.schools.models import Term

    today = today or school.today()
    term = Term.objects.filter(school=school, starts_on__lte=today, ends_on__gte=today).first()
    if term is not None:
        return term_label(term)
    return f"{today:%B} {today.year}"


def journey_snapshot_take(
    *, actor, assessment: JourneyAssessment, label: str = "", note: str = ""
) -> JourneySnapshot:
    """Freeze the team's agreed ratings as they stand now (the lead does this, e.g. each term)."""
    from credo.journey.selectors import consensus_statuses, count_statuses

    school = assessment.school
    _lead_or_refuse(actor, school, "take a snapshot")
    label = (label or "").strip() or default_snapshot_label(school)
    with transaction.atomic(durable=True):
        assessment = _lock_assessment(assessment)
        competencies = list(JourneyCompetency.objects.filter(framework_id=assessment.framework_id))
        statuses = consensus_statuses(assessment, competencies)
        shot = _validated(
            JourneySnapshot(
                school_id=school.pk,
                assessment=assessment,
                label=label,
                note=(note or "").strip(),
                statuses=statuses,
                counts=count_statuses(competencies, statuses),
                taken_at=timezone.now(),
                taken_by=actor,
            )
        )
        shot.save()
        audit_record(
            actor=actor,
            school=school,
            action="journey.snapshot_taken",
            target=shot,
            after={"label": label, "counts": shot.counts},
        )
    return shot


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
            action="journey.version_moved",
            target=new,
            before={"assessment": current.pk, "framework": current.framework_id},
            after={"framework": framework.pk, "version": framework.version, "carried": carried},
        )
    return new


# --------------------------------------------------------------------------------------------
# Network adaptations of the template


def _network_lead_or_refuse(actor, network):
    if not is_network_lead(actor, network):
        raise NotAllowed(f"Only a lead of {network} may adapt the journey template for it.")


def _draft_or_refuse(framework: JourneyFramework):
    if framework.network_id is None:
        raise NotAllowed("The built-in template is read-only; adapt it for your network instead.")
    if framework.published_at is not None:
        refuse(None, "This version is published and frozen; adapt it again to change it.")


def framework_adapt(*, actor, network, base: JourneyFramework, version: str) -> JourneyFramework:
    """Copy a published version into a new draft version that belongs to `network`."""
    _network_lead_or_refuse(actor, network)
    if base.network_id not in (None, network.pk):
        refuse("base", "That version belongs to another network.")
    if base.published_at is None:
        refuse("base", "Adapt a published version.")
    version = (version or "").strip()
    if not version:
        refuse("version", "Name the new version, e.g. “2025 Riverbend edition”.")
    if JourneyFramework.objects.filter(key=base.key, version=version).exists():
        refuse("version", f"There is already a version called “{version}”.")
    with transaction.atomic(durable=True):
        framework = _validated(
            JourneyFramework(
                key=base.key,
                version=version,
                title=base.title,
                description=base.description,
                network=network,
                based_on=base,
                created_by=actor,
            ),
            exclude=["created_by"],
        )
        framework.save()
        domains = {}
        for d in JourneyDomain.objects.filter(framework=base):
            old_pk = d.pk
            d.pk = None
            d.framework = framework
            d.save()
            domains[old_pk] = d
        JourneyCompetency.objects.bulk_create(
            JourneyCompetency(
                framework=framework,
                domain=domains[c.domain_id],
                code=c.code,
                number=c.number,
                title=c.title,
                level=c.level,
                description=c.description,
            )
            for c in JourneyCompetency.objects.filter(framework=base)
        )
        for e in DesignEssential.objects.filter(framework=base).prefetch_related("domain_links"):
            links = list(e.domain_links.all())
            e.pk = None
            e.framework = framework
            e.save()
            EssentialDomain.objects.bulk_create(
                EssentialDomain(essential=e, domain=domains[link.domain_id], position=link.position)
                for link in links
            )
        audit_record(
            actor=actor,
            school=None,
            action="journey.framework_adapted",
            target=framework,
            after={"network": network.pk, "based_on": base.pk, "version": version},
        )
    return framework


def framework_domain_update(
    *,
    actor,
    domain: JourneyDomain,
    name: str,
    guiding_question: str,
    deliverable_title: str,
    deliverable: str,
) -> JourneyDomain:
    """Reword a domain of a draft version."""
    framework = domain.framework
    _network_lead_or_refuse(actor, framework.network)
    _draft_or_refuse(framework)
    fields = ["name", "guiding_question", "deliverable_title", "deliverable"]
    before = snapshot(domain, fields)
    domain.name, domain.guiding_question = name.strip(), guiding_question.strip()
    domain.deliverable_title, domain.deliverable = deliverable_title.strip(), deliverable.strip()
    _validated(domain)
    with transaction.atomic(durable=True):
        domain.save(update_fields=fields)
        audit_record(
            actor=actor,
            school=None,
            action="journey.domain_changed",
            target=domain,
            before=before,
            after=snapshot(domain, fields),
        )
    return domain


def framework_competency_update(
    *, actor, competency: JourneyCompetency, title: str, description: str, level: str
) -> JourneyCompetency:
    """Reword a competency of a draft version, or change its level."""
    framework = competency.framework
    _network_lead_or_refuse(actor, framework.network)
    _draft_or_refuse(framework)
    if level not in Level.values:
        refuse("level", "Choose foundational or advanced.")
    fields = ["title", "description", "level"]
    before = snapshot(competency, fields)
    competency.title, competency.description, competency.level = (
        title.strip(),
        description.strip(),
        level,
    )
    _validated(competency)
    with transaction.atomic(durable=True):
        competency.save(update_fields=fields)
        audit_record(
            actor=actor,
            school=None,
            action="journey.competency_changed",
            target=competency,
            before=before,
            after=snapshot(competency, fields),
        )
    return competency


def framework_competency_add(
    *, actor, domain: JourneyDomain, title: str, description: str, level: str
) -> JourneyCompetency:
    """Add a competency at the end of a domain of a draft version (code = domain code + number)."""
    framework = domain.framework
    _network_lead_or_refuse(actor, framework.network)
    _draft_or_refuse(framework)
    if level not in Level.values:
        refuse("level", "Choose foundational or advanced.")
    with transaction.atomic(durable=True):
        number = (
            JourneyCompetency.objects.filter(domain=domain).aggregate(n=Max("number"))["n"] or 0
        ) + 1
        competency = _validated(
            JourneyCompetency(
                framework=framework,
                domain=domain,
                code=f"{domain.code}{number}",
                number=number,
                title=title.strip(),
                description=description.strip(),
                level=level,
            )
        )
        try:
            competency.save()
        except IntegrityError:
            refuse(None, f"{competency.code} already exists in this version.")
        audit_record(
            actor=actor,
            school=None,
            action="journey.competency_added",
            target=competency,
            after=snapshot(competency, ["code", "title", "level", "description"]),
        )
    return competency


def framework_competency_remove(*, actor, competency: JourneyCompetency) -> JourneyCompetency:
    """Remove a competency from a draft version (no school has rated a draft); return it."""
    framework = competency.framework
    _network_lead_or_refuse(actor, framework.network)
    _draft_or_refuse(framework)
    with transaction.atomic(durable=True):
        before = snapshot(competency, ["code", "title", "level"])
        target_id = competency.pk
        competency.delete()
        audit_record(
            actor=actor,
            school=None,
            action="journey.competency_removed",
            target_type="journey.journeycompetency",
            target_id=target_id,
            before=before,
        )
    return competency


def framework_publish(*, actor, framework: JourneyFramework) -> JourneyFramework:
    """Publish a draft version: the network's schools may then move to it, and it is frozen."""
    _network_lead_or_refuse(actor, framework.network)
    _draft_or_refuse(framework)
    domains = list(JourneyDomain.objects.filter(framework=framework))
    counts = {d.pk: 0 for d in domains}
    for c in JourneyCompetency.objects.filter(framework=framework).only("domain_id", "level"):
        counts[c.domain_id] += 1
    empty = [d.name for d in domains if not counts[d.pk]]
    if empty:
        refuse(None, f"Every domain needs at least one competency: {', '.join(empty)} has none.")
    with transaction.atomic(durable=True):
        framework.published_at = timezone.now()
        framework.save(update_fields=["published_at"])
        audit_record(
            actor=actor,
            school=None,
            action="journey.framework_published",
            target=framework,
            after={"published_at": framework.published_at},
        )
    return framework
