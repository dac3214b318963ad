"""A person's own two-step sign-in: set it up with an authenticator app (QR code or the key in
text), see how many recovery codes are left, make new ones, turn it off (unless their school
requires it). Every change asks for a current code and is audited by the service."""

import base64
from binascii import unhexlify

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import redirect
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from credo.accounts import services as people
from credo.accounts.twofactor import REQUIRED
from credo.core.errors import ValidationError
from credo.core.http import apply_errors, page
from credo.transcripts import qr

SETUP_SALT = "credo.two-factor-setup"
SETUP_MAX_AGE = 15 * 60  # seconds a set-up key stays valid before the code is typed


class SetupForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput)
    code = forms.CharField(
        label=gettext_lazy("The 6-digit code your app shows"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class ConfirmForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("A code from your app (or a recovery code)"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )


def _setup_context(user, key: str) -> dict:
    device = TOTPDevice(user=user, key=key, name="Authenticator app")
    secret = base64.b32encode(unhexlify(key)).decode().rstrip("=")
    return {
        "qr": qr.to_svg(
            qr.encode(device.config_url),
            module=4,
            title=gettext("QR code to scan with your authenticator app"),
        ),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }


@login_required
@never_cache
def two_factor(request):
    """The person's two-step sign-in: on or off, recovery codes left, what they can do."""
    user = request.user
    left = StaticToken.objects.filter(device__user=user).count() if user.two_factor_enabled else 0
    return page(
        request,
        "web/accounts/two_factor.html",
        {
            "left": left,
            "required": people.two_factor_required_for(user),
            "form": ConfirmForm(),
        },
    )


@sensitive_post_parameters("code", "key")
@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Scan a QR code (or type the key), confirm with a code; get the recovery codes once."""
    user = request.user
    if request.session.get(REQUIRED) and not people.two_factor_required_for(user):
        request.session.pop(REQUIRED)  # the school no longer requires it (or the role changed)
    form = SetupForm(request.POST or None, initial={})
    key = _setup_key(form, user) if request.method == "POST" else None
    if key is not None:
        try:
            device, codes = people.two_factor_enable(
                user=user, key=key, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            otp_login(request, device)
            request.session.pop(REQUIRED, None)
            return page(request, "web/accounts/recovery_codes.html", {"codes": codes})
    if key is None:
        key = random_hex(20)
    signed = signing.dumps({"user": user.pk, "key": key}, salt=SETUP_SALT)
    if form.is_bound:  # keep the errors, carry the same key (or a new one) on
        form.data = form.data.copy()
        form.data["key"] = signed
    else:
        form = SetupForm(initial={"key": signed})
    return page(
        request,
        "web/accounts/two_factor_setup.html",
        {
            **_setup_context(user, key),
            "form": form,
            "required": request.session.get(REQUIRED, False),
            "replacing": user.two_factor_enabled,
        },
        status=400 if form.errors else 200,
    )


def _setup_key(form, user) -> str | None:
    """Return the set-up key the form carries when it is this person's and recent; else None,
    with the reason on the form."""
    if not form.is_valid():
        return None
    try:
        found = signing.loads(form.cleaned_data["key"], salt=SETUP_SALT, max_age=SETUP_MAX_AGE)
    except signing.SignatureExpired:
        form.add_error(None, "The set-up took longer than 15 minutes: scan the new code below.")
        return None
    except signing.BadSignature:
        form.add_error(None, "The set-up form was changed: scan the new code below.")
        return None
    if found.get("user") != user.pk:
        form.add_error(None, "This set-up was started by someone else: scan the new code below.")
        return None
    return found["key"]


def _confirmed(request) -> bool:
    """Return whether the POST carries a current code of the signed-in person; say so if not."""
    form = ConfirmForm(request.POST)
    if form.is_valid() and match_token(request.user, "".join(form.cleaned_data["code"].split())):
        return True
    messages.error(request, gettext("That code is not right: type the code your app shows now."))
    return False


@login_required
@require_POST
def two_factor_recovery_codes(request):
    """Replace the recovery codes (after a current code); show the new ones once."""
    if not _confirmed(request):
        return redirect("web:two_factor")
    try:
        codes = people.two_factor_recovery_codes_renew(user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("web:two_factor")
    return page(request, "web/accounts/recovery_codes.html", {"codes": codes, "renewed": True})


@login_required
@require_POST
def two_factor_turn_off(request):
    """Turn two-step sign-in off (after a current code), unless the school requires it."""
    if not _confirmed(request):
        return redirect("web:two_factor")
    try:
        people.two_factor_disable(user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, gettext("Two-step sign-in is off: your password alone signs you in.")
        )
    return redirect("web:two_factor")
