"""The journey framework version: its domains, design essentials and competencies; status labels."""

from __future__ import annotations

from django.db.models import Prefetch

from credo.journey.models import (
    DesignEssential,
    EssentialDomain,
    JourneyCompetency,
    JourneyDomain,
    JourneyFramework,
    Status,
)

STATUS_LABELS = dict(Status.choices)


# --------------------------------------------------------------------------------------------
# The framework version


def framework_domains(
    framework: JourneyFramework, *, with_essentials: bool = False
) -> list[JourneyDomain]:
    """Return the version's domains in order, competencies (and essentials) prefetched."""
    qs = JourneyDomain.objects.filter(framework=framework).prefetch_related(
        Prefetch("competencies", queryset=JourneyCompetency.objects.order_by("number", "id"))
    )
    if with_essentials:
        qs = qs.prefetch_related(
            Prefetch(
                "essential_links",
                queryset=EssentialDomain.objects.select_related("essential").order_by(
                    "essential__order", "essential_id"
                ),
            )
        )
    return list(qs.order_by("order", "id"))


def framework_essentials(framework: JourneyFramework) -> list[DesignEssential]:
    """Return the version's design essentials, each with `.domain_list` (primary first)."""
    essentials = list(
        DesignEssential.objects.filter(framework=framework).prefetch_related(
            Prefetch(
                "domain_links",
                queryset=EssentialDomain.objects.select_related("domain").order_by("position"),
            )
        )
    )
    for e in essentials:
        e.domain_list = [link.domain for link in e.domain_links.all()]
    return essentials


def competencies_of(framework_or_id) -> list[JourneyCompetency]:
    return list(
        JourneyCompetency.objects.filter(
            framework_id=getattr(framework_or_id, "pk", framework_or_id)
        )
        .select_related("domain")
        .order_by("domain__order", "number", "id")
    )
