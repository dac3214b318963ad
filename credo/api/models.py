"""Personal access tokens for the REST API: bound to one user in one school, with scopes, stored hashed."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone

from credo.core.models import TenantModel


class Scope(models.TextChoices):
    READ = "read", "Read what you can see in the app"
    WRITE_ASSESSMENTS = "write:assessments", "Record assessments"
    ADMIN = "admin", "School administration (imports, restricted records)"


def hash_token(token: str) -> str:
    """Return the SHA-256 of a token; only this is stored (the token has 256 bits of randomness)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ApiToken(TenantModel):
    """A token a person made for a program. It acts as that person, in this school only, within its scopes."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        max_length=100, help_text="What the token is for, so you recognise it later."
    )
    prefix = models.CharField(
        max_length=16, help_text="The start of the token, shown so it can be told apart."
    )
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["school", "user"])]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )

    def allows(self, scope: str) -> bool:
        """Return whether the token carries `scope` (admin carries every scope)."""
        return scope in self.scopes or Scope.ADMIN in self.scopes
