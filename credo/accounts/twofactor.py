"""Two-step sign-in, enforced on every request.

- A person who has a second factor but whose session was not confirmed with it (it was set up in
  another session, or the session predates it) is signed out and asked to sign in again.
- An admin or registrar of a school that requires a second factor, who has none yet, is sent to
  set one up before any other page. The flag is set at sign-in (views/signin.py) and on any page
  of such a school (`require_second_factor`, called by `school_page`), so turning the setting on
  reaches people already signed in.

Both checks read only the user row and the session, which every page loads anyway: no query is
added to a request.
"""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from credo.accounts.models import MANAGER_ROLES

REQUIRED = "credo_two_factor_required"
# Set when the school's identity provider said it used more than one factor (credo/sso): that
# stands for Credo's own second step for this session.
IDP_MFA = "credo_idp_multifactor"
_OPEN_PREFIXES = ("/static/", "/accounts/logout/", "/accounts/two-factor/")


def _go(request, url: str):
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def require_second_factor(request, school):
    """Return a redirect to the set-up page when `school` requires a second factor of the
    acting admin or registrar and they have none; else None."""
    user = request.user
    if (
        school.two_factor_required
        and not user.two_factor_enabled
        and request.roles & MANAGER_ROLES
        and not request.session.get(IDP_MFA)
    ):
        request.session[REQUIRED] = True
        return _go(request, reverse("web:two_factor_setup"))
    return None


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            idp_mfa = request.session.get(IDP_MFA)
            if user.two_factor_enabled and not user.is_verified() and not idp_mfa:
                logout(request)
                messages.info(request, "Sign in again, with your code: two-step sign-in is on.")
                return redirect_to_login(request.get_full_path())
            if (
                not user.two_factor_enabled
                and not idp_mfa
                and request.session.get(REQUIRED)
                and not request.path.startswith(_OPEN_PREFIXES)
            ):
                return _go(request, reverse("web:two_factor_setup"))
        return self.get_response(request)
