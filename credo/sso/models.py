"""A school's identity providers: OpenID Connect (Google Workspace, Microsoft Entra ID or any
compliant provider) and SAML 2.0. django-allauth speaks the protocols; `adapter.py` feeds it these
rows and decides who, on the roster, a sign-in stands for."""

from django.db import models
from django.utils import timezone

from credo.core.models import TenantModel


class Kind(models.TextChoices):
    OIDC = "oidc", "OpenID Connect"
    SAML = "saml", "SAML 2.0"


class Preset(models.TextChoices):
    GOOGLE = "google", "Google Workspace"
    ENTRA = "entra", "Microsoft Entra ID"
    OIDC = "oidc", "Another OpenID Connect provider (Clever, ClassLink, …)"
    SAML = "saml", "A SAML 2.0 identity provider"


PRESET_KIND = {
    Preset.GOOGLE: Kind.OIDC,
    Preset.ENTRA: Kind.OIDC,
    Preset.OIDC: Kind.OIDC,
    Preset.SAML: Kind.SAML,
}


class IdentityProvider(TenantModel):
    """One way into Credo for a school's people: an OpenID Connect provider or a SAML IdP."""

    name = models.CharField(max_length=80, help_text="Shown on the button: “Sign in with …”.")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    preset = models.CharField(max_length=8, choices=Preset.choices)
    # OIDC: the issuer (its discovery document is <issuer>/.well-known/openid-configuration).
    # SAML: the IdP's entity id, read from its metadata.
    issuer = models.CharField(max_length=400, blank=True)
    metadata_url = models.URLField(max_length=400, blank=True)
    metadata_xml = models.TextField(blank=True)
    client_id = models.CharField(max_length=255, blank=True)
    # Sealed with AES-256-GCM under the KEK that seals the schools' signing keys (secrets.py).
    client_secret_sealed = models.TextField(blank=True, editable=False)
    # Lower-case domains, one per line: an e-mail address outside them is never matched.
    domains = models.TextField()
    # The claim (OIDC) or attribute (SAML) that carries the roster's OneRoster sourcedId, if any.
    sourced_id_claim = models.CharField(max_length=255, blank=True)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["school_id", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["oidc", "saml"]), name="identity_provider_kind"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def key(self) -> str:
        """Return the name allauth knows this provider by (in its URLs and its session)."""
        return f"credo{self.pk}"

    def domain_list(self) -> list[str]:
        return [d for d in self.domains.split() if d]

    def associated_data(self) -> bytes:
        """Return what the sealed client secret is bound to: this school and this provider."""
        return f"credo:sso-secret:{self.school_id}:{self.pk}".encode()
