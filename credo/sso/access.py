"""Fetch-and-authorize a school's identity provider."""

from django.http import Http404

from credo.accounts.access import can_manage_setup
from credo.sso.models import IdentityProvider


def access_provider(*, user, school, provider_id) -> IdentityProvider | None:
    """Return `school`'s provider `provider_id` (None for a new one) when `user` may manage the
    school's setup; Http404 otherwise, and for another school's provider."""
    if not can_manage_setup(user, school):
        raise Http404
    if provider_id is None:
        return None
    provider = IdentityProvider.objects.filter(pk=provider_id, school=school).first()
    if provider is None:
        raise Http404
    return provider
