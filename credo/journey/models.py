"""The school as a learner: versioned journey templates and each school's self-assessment.

Template rows (framework versions, domains, competencies, design essentials) are shared: the built-in
Journeys to Mastery Learning template has no network; a network's adaptation is a new version that
belongs to that network. A version is frozen once published, so an assessment keeps meaning what it
meant when the school rated itself against it.

School rows carry `school_id`. Individual ratings and consensus decisions are append-only: a change
is a new row that `replaces` the previous one, so the history of who said what, and when, is kept.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from credo.core.models import TenantModel


class Level(models.TextChoices):
    FOUNDATIONAL = "foundational", "Foundational"
    ADVANCED = "advanced", "Advanced"


class Status(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    EARNED = "earned", "Earned"


# --------------------------------------------------------------------------------------------
# The template, versioned


class JourneyFramework(models.Model):
    """One version of a journey template. A network's adaptation is a version of its own."""

    key = models.CharField(max_length=64)
    version = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    network = models.ForeignKey(
        "schools.Network",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="journey_frameworks",
    )
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="adaptations"
    )
    published_at = models.DateTimeField(null=True, blank=True, help_text="Blank while a draft.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "version"], name="journey_framework_unique_version"
            ),
        ]

    def __str__(self):
        return f"{self.title} {self.version}"

    @property
    def is_draft(self) -> bool:
        return self.published_at is None


class JourneyDomain(models.Model):
    """A domain of one framework version, drawn as a sector of the school's profile."""

    framework = models.ForeignKey(
        JourneyFramework, on_delete=models.CASCADE, related_name="domains"
    )
    code = models.CharField(max_length=8)
    name = models.CharField(max_length=120)
    order = models.PositiveSmallIntegerField()
    guiding_question = models.TextField()
    deliverable_title = models.CharField(max_length=120)
    deliverable = models.TextField()
    colour = models.CharField(max_length=7)

    class Meta:
        ordering = ["framework_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "code"], name="journey_domain_unique_code"
            ),
        ]

    def __str__(self):
        return self.name


class JourneyCompetency(models.Model):
    """A school-level competency of one framework version: something the school is rated on."""

    framework = models.ForeignKey(
        JourneyFramework, on_delete=models.CASCADE, related_name="competencies"
    )
    domain = models.ForeignKey(JourneyDomain, on_delete=models.CASCADE, related_name="competencies")
    code = models.CharField(max_length=12)
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    level = models.CharField(max_length=16, choices=Level.choices)
    description = models.TextField()

    class Meta:
        ordering = ["framework_id", "domain__order", "number", "id"]
        verbose_name_plural = "journey competencies"
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "code"], name="journey_competency_unique_code"
            ),
            models.CheckConstraint(
                condition=Q(level__in=Level.values), name="journey_competency_level"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


class DesignEssential(models.Model):
    """A Mastery Design Essential of one framework version, mapped to the domains that build it."""

    framework = models.ForeignKey(
        JourneyFramework, on_delete=models.CASCADE, related_name="essentials"
    )
    code = models.CharField(max_length=12)
    title = models.CharField(max_length=200)
    description = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)
    domains = models.ManyToManyField(
        JourneyDomain, through="EssentialDomain", related_name="essentials"
    )

    class Meta:
        ordering = ["framework_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "code"], name="design_essential_unique_code"
            ),
        ]

    def __str__(self):
        return self.title


class EssentialDomain(models.Model):
    """A domain where a design essential is built; position 0 is its primary home."""

    essential = models.ForeignKey(
        DesignEssential, on_delete=models.CASCADE, related_name="domain_links"
    )
    domain = models.ForeignKey(
        JourneyDomain, on_delete=models.CASCADE, related_name="essential_links"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["essential_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["essential", "domain"], name="essential_domain_unique"),
        ]

    def __str__(self):
        return f"{self.essential_id} in {self.domain_id}"


# --------------------------------------------------------------------------------------------
# A school's self-assessment


class JourneyAssessment(TenantModel):
    """A school's self-assessment against one framework version. One is open per school at a time."""

    framework = models.ForeignKey(
        JourneyFramework, on_delete=models.PROTECT, related_name="assessments"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    carried_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_to"
    )

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school"],
                condition=Q(closed_at__isnull=True),
                name="journey_one_open_assessment",
            ),
        ]

    def __str__(self):
        return f"{self.school_id}: {self.framework}"

    def get_absolute_url(self):
        return reverse("journey:home", args=[self.school.slug])

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class TeamRole(models.TextChoices):
    LEAD = "lead", "Lead"
    MEMBER = "member", "Member"


