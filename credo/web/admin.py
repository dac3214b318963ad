"""The Django admin, for the people who run the installation (not for schools).

It is mounted only when CREDO_ADMIN=1 (see config/urls.py). Its own sign-in form is not used:
people sign in through Credo's, where the lockout and the second factor apply, and only
superusers who confirmed a second factor in this session get in.
"""

from urllib.parse import urlencode

from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from credo.core.http import next_url


class CredoAdminSite(AdminSite):
    site_header = "Credo administration"

    def has_permission(self, request):
        user = request.user
        return bool(user.is_active and user.is_superuser and getattr(user, "is_verified", bool)())

    def login(self, request, extra_context=None):
        """Send the person to Credo's sign-in page (with its lockout and second factor)."""
        user = request.user
        if user.is_authenticated:
            if self.has_permission(request):
                return redirect(next_url(request, reverse("admin:index")))
            if user.is_active and user.is_superuser:
                return redirect("web:two_factor")  # set up, then sign in again with it
            raise PermissionDenied("The administration site is for Credo's superusers only.")
        target = next_url(request, reverse("admin:index"))
        return redirect(f"{reverse('web:login')}?{urlencode({'next': target})}")
