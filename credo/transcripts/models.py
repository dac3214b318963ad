"""The Mastery Transcript: comments, published versions, share links, grade conversion.

A published version is an immutable snapshot of everything the transcript shows, with a content
hash. Nothing changes it: the model refuses to save or delete an existing row, the queryset
refuses bulk updates and deletes, the admin shows it read-only, and a database trigger
(migration 0002) refuses UPDATE and DELETE underneath all of them. A new version supersedes
the previous one by pointing at it; the old one stays readable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from credo.core.models import Leased, TenantModel, TenantQuerySet


class ImmutableVersionError(Exception):
    """Raised on any attempt to change or erase a published transcript version."""


def canonical_json(content) -> bytes:
    """Return the canonical serialization of a snapshot: sorted keys, no spaces, UTF-8."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def content_hash(content) -> str:
    """Return the SHA-256 hex digest of the snapshot's canonical serialization."""
    return hashlib.sha256(canonical_json(content)).hexdigest()


# --- what the student and educators write for the transcript ----------------------------------


class TranscriptPolicy(TenantModel):
    """A school's choices about its transcripts."""

    include_courses = models.BooleanField(
        default=False, help_text="List the courses and experiences a student has completed."
    )
    letters_to_family = models.BooleanField(
        default=False,
        help_text="Students and their guardians may read the eligibility and scholarship letters "
        "produced for them.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school"], name="transcript_policy_one_per_school")
        ]

    def __str__(self):
        return f"Transcript policy of {self.school_id}"


class TranscriptComment(TenantModel):
    """An educator's comment on a student's credit, written for readers of the transcript."""

    student = models.ForeignKey(
        "accounts.Student", on_delete=models.CASCADE, related_name="transcript_comments"
    )
    credit = models.ForeignKey("mastery.MasteryCredit", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=150)
    author_role = models.CharField(max_length=60, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["student", "credit"])]

    def __str__(self):
        return f"Comment by {self.author_name} on {self.credit_id}"


# --- publication ------------------------------------------------------------------------------


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Finished with errors"


class PublicationRun(TenantModel, Leased):
    """One request to publish the transcripts of a cohort (or a list of students), run as a task."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cohort = models.PositiveSmallIntegerField(null=True, blank=True)
    student_ids = models.JSONField(default=list)
    note = models.CharField(max_length=200, blank=True)
    render_pdf = models.BooleanField(default=True)
    status = models.CharField(max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    html_seconds = models.FloatField(default=0.0)
    pdf_seconds = models.FloatField(default=0.0)
    publish_seconds = models.FloatField(default=0.0)
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="how many times a worker has taken it (a resumed run is taken again)"
    )
    stopped_reason = models.TextField(
        blank=True, help_text="why it stopped before the end, when its worker died"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        what = f"class of {self.cohort}" if self.cohort else f"{self.total} students"
        return f"Publication of {what} ({self.status})"

    @property
    def percent(self) -> int:
        return round(100 * (self.done + self.failed) / self.total) if self.total else 100

    @property
    def finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)

    @property
    def position(self) -> int:
        """How many of its students have been dealt with; a resumed run goes on from here."""
        return self.done + self.failed

    @property
    def stopped_early(self) -> bool:
        """Whether it ended before reaching every student (its worker died): it can be retried."""
        return self.status == RunStatus.FAILED and self.position < self.total

    @property
    def seconds_each(self) -> dict[str, float]:
        """Return the mean seconds per transcript published: snapshot and store, HTML, PDF."""
        n = max(1, self.done)
        return {
            "publish": self.publish_seconds / n,
            "html": self.html_seconds / n,
            "pdf": self.pdf_seconds / n,
        }


class VersionQuerySet(TenantQuerySet):
    """Published versions can be read in bulk, never changed in bulk."""

    def update(self, **kwargs):
        raise ImmutableVersionError("Published transcript versions cannot be changed.")

    def delete(self):
        raise ImmutableVersionError("Published transcript versions cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise ImmutableVersionError("Published transcript versions cannot be changed.")

    def update_or_create(self, defaults=None, create_defaults=None, **kwargs):
        raise ImmutableVersionError("Publish a new version instead of changing one.")

    def current(self):
        """Return only the newest version of each student."""
        return self.filter(superseded_by__isnull=True)


class TranscriptVersion(TenantModel):
    """A published transcript: an immutable snapshot of everything shown, with its hash."""

    # Redeclared from TenantModel: erasing a school or student must not sweep published
    # versions away with it.
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey(
        "accounts.Student", on_delete=models.PROTECT, related_name="transcript_versions"
    )
    number = models.PositiveIntegerField()
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    content = models.JSONField()
    content_hash = models.CharField(max_length=64)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    run = models.ForeignKey(
        PublicationRun, null=True, blank=True, on_delete=models.PROTECT, related_name="versions"
    )
    note = models.CharField(max_length=200, blank=True)

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["student_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["student", "number"], name="version_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="version_number_positive"),
        ]
        indexes = [models.Index(fields=["school", "-published_at"])]

    def __str__(self):
        return f"Transcript of {self.student_id}, version {self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableVersionError(
                f"Version {self.number} of this transcript is published and cannot be changed; "
                "publish a new version instead."
            )
        if self.content_hash != content_hash(self.content):
            raise ValueError("content_hash does not match the content.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableVersionError("Published transcript versions cannot be deleted.")

    def get_absolute_url(self):
        return reverse("transcripts:version", args=[self.content["school"]["slug"], self.public_id])

    @property
    def is_current(self) -> bool:
        try:
            self.superseded_by  # noqa: B018 -- the reverse one-to-one raises when absent
        except TranscriptVersion.DoesNotExist:
            return True
        return False

    def hash_matches(self) -> bool:
        """Return whether the stored content still hashes to the stored hash."""
        return content_hash(self.content) == self.content_hash

    def verification_url(self) -> str:
        return settings.CREDO_BASE_URL.rstrip("/") + reverse(
            "transcripts:verify", args=[self.public_id]
        )


# --- sharing ----------------------------------------------------------------------------------


class ShareLink(TenantModel):
    """A read-only link to one published version, for one recipient, until it expires or is revoked.

    Only the SHA-256 of the link's token is stored: whoever reads the database cannot open the
    links. The token itself is known when the link is made (`share_link_create` sets `token` on
    the object it returns, shown once) and when a reader opens it (`find_share_link`).
    """

    version = models.ForeignKey(TranscriptVersion, on_delete=models.PROTECT, related_name="links")
    student = models.ForeignKey(
        "accounts.Student", on_delete=models.PROTECT, related_name="share_links"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    recipient = models.CharField(max_length=120)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["student", "-created_at"])]

    token: str | None = None  # the clear token, where it is known (never stored)

    def __str__(self):
        return f"Link for {self.recipient} to {self.version_id}"

    def get_absolute_url(self):
        if not self.token:
            raise ValueError("The address of a share link is known only when it is made or opened.")
        return reverse("transcripts:shared", args=[self.token])

    @staticmethod
    def hash_token(token: str) -> str:
        """Return the hex SHA-256 of `token`, as stored in `token_hash`."""
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def state(self) -> str:
        """Return "revoked", "expired" or "active"."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "active"

    @property
    def last_day(self) -> dt.date:
        """Return the last day the link works (inclusive), in the installation's time zone.

        ``expires_at`` is the first moment it no longer works: midnight after the last day.
        """
        return timezone.localdate(self.expires_at - dt.timedelta(microseconds=1))

    def absolute_url(self) -> str:
        return settings.CREDO_BASE_URL.rstrip("/") + self.get_absolute_url()


