"""Fetch-and-authorize for credentials. Another school's records answer 404."""

from __future__ import annotations

import uuid

from django.http import Http404

from credo.accounts.access import roles_in
from credo.accounts.models import MANAGER_ROLES
from credo.credentials.models import IssuedCredential


def is_manager(user, school) -> bool:
    return bool(user.is_superuser or roles_in(user, school) & MANAGER_ROLES)


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
