"""Choosing a password: through a sign-in link, after forgetting it, or when signed in."""

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from credo.accounts import services as people
from credo.accounts.models import User
from credo.core.http import page


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The page a sign-in link opens: the person chooses their password, then signs in."""

    template_name = "web/accounts/password_form.html"
    success_url = reverse_lazy("web:login")
    extra_context = {
        "title": gettext_lazy("Choose your password"),
        "button": gettext_lazy("Save my password"),
        "intro": gettext_lazy(
            "Choose a password you do not use anywhere else: at least 8 characters, and "
            "not one of the common ones."
        ),
    }

    def form_valid(self, form):
        people.password_set(user=form.user, form=form)
        self.request.session.pop(auth_views.INTERNAL_RESET_SESSION_TOKEN, None)
        messages.success(self.request, gettext("Your password is set. Sign in with it now."))
        return HttpResponseRedirect(f"{self.get_success_url()}?username={form.user.username}")


class PasswordChangeView(auth_views.PasswordChangeView):
    """A signed-in person changes their own password."""

    template_name = "web/accounts/password_form.html"
    success_url = reverse_lazy("web:home")
    extra_context = {
        "title": gettext_lazy("Change your password"),
        "button": gettext_lazy("Change my password"),
        "validlink": True,
    }

    def form_valid(self, form):
        people.password_set(user=form.user, form=form)
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, gettext("Your password is changed."))
        return HttpResponseRedirect(self.get_success_url())


# How many links may be asked for in an hour (django-ratelimit, counted in the cache): per e-mail
# address and per client address for "Forgotten your password?", per person for the links admins
# make on a person's page.
RESETS_PER_EMAIL = 3
RESETS_PER_ADDRESS = 20
SIGNIN_LINKS_PER_PERSON = 5


def resets_limited(request, email: str) -> bool:
    """Count this request for a reset link; return whether the e-mail address or the client's
    address has asked for too many in the last hour."""
    by_email = is_ratelimited(
        request,
        group="credo.reset.email",
        key=lambda _group, _request: email.strip().lower(),
        rate=f"{RESETS_PER_EMAIL}/h",
        increment=True,
    )
    by_address = is_ratelimited(
        request, group="credo.reset.ip", key="ip", rate=f"{RESETS_PER_ADDRESS}/h", increment=True
    )
    return by_email or by_address


def signin_links_limited(request, user) -> bool:
    """Count a sign-in link made for `user`; return whether too many were made in the last hour."""
    return is_ratelimited(
        request,
        group="credo.signin-link.person",
        key=lambda _group, _request: str(user.pk),
        rate=f"{SIGNIN_LINKS_PER_PERSON}/h",
        increment=True,
    )


class ForgotForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Your e-mail address"), max_length=254)


@require_http_methods(["GET", "POST"])
def forgot_password(request):
    """E-mail a sign-in link to every active account with that address; say the same either way."""
    if request.user.is_authenticated:
        return redirect("web:password_change")
    form = ForgotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if resets_limited(request, form.cleaned_data["email"]):
            form.add_error(
                None,
                "Too many links were asked for, for this address or from your network, in the "
                "last hour. Wait an hour and try again, or ask your school's Credo admin.",
            )
            return page(
                request, "web/accounts/password_form.html", _forgot_context(form), status=429
            )
        for user in User.objects.filter(email__iexact=form.cleaned_data["email"], is_active=True):
            people.signin_link_send(user=user, path=people.signin_link_path(user))
        messages.success(
            request,
            gettext(
                "If an account has that address, a link to choose a new password is on its way. "
                "It works once, for seven days."
            ),
        )
        return redirect("web:login")
    return page(request, "web/accounts/password_form.html", _forgot_context(form))


def _forgot_context(form) -> dict:
    return {
        "form": form,
        "validlink": True,
        "title": gettext("Forgotten your password?"),
        "intro": gettext(
            "Give the e-mail address your school has for you and we will send a link "
            "to choose a new password. No address on file? Ask your school's Credo admin for a "
            "link."
        ),
        "button": gettext("Send me a link"),
    }
