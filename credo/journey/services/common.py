"""What the journey services share: evidence size limit, the template's models and validation."""

from __future__ import annotations

from credo.journey.install import TemplateModels
from credo.journey.models import (
    DesignEssential,
    EssentialDomain,
    JourneyCompetency,
    JourneyDomain,
    JourneyFramework,
)

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
