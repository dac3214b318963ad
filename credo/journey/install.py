"""Copy a journey template (pure data from `template.py`) into framework-version rows.

The model classes are passed in so that a data migration can use its historical models and the
service its current ones. The copy is idempotent: an existing version with the same key and
version is returned untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from credo.journey.template import JOURNEY_TEMPLATE, JourneyTemplateSpec


@dataclass(frozen=True)
class TemplateModels:
    framework: Any
    domain: Any
    competency: Any
    essential: Any
    essential_domain: Any


def install_template(
    models: TemplateModels, spec: JourneyTemplateSpec = JOURNEY_TEMPLATE, *, published_at
) -> tuple[Any, bool]:
    """Return (the framework version for `spec`, whether it was created now)."""
    existing = models.framework.objects.filter(key=spec.key, version=spec.version).first()
    if existing is not None:
        return existing, False
    framework = models.framework.objects.create(
        key=spec.key,
        version=spec.version,
        title=spec.title,
        description=spec.description,
        published_at=published_at,
    )
    domains = {}
    for d in spec.domains:
        domains[d.code] = models.domain.objects.create(
            framework=framework,
            code=d.code,
            name=d.name,
            order=d.order,
            guiding_question=d.guiding_question,
            deliverable_title=d.deliverable_title,
            deliverable=d.deliverable,
            colour=d.colour,
        )
    models.competency.objects.bulk_create(
        models.competency(
            framework=framework,
            domain=domains[c.domain],
            code=c.code,
            number=c.number,
            title=c.title,
            level=c.level,
            description=c.description,
        )
        for c in spec.competencies
    )
    for order, e in enumerate(spec.essentials, start=1):
        essential = models.essential.objects.create(
            framework=framework, code=e.code, title=e.title, description=e.description, order=order
        )
        models.essential_domain.objects.bulk_create(
            models.essential_domain(essential=essential, domain=domains[code], position=position)
            for position, code in enumerate(e.domains)
        )
    return framework, True
