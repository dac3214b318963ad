"""django-allauth's adapters, bent to Credo: allauth only speaks the protocols.

- The provider apps are built from the schools' `IdentityProvider` rows on each request
  (`list_apps`), the client secret unsealed only then; a disabled provider does not exist.
- Nobody signs up: after the provider vouched for someone, `pre_social_login` matches them to the
  school's roster (`selectors.roster_person`) and signs them in through Credo's own path
  (`credo.web.views.signin.external_signin`: lockouts, two-step sign-in); otherwise it answers
  with a page that says why. allauth never creates users, e-mail rows or social accounts.
- Protocol failures (a code for another client, an expired or replayed token or response, a bad
  signature) land on `on_authentication_error`, which answers with Credo's page.
"""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from axes.handlers.proxy import AxesProxyHandler
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from credo.sso import claims, services
from credo.sso.models import IdentityProvider, Kind, Preset
from credo.sso.secrets import SecretUnreadable, unseal
from credo.sso.selectors import NotOnRoster, roster_person

PROVIDER_PK = "credo_provider"


def _pk_from_key(key) -> int | None:
    if isinstance(key, str) and key.startswith("credo") and key[5:].isdigit():
        return int(key[5:])
    return None


def _saml_idp(row: IdentityProvider) -> dict:
    if row.metadata_url:
        return {"entity_id": row.issuer, "metadata_url": row.metadata_url}
    from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

    idp = OneLogin_Saml2_IdPMetadataParser.parse(row.metadata_xml)["idp"]
    cert = idp.get("x509cert") or (idp.get("x509certMulti", {}).get("signing") or [""])[0]
    return {
        "entity_id": idp["entityId"],
        "sso_url": idp["singleSignOnService"]["url"],
        "x509cert": cert,
    }


def social_app(row: IdentityProvider) -> SocialApp:
    """Return the (unsaved) allauth app for one identity provider."""
    if row.kind == Kind.OIDC:
        try:
            secret = unseal(row.client_secret_sealed, associated_data=row.associated_data())
        except SecretUnreadable:
            secret = ""  # the provider then refuses Credo; the setup page says to enter it again
        return SocialApp(
            provider="openid_connect",
            provider_id=row.key,
            name=row.name,
            client_id=row.client_id,
            secret=secret,
            settings={
                "server_url": f"{row.issuer}/.well-known/openid-configuration",
                "scope": ["openid", "email", "profile"],
                # PKCE as well as the state: a stolen code is useless without this session's verifier.
                "oauth_pkce_enabled": True,
                PROVIDER_PK: row.pk,
            },
        )
    return SocialApp(
        provider="saml",
        provider_id=row.key,
        name=row.name,
        client_id=row.key,
        settings={
            "idp": _saml_idp(row),
            "advanced": {
                "strict": True,
                "want_assertion_signed": True,
                "reject_idp_initiated_sso": True,
                # An intranet host name without dots ("credo") is a valid address for Credo.
                "allow_single_label_domains": True,
            },
            PROVIDER_PK: row.pk,
        },
    )


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return False


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        return False

    def list_apps(self, request, provider=None, client_id=None):
        rows = IdentityProvider.objects.filter(enabled=True)
        if provider == "openid_connect":
            rows = rows.filter(kind=Kind.OIDC)
        elif provider == "saml":
            rows = rows.filter(kind=Kind.SAML)
        elif provider is not None:
            pk = _pk_from_key(provider)
            if pk is None:
                return []
            rows = rows.filter(pk=pk)
        if client_id is not None:
            pk = _pk_from_key(client_id)
            rows = rows.filter(kind=Kind.SAML, pk=pk) if pk is not None else rows.none()
        return [social_app(row) for row in rows.order_by("pk")]

    def pre_social_login(self, request, sociallogin):
        from credo.web.views.signin import external_signin, locked_out

        app = sociallogin.provider.app
        row = (
            IdentityProvider.objects.select_related("school")
            .filter(pk=app.settings.get(PROVIDER_PK), enabled=True)
            .first()
        )
        if row is None:  # disabled while the person was at the provider
            raise ImmediateHttpResponse(_refused(request, None, "This sign-in is switched off."))
        extra = sociallogin.account.extra_data or {}
        if row.kind == Kind.OIDC:
            asserted = claims.from_oidc(
                extra, sourced_id_claim=row.sourced_id_claim, entra=row.preset == Preset.ENTRA
            )
        else:
            asserted = claims.from_saml(extra, sourced_id_claim=row.sourced_id_claim)
        try:
            user = roster_person(row, asserted)
        except NotOnRoster as refusal:
            services.signin_refused_record(provider=row, reason=str(refusal))
            raise ImmediateHttpResponse(_refused(request, row, str(refusal))) from None
        credentials = {"username": user.username}
        if not AxesProxyHandler.is_allowed(request, credentials):
            raise ImmediateHttpResponse(locked_out(request, None, credentials))
        next_url = sociallogin.state.get("next") or ""
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = ""
        services.signin_record(user=user, provider=row, multifactor=asserted.multifactor)
        raise ImmediateHttpResponse(
            external_signin(request, user, multifactor=asserted.multifactor, next_url=next_url)
        )

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ):
        name = getattr(getattr(provider, "app", None), "name", "") or "your school's provider"
        raise ImmediateHttpResponse(
            _refused(
                request,
                None,
                f"The sign-in with {name} did not complete: the answer Credo received was not "
                "valid for this sign-in (it may have expired, been used already, or been meant "
                "for another service). Start again from the sign-in page.",
                status=400,
            )
        )


def _refused(request, provider, reason: str, *, status: int = 403):
    return render(
        request,
        "sso/refused.html",
        {"provider": provider, "reason": reason},
        status=status,
    )
