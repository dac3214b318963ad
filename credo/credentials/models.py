"""Signing keys of schools and the verifiable credentials issued with them.

A school signs with one Ed25519 key at a time. Rotating retires the key (it signs nothing
more) but keeps it: its public half stays in the issuer's controller document, so credentials
signed before the rotation still verify. Private keys are stored only sealed with AES-256-GCM
under the key-encryption key (``credo.credentials.kek``).

Every credential issued is kept as signed, with its hash. What it records (an awarded credit,
a published transcript version) tells ``credo verify`` whether it is current, superseded by a
newer credential, or revoked.
"""

from __future__ import annotations

import hashlib
import json
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from credo.core.models import TenantModel


def document_hash(document) -> str:
    """Return the SHA-256 hex digest of a JSON document (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ImmutableCredentialError(Exception):
    """Raised on an attempt to change what an issued credential says."""


class SchoolKey(TenantModel):
    """One Ed25519 signing key of a school; the private key is stored sealed under the KEK."""

    public_key_multibase = models.CharField(max_length=64, unique=True)
    encrypted_private_key = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)
    retired_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["school_id", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school"],
                condition=Q(retired_at__isnull=True),
                name="school_key_one_active",
            ),
            models.CheckConstraint(
                condition=Q(public_key_multibase__startswith="z6Mk"), name="school_key_is_multikey"
            ),
        ]

    def __str__(self):
        state = "retired" if self.retired_at else "active"
        return f"{self.public_key_multibase[:16]}… ({state})"

    @property
    def active(self) -> bool:
        return self.retired_at is None

    def associated_data(self) -> bytes:
        """Return what the sealed private key is bound to: this school and this public key."""
        return f"credo:school-key:{self.school_id}:{self.public_key_multibase}".encode()


class CredentialKind(models.TextChoices):
    ACHIEVEMENT = "achievement", "Open Badges 3.0 credential for one mastery credit"
    CLR = "clr", "CLR 2.0 transcript"


class IssuedCredentialQuerySet(models.QuerySet):
    def for_school(self, school):
        return self.filter(school_id=getattr(school, "pk", school))

    def update(self, **kwargs):
        allowed = {"revoked_at", "revoked_by", "revoked_by_id", "revoke_reason"}
        if set(kwargs) - allowed:
            raise ImmutableCredentialError("An issued credential cannot be changed.")
        return super().update(**kwargs)


class IssuedCredential(TenantModel):
    """A signed credential as issued: for one awarded credit, or for one transcript version.

    The document never changes. A newer credential for the same award (its evidence or
    wording changed) or the next transcript version supersedes it; a registrar may revoke it.
    """

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=12, choices=CredentialKind.choices)
    student = models.ForeignKey(
        "accounts.Student", on_delete=models.PROTECT, related_name="issued_credentials"
    )
    award = models.ForeignKey(
        "mastery.CreditAward",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_credentials",
    )
    transcript_version = models.ForeignKey(
        "transcripts.TranscriptVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_credentials",
    )
    key = models.ForeignKey(SchoolKey, on_delete=models.PROTECT, related_name="issued")
    issuer_id = models.CharField(max_length=300)
    document = models.JSONField()
    document_hash = models.CharField(max_length=64)
    content_hash = models.CharField(
        max_length=64, help_text="Hash of what the credential says, without ids, dates or proof."
    )
    issued_at = models.DateTimeField(default=timezone.now)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    historical = models.BooleanField(
        default=False,
        help_text=(
            "Issued for an older transcript version, saying what that version said: never the "
            "credit's current credential, and it supersedes none."
        ),
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoke_reason = models.TextField(blank=True)

    objects = IssuedCredentialQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind=CredentialKind.ACHIEVEMENT,
                        award__isnull=False,
                        transcript_version__isnull=True,
                    )
                    | Q(
                        kind=CredentialKind.CLR,
                        award__isnull=True,
                        transcript_version__isnull=False,
                    )
                ),
                name="issued_credential_subject",
            ),
            models.UniqueConstraint(
                fields=["transcript_version"],
                condition=Q(kind=CredentialKind.CLR),
                name="issued_credential_one_clr_per_version",
            ),
            models.UniqueConstraint(
                fields=["award"],
                condition=Q(
                    kind=CredentialKind.ACHIEVEMENT, supersedes__isnull=True, historical=False
                ),
                name="issued_credential_one_first_per_award",
            ),
            models.CheckConstraint(
                condition=Q(historical=False) | Q(supersedes__isnull=True),
                name="issued_credential_historical_supersedes_none",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoke_reason=""),
                name="issued_credential_revocation_reason",
            ),
        ]
        indexes = [models.Index(fields=["student", "kind", "-issued_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.public_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            fields = set(kwargs.get("update_fields") or ())
            if not fields or fields - {"revoked_at", "revoked_by", "revoke_reason"}:
                raise ImmutableCredentialError(
                    "An issued credential cannot be changed; issue a new one instead."
                )
        elif self.document_hash != document_hash(self.document):
            raise ValueError("document_hash does not match the document.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableCredentialError("Issued credentials are kept; revoke one instead.")

    @property
    def credential_id(self) -> str:
        """Return the credential's ``id`` as written in the document."""
        return self.document.get("id", f"urn:uuid:{self.public_id}")
