"""Fetch-and-authorize for credentials. Another school's records answer 404."""

from __future__ import annotations

import uuid

from django.http import Http404

from credo.accounts.access import can_manage_setup
from credo.credentials.models import IssuedCredential


def is_manager(user, school) -> bool:
    """Return whether `user` administers the school's credentials: its admins and registrars."""
    return can_manage_setup(user, school)


def access_issued(*, user, school, public_id) -> IssuedCredential:
    """Return the school's issued credential if `user` administers the school; else Http404."""
    try:
        issued = IssuedCredential.objects.select_related("student", "award__credit").get(
            school=school, public_id=uuid.UUID(str(public_id))
        )
    except (IssuedCredential.DoesNotExist, ValueError):
        raise Http404("No such credential.") from None
    if not is_manager(user, school):
        raise Http404("No such credential.")
    return issued
