"""What an identity provider said about a person, read the same way for both protocols. Pure."""

from dataclasses import dataclass, field

# OIDC `amr` values (RFC 8176) that mean more than one factor was used.
MFA_AMR = frozenset({"mfa", "otp", "hwk", "sms", "sc", "swk", "fido"})
# SAML AuthnContextClassRef values that mean more than one factor.
MFA_CONTEXTS = frozenset(
    {
        "https://refeds.org/profile/mfa",
        "http://schemas.microsoft.com/claims/multipleauthn",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorUnregistered",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI",
    }
)
SAML_EMAIL_ATTRIBUTES = (
    "email",
    "mail",
    "urn:oid:0.9.2342.19200300.100.1.3",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
)
EMAIL_NAME_ID = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"


@dataclass(frozen=True)
class Asserted:
    """A verified e-mail address (or ""), the roster sourcedId (or ""), and whether the IdP says
    more than one factor was used."""

    email: str = ""
    sourced_id: str = ""
    multifactor: bool = False
    why_no_email: str = field(default="", compare=False)


def _true(value) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _first(value) -> str:
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return value.strip() if isinstance(value, str) else ""


def acr_is_multifactor(acr) -> bool:
    text = acr.lower() if isinstance(acr, str) else ""
    return "multi-factor" in text or "mfa" in text or text in {"aal2", "aal3"}


def from_oidc(extra: dict, *, sourced_id_claim: str = "", entra: bool = False) -> Asserted:
    """Read allauth's OIDC extra data ({"userinfo": …, "id_token": …}); the ID token wins."""
    claims = {**(extra.get("userinfo") or {}), **(extra.get("id_token") or {})}
    token = extra.get("id_token") or {}
    email = _first(claims.get("email")).lower()
    # Entra ID sends no email_verified; its optional claim xms_edov says the domain owner verified.
    verified = _true(claims.get("email_verified")) or (entra and _true(claims.get("xms_edov")))
    why = "" if verified or not email else "the provider did not say the address is verified"
    amr = token.get("amr") or []
    multifactor = bool(MFA_AMR & {str(a).lower() for a in amr if isinstance(a, str)})
    multifactor = multifactor or acr_is_multifactor(token.get("acr"))
    return Asserted(
        email=email if verified else "",
        sourced_id=_first(claims.get(sourced_id_claim)) if sourced_id_claim else "",
        multifactor=multifactor,
        why_no_email=why,
    )


def from_saml(extra: dict, *, sourced_id_claim: str = "") -> Asserted:
    """Read the SAML attributes (lists of values) and what `providers.SAMLProvider` kept.

    The assertion is signed by the IdP the school configured, so its address counts as verified;
    the caller still keeps it to the provider's domains."""
    from credo.sso.providers import AUTHN_CONTEXTS, NAME_ID, NAME_ID_FORMAT

    email = next((_first(extra.get(n)) for n in SAML_EMAIL_ATTRIBUTES if _first(extra.get(n))), "")
    if not email and extra.get(NAME_ID_FORMAT) == EMAIL_NAME_ID:
        email = _first(extra.get(NAME_ID))
    contexts = set(extra.get(AUTHN_CONTEXTS) or [])
    return Asserted(
        email=email.lower(),
        sourced_id=_first(extra.get(sourced_id_claim)) if sourced_id_claim else "",
        multifactor=bool(contexts & MFA_CONTEXTS),
    )
