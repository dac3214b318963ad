"""Personal access tokens in the web app: make one (its secret is shown once, then only its hash is
kept) and revoke it. Admins and registrars also see, and may revoke, every token of their school."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from credo.accounts.http import school_page
from credo.accounts.models import MANAGER_ROLES
from credo.api import services
from credo.api.access import access_token
from credo.api.forms import TokenForm
from credo.api.models import ApiToken
from credo.core.errors import NotAllowed
from credo.core.http import page


@login_required
@school_page
def tokens(request, school):
    allowed = services.scopes_allowed(request.user, school)
    form = TokenForm(request.POST or None, allowed=allowed)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.token_create(
                actor=request.user,
                school=school,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                days=form.cleaned_data["days"],
            )
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except ValidationError as exc:
            for field, errors in getattr(exc, "error_dict", {None: exc.error_list}).items():
                for e in errors:
                    form.add_error(field if field in form.fields else None, e.messages[0])
        else:
            form = TokenForm(allowed=allowed)
    manager = bool(request.roles & MANAGER_ROLES)
    mine = ApiToken.objects.filter(school=school, user=request.user).order_by("-created_at", "-id")
    others = (
        ApiToken.objects.filter(school=school)
        .exclude(user=request.user)
        .select_related("user")
        .order_by("-created_at", "-id")[:200]
        if manager
        else []
    )
    return page(
        request, "api/tokens.html", {"form": form, "secret": secret, "mine": mine, "others": others}
    )


@login_required
@school_page
@require_POST
def token_revoke(request, school, token_id):
    token = access_token(user=request.user, school=school, token_id=token_id)
    try:
        services.token_revoke(actor=request.user, token=token)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Revoked “%(name)s”. Programs using it are refused from now on.")
            % {"name": token.name},
        )
    return redirect("api-tokens", school.slug)
