"""Fetch-and-authorize for tokens, and how an API request finds its school."""

from django.http import Http404

from credo.accounts.access import access_school, roles_in
from credo.accounts.models import MANAGER_ROLES
from credo.api.models import ApiToken


def access_token(*, user, school, token_id) -> ApiToken:
    """Return a token of `school` that `user` owns, or any of the school's tokens for a manager; else 404."""
    try:
        token = ApiToken.objects.select_related("user").get(pk=token_id, school=school)
    except (ApiToken.DoesNotExist, ValueError, TypeError):
        raise Http404("No such token.") from None
    if token.user_id != user.pk and not (roles_in(user, school) & MANAGER_ROLES):
        raise Http404("No such token.")
    return token


def api_school(token: ApiToken, slug: str):
    """Return the school a request names, if it is the token's school and its user still belongs; else 404."""
    if token.school.slug != slug:
        raise Http404("No such school.")
    return access_school(user=token.user, slug=slug)
