"""Writes: a school's identity providers and whether its students may still sign in with a
password. Keyword-only, validated, one transaction, audited."""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction

from credo.accounts.access import require_manage_setup
from credo.core.audit import audit_record
from credo.core.errors import ValidationError, refuse
from credo.sso import secrets
from credo.sso.events import (
    SCHOOL_STUDENTS_PASSWORD_SIGNIN_CHANGED,
    SSO_PROVIDER_CHANGED,
    SSO_PROVIDER_CREATED,
    SSO_PROVIDER_DISABLED,
    SSO_PROVIDER_ENABLED,
    SSO_SIGNED_IN,
    SSO_SIGNIN_REFUSED,
)
from credo.sso.models import PRESET_KIND, IdentityProvider, Kind, Preset

GOOGLE_ISSUER = "https://accounts.google.com"
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def _domains(text: str) -> str:
    domains = []
    for raw in re.split(r"[\s,;]+", text or ""):
        domain = raw.strip().lower().lstrip("@")
        if not domain:
            continue
        if not _DOMAIN.match(domain):
            refuse("domains", f"“{raw}” is not an e-mail domain (write it like school.org).")
        if domain not in domains:
            domains.append(domain)
    if not domains:
        refuse("domains", "Name at least one e-mail domain this provider signs people in for.")
    return "\n".join(domains)


