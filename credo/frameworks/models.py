"""What a school expects graduates to know and do: frameworks, competencies and proficiency scales."""

from decimal import Decimal

from django.db import models

from credo.core.models import TenantModel

CALCULATION_METHODS = [
    ("latest", "Most recent"),
    ("highest", "Highest"),
    ("average", "Average"),
    ("mode", "Most frequent"),
    ("decaying_average", "Decaying average"),
    ("weighted_average", "Weighted average"),
    ("n_mastery", "n times at mastery"),
    ("power_law", "Power law (trend)"),
]


class ProficiencyScale(TenantModel):
    """Ordered levels with a mastery threshold. `min_value`/`max_value` mirror the levels."""

    name = models.CharField(max_length=120)
    mastery_threshold = models.DecimalField(max_digits=6, decimal_places=2)
    exceeds_threshold = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    min_value = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("0"))
    max_value = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("4"))

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_value__gt=models.F("min_value")), name="scale_range"
            ),
            models.CheckConstraint(
                condition=models.Q(mastery_threshold__gte=models.F("min_value"))
                & models.Q(mastery_threshold__lte=models.F("max_value")),
                name="scale_threshold_in_range",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def bounds(self) -> tuple[Decimal, Decimal]:
        return (self.min_value, self.max_value)


class ScaleLevel(TenantModel):
    scale = models.ForeignKey(ProficiencyScale, on_delete=models.CASCADE, related_name="levels")
    value = models.DecimalField(max_digits=6, decimal_places=2)
    label = models.CharField(max_length=80)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["scale_id", "value"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "value"], name="level_unique_value")
        ]

    def __str__(self):
        return f"{self.value} {self.label}"


class FrameworkKind(models.TextChoices):
    ACADEMIC = "academic", "Academic"
    HABITS = "habits", "Habits of work and learning"
    # The school's educator competencies: educators' own learner records are assessed on them
    # (credo/growth); they never count toward a student's credits or transcript.
    EDUCATOR = "educator", "Educator practice"


class Framework(TenantModel):
    """A school's learning framework. Habits frameworks never count toward credits unless named."""

    name = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=16, choices=FrameworkKind.choices, default=FrameworkKind.ACADEMIC
    )
    description = models.TextField(blank=True)
    scale = models.ForeignKey(ProficiencyScale, on_delete=models.PROTECT, related_name="frameworks")
    calculation_method = models.CharField(
        max_length=24, choices=CALCULATION_METHODS, default="decaying_average"
    )
    calculation_param = models.PositiveSmallIntegerField(null=True, blank=True)
    counts_formative = models.BooleanField(default=False)
    case_identifier = models.CharField(max_length=128, blank=True)
    case_uri = models.URLField(max_length=500, blank=True)
    version = models.CharField(max_length=40, blank=True)
    until_cohort = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Retired: the last class (graduation year) whose credits draw on it; blank while in use.",
    )

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name


class Outcome(TenantModel):
    """A graduate-profile outcome: what every graduate should be able to show."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="outcomes")
    code = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    retired_on = models.DateField(
        null=True,
        blank=True,
        help_text="The day the school stopped using it; transcripts published after leave it out.",
    )

    class Meta:
        ordering = ["order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="outcome_unique_code")
        ]

    def __str__(self):
        return self.title


class CompetencyKind(models.TextChoices):
    DOMAIN = "domain", "Domain"
    COMPETENCY = "competency", "Competency"
    STANDARD = "standard", "Standard"
    TARGET = "target", "Learning target"
    INDICATOR = "indicator", "Indicator"


class Competency(TenantModel):
    """A node of the competency tree. Scale and calculation method may override the framework's."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="competencies")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    outcome = models.ForeignKey(
        Outcome, null=True, blank=True, on_delete=models.SET_NULL, related_name="competencies"
    )
    kind = models.CharField(
        max_length=16, choices=CompetencyKind.choices, default=CompetencyKind.TARGET
    )
    code = models.CharField(max_length=60)
    statement = models.TextField()
    sequence = models.PositiveIntegerField(default=0)
    case_identifier = models.CharField(max_length=128, blank=True)
    scale = models.ForeignKey(
        ProficiencyScale,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="competency_overrides",
    )
    calculation_method = models.CharField(max_length=24, choices=CALCULATION_METHODS, blank=True)
    calculation_param = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["framework_id", "sequence", "code"]
        verbose_name_plural = "competencies"
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="competency_unique_code")
        ]
        indexes = [models.Index(fields=["school", "code"])]

    def __str__(self):
        return f"{self.code} {self.statement[:60]}"

    @property
    def effective_scale(self) -> ProficiencyScale:
        return self.scale or self.framework.scale

    @property
    def effective_method(self) -> tuple[str, int | None]:
        if self.calculation_method:
            return self.calculation_method, self.calculation_param
        return self.framework.calculation_method, self.framework.calculation_param
