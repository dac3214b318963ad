"""Who may see and change a school's frameworks: here, its graduate-profile outcomes.

The graduate profile is part of the school's setup: admins and registrars define, edit and retire
its outcomes and say which credits serve each (`accounts.access.can_manage_setup`). Views, services
and tests ask these functions, never the roles directly.
"""

from __future__ import annotations

from django.http import Http404

from credo.accounts.access import can_manage_setup, require_manage_setup
from credo.frameworks.models import Outcome


def can_manage_outcomes(user, school) -> bool:
    """Return whether `user` may define, edit and retire `school`'s graduate-profile outcomes."""
    return can_manage_setup(user, school)


def require_manage_outcomes(actor, school, what: str = "change the graduate profile") -> None:
    """Raise NotAllowed unless `actor` may change `school`'s graduate profile."""
    require_manage_setup(actor, school, what)


def access_outcome(*, user, school, outcome_id, lock: bool = False) -> Outcome:
    """Return the school's outcome `outcome_id` for a user who may manage it; Http404 otherwise.

    Another school's outcome, or any outcome for someone who may not manage the profile, is
    simply not found: nothing about it leaks.
    """
    if not can_manage_outcomes(user, school):
        raise Http404("No such outcome.")
    rows = Outcome.objects.filter(school=school, pk=outcome_id).select_related("framework")
    outcome = (rows.select_for_update() if lock else rows).first()
    if outcome is None:
        raise Http404("No such outcome.")
    return outcome
