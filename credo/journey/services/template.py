"""The journey template: installing it, and which versions a school may use."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from credo.accounts.access import system_actor
from credo.core.audit import audit_record
from credo.journey.events import JOURNEY_TEMPLATE_INSTALLED
from credo.journey.install import install_template
from credo.journey.models import JourneyFramework
from credo.journey.services.common import _MODELS
from credo.journey.template import JOURNEY_TEMPLATE

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
                action=JOURNEY_TEMPLATE_INSTALLED,
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
