"""Records of imports: each run with its file and outcome, source-id maps, and restricted demographics."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from credo.core.models import Leased, TenantModel


class ImportKind(models.TextChoices):
    ONEROSTER = "oneroster", "OneRoster 1.2 roster (zip)"
    CASE = "case", "CASE framework (CFPackage JSON)"
    CANVAS = "canvas", "Canvas outcomes (CSV)"
    SCORES = "scores", "Scores history (CSV)"


class ImportState(models.TextChoices):
    CHECKING = "checking", "Checking the file"
    PREVIEWED = "previewed", "Ready to confirm"
    REFUSED = "refused", "Refused: the file has errors"
    APPLYING = "applying", "Importing"
    APPLIED = "applied", "Imported"
    FAILED = "failed", "Stopped by an error"


class ImportRun(TenantModel, Leased):
    """One uploaded file, its preview (what would change) and, once confirmed, what did change."""

    kind = models.CharField(max_length=16, choices=ImportKind.choices)
    filename = models.CharField(max_length=255)
    content = models.BinaryField(
        help_text="The file as uploaded; kept so the confirmed import is the previewed one."
    )
    options = models.JSONField(default=dict, blank=True)
    state = models.CharField(
        max_length=16, choices=ImportState.choices, default=ImportState.PREVIEWED
    )
    summary = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(
        max_length=64, blank=True, help_text="The background task checking or applying the file."
    )
    queued_at = models.DateTimeField(
        null=True, blank=True, help_text="When the file was last handed to the background worker."
    )
    started_at = models.DateTimeField(
        null=True, blank=True, help_text="When the current check or import began."
    )
    finished_at = models.DateTimeField(
        null=True, blank=True, help_text="When the current check or import ended."
    )
    error = models.TextField(
        blank=True, help_text="What stopped the import, when it was not a problem in the file."
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.filename}"

    def get_absolute_url(self):
        return reverse("interop:run", args=[self.school.slug, self.pk])

    @property
    def working(self) -> bool:
        """Whether a background task is still checking or applying the file."""
        return self.state in (ImportState.CHECKING, ImportState.APPLYING)

    @property
    def seconds(self) -> float | None:
        """Return how long the last check or import took (so far, while it runs)."""
        if self.started_at is None:
            return None
        from django.utils import timezone

        return ((self.finished_at or timezone.now()) - self.started_at).total_seconds()


class SourceLink(TenantModel):
    """Which local record an outside system's identifier stands for, where the record has no field for it.

    Users are not tenant rows, so the school's link to a OneRoster user lives here; so do teaching
    assignments (OneRoster teacher enrollments) and Canvas outcome GUIDs.
    """

    system = models.CharField(max_length=16)
    kind = models.CharField(max_length=24)
    source_id = models.CharField(max_length=255)
    object_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "system", "kind", "source_id"], name="source_link_unique"
            ),
        ]
        indexes = [models.Index(fields=["school", "system", "kind", "object_id"])]

    def __str__(self):
        return f"{self.system}:{self.kind}:{self.source_id} → {self.object_id}"


class Demographics(TenantModel):
    """A student's demographic record from the student information system.

    Restricted: only admins and registrars read it (`credo.interop.access.access_demographics`);
    it is never shown on student pages, transcripts or the general API.
    """

    student = models.OneToOneField(
        "accounts.Student", on_delete=models.CASCADE, related_name="demographics"
    )
    source_id = models.CharField(max_length=128, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=16, blank=True)
    american_indian_or_alaska_native = models.BooleanField(null=True, blank=True)
    asian = models.BooleanField(null=True, blank=True)
    black_or_african_american = models.BooleanField(null=True, blank=True)
    native_hawaiian_or_other_pacific_islander = models.BooleanField(null=True, blank=True)
    white = models.BooleanField(null=True, blank=True)
    two_or_more_races = models.BooleanField(null=True, blank=True)
    hispanic_or_latino = models.BooleanField(null=True, blank=True)
    country_of_birth = models.CharField(max_length=8, blank=True)
    state_of_birth = models.CharField(max_length=8, blank=True)
    city_of_birth = models.CharField(max_length=120, blank=True)
    public_school_residence_status = models.CharField(max_length=64, blank=True)
    # Program statuses the student information system may hold beyond OneRoster's file (OneRoster
    # 1.2 carries none of them): unknown stays None, and the improvement pages count it apart.
    economically_disadvantaged = models.BooleanField(null=True, blank=True)
    english_learner = models.BooleanField(null=True, blank=True)
    disability = models.BooleanField(
        null=True, blank=True, help_text="Has an IEP or a disability plan."
    )

    class Meta:
        verbose_name_plural = "demographics"

    def __str__(self):
        return f"Demographics of {self.student_id}"


class CaseDocument(TenantModel):
    """What a CASE source said about a framework's document, kept so an export says it again.

    `source` is the CFDocument as written (its URI, creator, notes, dates, licence…); the
    associations that do not shape the tree (exactMatchOf, precedes…) and CFDefinitions are
    kept as written too. Only the framework's own fields (title, version, description) are
    Credo's to change.
    """

    framework = models.OneToOneField(
        "frameworks.Framework", on_delete=models.CASCADE, related_name="case_document"
    )
    identifier = models.CharField(max_length=128)
    source = models.JSONField(default=dict, blank=True)
    other_associations = models.JSONField(default=list, blank=True)
    definitions = models.JSONField(default=dict, blank=True)

    def __str__(self):
        return f"CASE document {self.identifier}"


class CaseItem(TenantModel):
    """What a CASE source said about one competency: its CFItem and isChildOf association as written.

    `generated_code` is the code Credo made because the item has no humanCodingScheme; an
    export leaves humanCodingScheme out again while the competency keeps that code.
    """

    competency = models.OneToOneField(
        "frameworks.Competency", on_delete=models.CASCADE, related_name="case_item"
    )
    identifier = models.CharField(max_length=128)
    source = models.JSONField(default=dict, blank=True)
    association = models.JSONField(default=dict, blank=True)
    generated_code = models.CharField(max_length=60, blank=True)

    def __str__(self):
        return f"CASE item {self.identifier}"