class JourneyTeamMember(TenantModel):
    """A member of the school's leadership team. Only the team sees the school's ratings."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journey_teams"
    )
    role = models.CharField(max_length=8, choices=TeamRole.choices, default=TeamRole.MEMBER)
    position = models.CharField(max_length=120, blank=True, help_text="Their job, e.g. principal.")
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["role", "user__last_name", "user__username", "id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "user"], name="journey_team_unique_user"),
            models.CheckConstraint(condition=Q(role__in=TeamRole.values), name="journey_team_role"),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()}"

    @property
    def is_lead(self) -> bool:
        return self.role == TeamRole.LEAD


class JourneyRating(TenantModel):
    """One team member's own rating of one competency. Append-only: a change replaces, never edits."""

    assessment = models.ForeignKey(
        JourneyAssessment, on_delete=models.CASCADE, related_name="ratings"
    )
    competency = models.ForeignKey(
        JourneyCompetency, on_delete=models.PROTECT, related_name="ratings"
    )
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices)
    note = models.TextField(blank=True)
    rated_at = models.DateTimeField()
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )

    class Meta:
        ordering = ["rated_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="journey_rating_status"
            ),
        ]
        indexes = [models.Index(fields=["assessment", "competency", "rater"])]

    def __str__(self):
        return f"{self.rater_id} on {self.competency_id}: {self.status}"


class JourneyConsensus(TenantModel):
    """The rating the team agreed on for one competency. Append-only, like individual ratings."""

    assessment = models.ForeignKey(
        JourneyAssessment, on_delete=models.CASCADE, related_name="consensus"
    )
    competency = models.ForeignKey(
        JourneyCompetency, on_delete=models.PROTECT, related_name="consensus"
    )
    status = models.CharField(max_length=12, choices=Status.choices)
    note = models.TextField(blank=True, help_text="Why the team agreed on this rating.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField()
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )

    class Meta:
        ordering = ["decided_at", "id"]
        verbose_name_plural = "journey consensus decisions"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="journey_consensus_status"
            ),
        ]
        indexes = [models.Index(fields=["assessment", "competency"])]

    def __str__(self):
        return f"{self.competency_id}: {self.status}"


class EvidenceKind(models.TextChoices):
    FILE = "file", "File"
    LINK = "link", "Link"


def journey_evidence_upload_to(instance, filename):
    return f"journey/{instance.school_id}/{instance.assessment_id}/{filename}"


class JourneyEvidence(TenantModel):
    """A file or link the team offers as evidence for a competency. Withdrawn, never deleted."""

    assessment = models.ForeignKey(
        JourneyAssessment, on_delete=models.CASCADE, related_name="evidence"
    )
    competency = models.ForeignKey(
        JourneyCompetency, on_delete=models.PROTECT, related_name="evidence"
    )
    kind = models.CharField(max_length=8, choices=EvidenceKind.choices)
    title = models.CharField(max_length=200)
    url = models.URLField(max_length=500, blank=True)
    file = models.FileField(upload_to=journey_evidence_upload_to, blank=True, max_length=300)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-added_at", "-id"]
        verbose_name_plural = "journey evidence"
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=EvidenceKind.LINK) & ~Q(url=""))
                | (Q(kind=EvidenceKind.FILE) & ~Q(file="")),
                name="journey_evidence_has_content",
            ),
        ]

    def __str__(self):
        return self.title


class ActionStatus(models.TextChoices):
    OPEN = "open", "Not started"
    DOING = "doing", "Under way"
    DONE = "done", "Done"


class JourneyActionItem(TenantModel):
    """A step the team commits to on one competency: who does it, by when, and how far it is."""

    assessment = models.ForeignKey(
        JourneyAssessment, on_delete=models.CASCADE, related_name="actions"
    )
    competency = models.ForeignKey(
        JourneyCompetency, on_delete=models.PROTECT, related_name="actions"
    )
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ActionStatus.values), name="journey_action_status"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_overdue(self) -> bool:
        """Return whether it is past due and not done, by the school's today (`School.today`)."""
        return bool(
            self.due_on and self.status != ActionStatus.DONE and self.due_on < self.school.today()
        )


class JourneySnapshot(TenantModel):
    """The team's agreed ratings frozen at one moment (each term, say). Never changed afterwards.

    `statuses` maps competency code to status; `counts` holds, per level, how many competencies
    were earned, in progress and not started, so history charts need no recomputation.
    """

    assessment = models.ForeignKey(
        JourneyAssessment, on_delete=models.CASCADE, related_name="snapshots"
    )
    label = models.CharField(max_length=120)
    note = models.TextField(blank=True)
    statuses = models.JSONField()
    counts = models.JSONField()
    taken_at = models.DateTimeField()
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["taken_at", "id"]

    def __str__(self):
        return self.label