class ViewKind(models.TextChoices):
    PAGE = "page", "Transcript page"
    PDF = "pdf", "PDF download"
    EVIDENCE = "evidence", "Evidence page"
    FILE = "file", "Evidence file"
    CLR = "clr", "CLR download"
    VERIFY = "verify", "Signature check"


class ShareView(TenantModel):
    """One opening of a share link. The student sees the list."""

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="views")
    kind = models.CharField(max_length=8, choices=ViewKind.choices, default=ViewKind.PAGE)
    evidence_key = models.CharField(max_length=16, blank=True)
    viewed_at = models.DateTimeField(default=timezone.now)
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-viewed_at", "-id"]
        indexes = [models.Index(fields=["link", "-viewed_at"])]

    def __str__(self):
        return f"{self.kind} of link {self.link_id} at {self.viewed_at:%Y-%m-%d %H:%M}"


# --- grade conversion (a separate report, off by default) --------------------------------------


class GradeConversionTable(TenantModel):
    """How a school converts mastery levels to grades when it must (athletics, scholarships)."""

    name = models.CharField(max_length=120)
    purpose = models.TextField(blank=True, help_text="Why the school reports grades, and to whom.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school"], name="grade_table_one_per_school")
        ]

    def __str__(self):
        return self.name


class GradeBand(TenantModel):
    """Scores from `min_score` up to the next band's minimum convert to `label` and `points`."""

    table = models.ForeignKey(GradeConversionTable, on_delete=models.CASCADE, related_name="bands")
    min_score = models.DecimalField(max_digits=6, decimal_places=2)
    label = models.CharField(max_length=20)
    points = models.DecimalField(max_digits=4, decimal_places=2)

    class Meta:
        ordering = ["table_id", "-min_score"]
        constraints = [
            models.UniqueConstraint(fields=["table", "min_score"], name="grade_band_unique_min"),
            models.CheckConstraint(
                condition=Q(points__gte=0), name="grade_band_points_nonnegative"
            ),
        ]

    def __str__(self):
        return f"{self.min_score}+ → {self.label}"


class EligibilityLetter(TenantModel):
    """A letter for an athletics eligibility body or a scholarship programme about one student:
    what the school's levels mean and how the school maps them to grades for this purpose only.

    Its content is frozen when a registrar produces it (like a published version, with a hash);
    a new letter is produced rather than an old one changed.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    student = models.ForeignKey(
        "accounts.Student", on_delete=models.CASCADE, related_name="eligibility_letters"
    )
    version = models.ForeignKey(
        TranscriptVersion, on_delete=models.PROTECT, related_name="eligibility_letters"
    )
    recipient = models.CharField(max_length=200)
    purpose = models.CharField(max_length=300)
    include_grades = models.BooleanField(default=False)
    content = models.JSONField()
    content_hash = models.CharField(max_length=64)
    produced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    produced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-produced_at", "-id"]
        indexes = [models.Index(fields=["student", "-produced_at"], name="letter_student_recent")]

    def __str__(self):
        return f"Letter to {self.recipient} about {self.student_id}"
