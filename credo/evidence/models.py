"""What students make or do, from inside or outside school, and the feedback peers give on it."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.urls import reverse

from credo.core.models import TenantModel


class EvidenceKind(models.TextChoices):
    FILE = "file", "File"
    LINK = "link", "Link"
    TEXT = "text", "Text or reflection"
    OBSERVATION = "observation", "Observation"


def evidence_upload_to(instance, filename):
    """Store every file under a generated name; only the extension (set from the file's sniffed
    content, see files.py) is kept. The name it was uploaded with is `Evidence.file_name`."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"evidence/{instance.school_id}/{instance.student_id}/{uuid.uuid4().hex}{suffix}"


class Evidence(TenantModel):
    """One piece of evidence of a student's learning. The student chooses what to highlight."""

    student = models.ForeignKey(
        "accounts.Student", on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField(max_length=16, choices=EvidenceKind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text="The text, reflection or observation notes.")
    url = models.URLField(max_length=500, blank=True)
    file = models.FileField(upload_to=evidence_upload_to, blank=True)
    # Database defaults too: the demo and bulk loaders insert rows with their own column lists.
    file_name = models.CharField(
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text="The name the file was uploaded with.",
    )
    file_type = models.CharField(
        max_length=100,
        blank=True,
        default="",
        db_default="",
        help_text="The content type found by reading the file.",
    )
    demonstrated_on = models.DateField()
    section = models.ForeignKey(
        "schools.Section", null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence"
    )
    experience = models.ForeignKey(
        "schools.LearningExperience",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evidence",
    )
    outside_school = models.BooleanField(default=False)
    vouched_by = models.CharField(
        max_length=200, blank=True, help_text="Who can vouch for work done outside school."
    )
    revision_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="revisions"
    )
    responds_to = models.ForeignKey(
        "mastery.Assessment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The feedback that prompted this revision.",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    shared_with_peers = models.BooleanField(default=False)
    highlighted = models.BooleanField(
        default=False, help_text="The student wants it on the transcript."
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-demonstrated_on", "-id"]
        verbose_name_plural = "evidence"
        indexes = [models.Index(fields=["student", "demonstrated_on"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("web:evidence", args=[self.pk])

    @property
    def approved(self) -> bool:
        return self.approved_at is not None


class EvidenceCompetency(TenantModel):
    """A competency the student says this evidence shows."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="competency_tags")
    competency = models.ForeignKey(
        "frameworks.Competency", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["evidence", "competency"], name="evidence_competency_unique"
            )
        ]


class EvidenceCredit(TenantModel):
    """Evidence put forward toward a mastery credit (counts for `min_evidence` once approved)."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="credit_tags")
    credit = models.ForeignKey(
        "mastery.MasteryCredit", on_delete=models.CASCADE, related_name="evidence_tags"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["evidence", "credit"], name="evidence_credit_unique")
        ]


class PeerFeedback(TenantModel):
    """A classmate's comment on work the student chose to share."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="peer_feedback")
    author = models.ForeignKey("accounts.Student", on_delete=models.CASCADE, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class StudentStory(TenantModel):
    """The student's own account of their learning, drafted by them and approved by an educator."""

    student = models.OneToOneField(
        "accounts.Student", on_delete=models.CASCADE, related_name="story"
    )
    body = models.TextField(blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(
        null=True, blank=True, help_text="When the student asked for approval."
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "student stories"

    def __str__(self):
        return f"Story of {self.student_id}"

    @property
    def approved(self) -> bool:
        return self.approved_at is not None
