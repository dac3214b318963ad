"""Network adaptations of the template: a network lead's draft versions and their publication."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from credo.core.audit import audit_record, snapshot
from credo.core.errors import NotAllowed, refuse
from credo.journey.access import is_network_lead
from credo.journey.events import (
    JOURNEY_COMPETENCY_ADDED,
    JOURNEY_COMPETENCY_CHANGED,
    JOURNEY_COMPETENCY_REMOVED,
    JOURNEY_DOMAIN_CHANGED,
    JOURNEY_FRAMEWORK_ADAPTED,
    JOURNEY_FRAMEWORK_PUBLISHED,
)
from credo.journey.models import (
    DesignEssential,
    EssentialDomain,
    JourneyCompetency,
    JourneyDomain,
    JourneyFramework,
    Level,
)
from credo.journey.services.common import _validated

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
            action=JOURNEY_FRAMEWORK_ADAPTED,
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
            action=JOURNEY_DOMAIN_CHANGED,
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
            action=JOURNEY_COMPETENCY_CHANGED,
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
            action=JOURNEY_COMPETENCY_ADDED,
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
            action=JOURNEY_COMPETENCY_REMOVED,
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
            action=JOURNEY_FRAMEWORK_PUBLISHED,
            target=framework,
            after={"published_at": framework.published_at},
        )
    return framework
