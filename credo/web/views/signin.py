"""Signing in: the password step, the second step (a code from an authenticator app or one of the
person's recovery codes), the lockout page django-axes shows, and the rate-limit answer.

A person with two-step sign-in is not signed in after their password: the session only remembers
who is waiting (for five minutes) until a code confirms it. Wrong codes count as failed sign-ins,
so the same lockout covers both steps.
"""

import time

from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, user_login_failed
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, resolve_url
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice

from credo.accounts import services as people
from credo.accounts.models import User
from credo.accounts.twofactor import IDP_MFA, REQUIRED
from credo.core.http import page

PENDING = "credo_signin_pending"  # session key: the person waiting for their second step
PENDING_SECONDS = 300


class SignInView(auth_views.LoginView):
    """The password step. Someone with two-step sign-in goes on to the code step; an admin or
    registrar of a school that requires it, without it yet, goes straight to setting it up."""

    template_name = "web/login.html"

    def get_context_data(self, **kwargs):
        from credo.sso.views import signin_buttons

        context = super().get_context_data(**kwargs)
        context["sso_buttons"] = signin_buttons(self.request, next_url=self.get_redirect_url())
        return context

    def form_valid(self, form):
        from credo.sso.selectors import password_signin_refused

        user = form.get_user()
        refused = password_signin_refused(user)
        if refused:
            form.add_error(None, refused)
            return self.form_invalid(form)
        if user.two_factor_enabled:
            self.request.session.cycle_key()
            self.request.session[PENDING] = {
                "user": user.pk,
                "backend": user.backend,
                "next": self.get_redirect_url(),  # LoginView keeps only addresses on this site
                "at": int(time.time()),
            }
            return redirect("web:signin_verify")
        response = super().form_valid(form)
        if people.two_factor_required_for(user):
            self.request.session[REQUIRED] = True
            return redirect("web:two_factor_setup")
        return response


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        help_text=gettext_lazy(
            "The 6 digits your authenticator app shows now, or one of your recovery codes."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split()).lower()


def _pending_user(request):
    """Return the person waiting for their second step, or None (nothing waiting, or too late)."""
    pending = request.session.get(PENDING)
    if not pending:
        return None, None
    if time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None, pending
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    return user, pending


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def signin_verify(request):
    """The second step: a code from the person's authenticator app, or a recovery code."""
    user, pending = _pending_user(request)
    if user is None:
        if pending is not None:
            del request.session[PENDING]
            messages.error(
                request, gettext("The second step waits five minutes at most: sign in again.")
            )
        return redirect("web:login")
    credentials = {"username": user.username}
    if not AxesProxyHandler.is_allowed(request, credentials):
        del request.session[PENDING]
        return locked_out(request, None, credentials)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["code"])
        if device is None:
            # Counted like a wrong password: the same lockout covers both steps.
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                del request.session[PENDING]
                return locked_out(request, None, credentials)
            form.add_error(
                "code",
                "That code is not right. Type the code your app shows now (it changes every "
                "30 seconds), or a recovery code you have not used yet. After a wrong code, "
                "wait a few seconds before the next.",
            )
        else:
            del request.session[PENDING]
            login(request, user, backend=pending["backend"])
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                people.recovery_code_used(user=user)
                left = device.token_set.count()
                messages.warning(
                    request,
                    gettext(
                        "You signed in with a recovery code; it is used up and %(left)s are left. "
                        "Make new ones on your two-step sign-in page if you are running low."
                    )
                    % {"left": left},
                )
            return redirect(pending.get("next") or resolve_url(settings.LOGIN_REDIRECT_URL))
    return page(
        request,
        "web/accounts/signin_verify.html",
        {"form": form, "person": user},
        status=200 if not form.errors else 400,
    )


def external_signin(request, user, *, multifactor: bool, next_url: str = ""):
    """Sign in `user`, whom the school's identity provider vouched for; return where to go.

    A person with two-step sign-in goes on to Credo's code step unless the provider says it used
    more than one factor; so does an admin or registrar whose school requires a second factor."""
    backend = "django.contrib.auth.backends.ModelBackend"
    if user.two_factor_enabled and not multifactor:
        request.session.cycle_key()
        request.session[PENDING] = {
            "user": user.pk,
            "backend": backend,
            "next": next_url,
            "at": int(time.time()),
        }
        return redirect("web:signin_verify")
    login(request, user, backend=backend)
    if multifactor:
        request.session[IDP_MFA] = True
    elif people.two_factor_required_for(user) and not user.two_factor_enabled:
        request.session[REQUIRED] = True
        return redirect("web:two_factor_setup")
    return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))


def locked_out(request, original_response=None, credentials=None, *args, **kwargs):
    """The page shown (status 429) while django-axes refuses an account or an address."""
    request.session.pop(PENDING, None)
    return page(
        request,
        "web/accounts/locked_out.html",
        {"hours": settings.AXES_COOLOFF_TIME, "limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