def _https_url(field: str, url: str, what: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url.rstrip("/") if field == "issuer" else url
    loopback = getattr(settings, "CREDO_SSO_ALLOW_HTTP_LOOPBACK", False)
    if loopback and parts.scheme == "http" and parts.hostname in _LOCAL_HOSTS:
        return url.rstrip("/") if field == "issuer" else url
    refuse(field, f"The {what} must be an https:// address.")


def _saml_metadata(*, metadata_url: str, metadata_xml: str) -> tuple[str, str, str]:
    """Return (entity id, metadata URL, metadata XML) after reading the IdP's metadata."""
    from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

    if metadata_url:
        metadata_url = _https_url("metadata_url", metadata_url, "metadata address")
        try:
            text = OneLogin_Saml2_IdPMetadataParser.get_metadata(metadata_url, timeout=10)
        except Exception as error:  # noqa: BLE001 -- any failure to fetch is the operator's to fix
            refuse("metadata_url", f"Could not read the IdP's metadata there: {error}")
        metadata_xml = ""
    elif metadata_xml:
        text = metadata_xml
    else:
        refuse("metadata_url", "Give the IdP's metadata address, or upload its metadata file.")
    try:
        parsed = OneLogin_Saml2_IdPMetadataParser.parse(text)
    except Exception as error:  # noqa: BLE001 -- the XML parser's errors have many types
        refuse("metadata_xml", f"The metadata is not readable SAML metadata: {error}")
    idp = parsed.get("idp") or {}
    if not idp.get("entityId") or not idp.get("singleSignOnService", {}).get("url"):
        refuse("metadata_xml", "The metadata names no IdP entity or single sign-on address.")
    if not (idp.get("x509cert") or idp.get("x509certMulti")):
        refuse("metadata_xml", "The metadata holds no signing certificate.")
    return idp["entityId"], metadata_url, metadata_xml


def _snapshot(p: IdentityProvider) -> dict:
    return {
        "name": p.name,
        "preset": p.preset,
        "issuer": p.issuer,
        "metadata_url": p.metadata_url,
        "client_id": p.client_id,
        "domains": p.domain_list(),
        "sourced_id_claim": p.sourced_id_claim,
        "enabled": p.enabled,
    }


def identity_provider_save(
    *,
    actor,
    school,
    provider: IdentityProvider | None = None,
    name: str,
    preset: str,
    domains: str,
    issuer: str = "",
    client_id: str = "",
    client_secret: str = "",
    metadata_url: str = "",
    metadata_xml: str = "",
    sourced_id_claim: str = "",
    enabled: bool = True,
) -> IdentityProvider:
    """Create or change one of `school`'s identity providers. An empty `client_secret` keeps the
    one already sealed."""
    require_manage_setup(actor, school, "change how people sign in")
    if provider is not None and provider.school_id != school.pk:
        raise ValidationError("That provider belongs to another school.")
    if preset not in Preset.values:
        refuse("preset", "Choose what kind of provider this is.")
    if provider is not None and PRESET_KIND[preset] != provider.kind:
        refuse("preset", "A provider cannot change protocol; add a new one instead.")
    kind = PRESET_KIND[preset]
    name = (name or "").strip()
    if not name:
        refuse("name", "Give the provider a name for its button.")
    domain_text = _domains(domains)
    if kind == Kind.OIDC:
        if preset == Preset.GOOGLE and not issuer:
            issuer = GOOGLE_ISSUER
        if not issuer:
            refuse("issuer", "Give the provider's issuer address.")
        issuer = _https_url("issuer", issuer, "issuer")
        if preset == Preset.ENTRA and "login.microsoftonline.com" not in issuer:
            refuse(
                "issuer",
                "For Entra ID the issuer is https://login.microsoftonline.com/<tenant id>/v2.0.",
            )
        client_id = (client_id or "").strip()
        if not client_id:
            refuse("client_id", "Give the client id the provider gave Credo.")
        if provider is None and not client_secret:
            refuse("client_secret", "Give the client secret the provider gave Credo.")
        metadata_url = metadata_xml = ""
    else:
        issuer, metadata_url, metadata_xml = _saml_metadata(
            metadata_url=metadata_url, metadata_xml=metadata_xml
        )
        client_id = client_secret = ""
    before = _snapshot(provider) if provider is not None else None
    row = provider or IdentityProvider(school=school, kind=kind)
    row.name, row.preset, row.issuer, row.client_id = name, preset, issuer, client_id
    row.metadata_url, row.metadata_xml = metadata_url, metadata_xml
    row.domains, row.sourced_id_claim, row.enabled = domain_text, sourced_id_claim.strip(), enabled
    row.full_clean(exclude=["client_secret_sealed"])
    with transaction.atomic(durable=True):
        row.save()
        if client_secret:
            row.client_secret_sealed = secrets.seal(
                client_secret, associated_data=row.associated_data()
            )
            row.save(update_fields=["client_secret_sealed"])
        after = _snapshot(row)
        if client_secret:
            after["client_secret"] = "set" if before is None else "changed"
        audit_record(
            actor=actor,
            school=school,
            action=SSO_PROVIDER_CREATED if before is None else SSO_PROVIDER_CHANGED,
            target=row,
            before=before,
            after=after,
        )
    return row


def identity_provider_set_enabled(*, actor, provider: IdentityProvider, enabled: bool):
    """Turn a provider's button and sign-ins on or off."""
    require_manage_setup(actor, provider.school, "change how people sign in")
    with transaction.atomic(durable=True):
        row = IdentityProvider.objects.select_for_update().get(pk=provider.pk)
        if row.enabled == enabled:
            return row
        row.enabled = enabled
        row.save(update_fields=["enabled"])
        audit_record(
            actor=actor,
            school=row.school_id,
            action=SSO_PROVIDER_ENABLED if enabled else SSO_PROVIDER_DISABLED,
            target=row,
            before={"enabled": not enabled},
            after={"enabled": enabled},
        )
    return row


def students_password_signin_set(*, actor, school, allowed: bool) -> None:
    """Let `school`'s students sign in with a password, or only through the school's providers."""
    require_manage_setup(actor, school, "change how people sign in")
    with transaction.atomic(durable=True):
        before = school.students_password_signin
        if before == allowed:
            return
        if (
            not allowed
            and not IdentityProvider.objects.filter(school=school, enabled=True).exists()
        ):
            refuse(
                "students_password_signin",
                "Add and enable an identity provider first: otherwise students could not sign in.",
            )
        school.students_password_signin = allowed
        school.save(update_fields=["students_password_signin"])
        audit_record(
            actor=actor,
            school=school,
            action=SCHOOL_STUDENTS_PASSWORD_SIGNIN_CHANGED,
            target=school,
            before={"students_password_signin": before},
            after={"students_password_signin": allowed},
        )


def signin_record(*, user, provider: IdentityProvider, multifactor: bool) -> None:
    """Audit that `provider` vouched for `user` (who may still have Credo's code step to pass)."""
    audit_record(
        actor=user,
        school=provider.school_id,
        action=SSO_SIGNED_IN,
        target=provider,
        after={
            "user": user.pk,
            "multifactor": multifactor,
            "code_step": bool(user.two_factor_enabled and not multifactor),
        },
    )


def signin_refused_record(*, provider: IdentityProvider, reason: str) -> None:
    """Audit a sign-in the roster refused (nobody matched)."""
    audit_record(
        actor=None,
        school=provider.school_id,
        action=SSO_SIGNIN_REFUSED,
        target=provider,
        note=reason[:500],
    )
