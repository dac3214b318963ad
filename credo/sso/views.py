"""The school's sign-in setup (admins and registrars) and the sign-in page's provider buttons."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from credo.core.errors import NotAllowed
from credo.core.http import page, save_form
from credo.sso import selectors, services
from credo.sso.access import access_provider
from credo.sso.forms import PasswordSwitchForm, ProviderForm
from credo.sso.models import Kind
from credo.web.views.manage import manager_page


def login_url(provider, next_url: str = "") -> str:
    """Return the address that starts signing in with `provider` (a plain GET)."""
    if provider.kind == Kind.OIDC:
        url = reverse("openid_connect_login", kwargs={"provider_id": provider.key})
    else:
        url = reverse("saml_login", kwargs={"organization_slug": provider.key})
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def signin_buttons(request, *, next_url: str = "") -> list[dict]:
    """Return the sign-in page's buttons; `?school=<slug>` keeps one school's."""
    rows = selectors.providers_for_signin()
    slug = request.GET.get("school", "")
    if slug:
        rows = [r for r in rows if r.school.slug == slug]
    many_schools = len({r.school_id for r in rows}) > 1
    return [
        {
            "label": f"Sign in with {r.name}" + (f" ({r.school.name})" if many_schools else ""),
            "url": login_url(r, next_url),
        }
        for r in rows
    ]


def _endpoints(request, provider) -> list[tuple[str, str]]:
    """What the school's IdP administrator registers for Credo."""
    if provider is None:
        return []
    if provider.kind == Kind.OIDC:
        callback = reverse("openid_connect_callback", kwargs={"provider_id": provider.key})
        return [("Redirect URI", request.build_absolute_uri(callback))]
    org = {"organization_slug": provider.key}
    return [
        ("Entity id (audience)", request.build_absolute_uri(reverse("saml_metadata", kwargs=org))),
        (
            "Assertion consumer service (HTTP-POST)",
            request.build_absolute_uri(reverse("saml_acs", kwargs=org)),
        ),
        ("Credo's metadata", request.build_absolute_uri(reverse("saml_metadata", kwargs=org))),
    ]


@manager_page
def providers(request, school):
    form = PasswordSwitchForm(
        request.POST if request.method == "POST" else None,
        initial={"students_password_signin": school.students_password_signin},
    )
    if request.method == "POST" and save_form(
        form,
        lambda d: (
            services.students_password_signin_set(
                actor=request.user, school=school, allowed=d["students_password_signin"]
            )
            or True
        ),
    ):
        messages.success(request, _("Saved how students sign in."))
        return redirect("web:manage_signin", school.slug)
    return page(
        request,
        "sso/providers.html",
        {"providers": selectors.providers_of_school(school), "form": form},
        status=400 if form.errors else 200,
    )


@manager_page
def provider_edit(request, school, provider_id=None):
    provider = access_provider(user=request.user, school=school, provider_id=provider_id)
    initial = {"enabled": True}
    if provider is not None:
        initial = {
            "name": provider.name,
            "preset": provider.preset,
            "domains": provider.domains,
            "issuer": provider.issuer if provider.kind == Kind.OIDC else "",
            "client_id": provider.client_id,
            "metadata_url": provider.metadata_url,
            "sourced_id_claim": provider.sourced_id_claim,
            "enabled": provider.enabled,
        }
    form = ProviderForm(request.POST or None, request.FILES or None, initial=initial)

    def save(d):
        return services.identity_provider_save(
            actor=request.user,
            school=school,
            provider=provider,
            name=d["name"],
            preset=d["preset"],
            domains=d["domains"],
            issuer=d["issuer"],
            client_id=d["client_id"],
            client_secret=d["client_secret"],
            metadata_url=d["metadata_url"],
            metadata_xml=d["metadata_file"]
            or (provider.metadata_xml if provider and not d["metadata_url"] else ""),
            sourced_id_claim=d["sourced_id_claim"],
            enabled=d["enabled"],
        )

    saved = request.method == "POST" and save_form(form, save)
    if saved:
        messages.success(request, _("Saved %(name)s.") % {"name": saved.name})
        return redirect("web:manage_signin_provider", school.slug, saved.pk)
    return page(
        request,
        "sso/provider_form.html",
        {
            "form": form,
            "provider": provider,
            "endpoints": _endpoints(request, provider),
            "title": f"Sign-in: {provider.name}" if provider else "New identity provider",
        },
        status=400 if form.errors else 200,
    )


@require_POST
@manager_page
def provider_enabled(request, school, provider_id):
    provider = access_provider(user=request.user, school=school, provider_id=provider_id)
    if provider is None:
        raise Http404
    enabled = request.POST.get("enabled") == "1"
    try:
        services.identity_provider_set_enabled(
            actor=request.user, provider=provider, enabled=enabled
        )
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    messages.success(
        request,
        (_("%(name)s is on.") if enabled else _("%(name)s is off.")) % {"name": provider.name},
    )
    return redirect("web:manage_signin", school.slug)


manage_patterns = [
    path("", providers, name="manage_signin"),
    path("new/", provider_edit, name="manage_signin_new"),
    path("<int:provider_id>/", provider_edit, name="manage_signin_provider"),
    path("<int:provider_id>/enabled/", provider_enabled, name="manage_signin_enabled"),
]
