"""Assessments and what follows from them: mastery states, credits, reviews, awards, graduation."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from credo.core.models import TenantModel, TenantQuerySet


class AssessmentKind(models.TextChoices):
    FORMATIVE = "formative", "Formative"
    SUMMATIVE = "summative", "Summative"


class Assessment(TenantModel):
    """One rating of evidence against one competency. Append-only: corrections replace, never edit.

    A row counts while no later row `replaces` it. A retraction is a row with no value that
    replaces another and counts for nothing itself.
    """

    # The (student, competency, demonstrated_on) index serves every lookup by student.
    student = models.ForeignKey(
        "accounts.Student", on_delete=models.CASCADE, related_name="assessments", db_index=False
    )
    competency = models.ForeignKey(
        "frameworks.Competency", on_delete=models.CASCADE, related_name="assessments"
    )
    evidence = models.ForeignKey(
        "evidence.Evidence",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assessments",
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    value = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    demonstrated_on = models.DateField()
    assessed_at = models.DateTimeField()
    kind = models.CharField(
        max_length=12, choices=AssessmentKind.choices, default=AssessmentKind.SUMMATIVE
    )
    feedback = models.TextField(blank=True)
    accommodated = models.BooleanField(default=False)
    modified_scale = models.BooleanField(default=False)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    retraction = models.BooleanField(default=False)
    task = models.CharField(
        max_length=200, blank=True, help_text="The task or assignment, when rated for a class."
    )
    source_id = models.CharField(max_length=128, blank=True)

    class Meta:
        ordering = ["demonstrated_on", "assessed_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(retraction=False) & Q(value__isnull=False) & Q(value__gte=0))
                | (Q(retraction=True) & Q(value__isnull=True) & Q(replaces__isnull=False)),
                name="assessment_value_or_retraction",
            ),
        ]
        indexes = [
            models.Index(fields=["student", "competency", "demonstrated_on"]),
            # A school's newest assessment at once (the improvement pages' cache asks whether
            # anything was added); PostgreSQL could not find it from the school_id index alone.
            models.Index(fields=["school", "id"], name="assessment_school_newest"),
        ]

    def __str__(self):
        return f"{self.student_id}/{self.competency_id}: {self.value} on {self.demonstrated_on}"


class MasteryStatus(models.TextChoices):
    NOT_YET = "not_yet", "Not yet"
    PROFICIENT = "proficient", "Proficient"
    EXCEEDS = "exceeds", "Exceeds"


class MasteryState(TenantModel):
    """Materialized per student × competency; always equal to a fresh recomputation."""

    student = models.ForeignKey(
        "accounts.Student", on_delete=models.CASCADE, related_name="mastery_states"
    )
    competency = models.ForeignKey(
        "frameworks.Competency", on_delete=models.CASCADE, related_name="+"
    )
    score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=MasteryStatus.choices, default=MasteryStatus.NOT_YET
    )
    assessment_count = models.PositiveIntegerField(default=0)
    counted_count = models.PositiveIntegerField(default=0)
    first_demonstrated_on = models.DateField(null=True, blank=True)
    last_demonstrated_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "competency"], name="state_unique")
        ]
        indexes = [models.Index(fields=["school", "competency"])]

    def __str__(self):
        return f"{self.student_id}/{self.competency_id}: {self.score} {self.status}"


class Judgment(TenantModel):
    """A teacher's professional judgment of a student's current level on a target, set against the
    calculated one, with the reason; or (with `withdraws`) the withdrawal of one.

    Append-only: the latest row of a student × target decides. A judgment's level stands in the
    mastery state (both engine paths) while the school allows judgments and until a later row
    withdraws it or sets another.
    """

    student = models.ForeignKey(
        "accounts.Student", on_delete=models.CASCADE, related_name="judgments"
    )
    competency = models.ForeignKey(
        "frameworks.Competency", on_delete=models.CASCADE, related_name="+"
    )
    value = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    reason = models.TextField()
    judged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    judged_at = models.DateTimeField(auto_now_add=True)
    withdraws = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="withdrawn_by"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(value__isnull=True, withdraws__isnull=False)
                | Q(value__isnull=False, withdraws__isnull=True),
                name="judgment_value_or_withdrawal",
            ),
        ]
        indexes = [models.Index(fields=["student", "competency", "judged_at"])]

    def __str__(self):
        what = "withdrawn" if self.withdraws_id else self.value
        return f"{self.student_id}/{self.competency_id}: {what}"


class CreditLevel(models.TextChoices):
    FOUNDATIONAL = "foundational", "Foundational"
    ADVANCED = "advanced", "Advanced"


class Audience(models.TextChoices):
    STUDENTS = "students", "Students"
    EDUCATORS = "educators", "Educators"


class StudentAreaManager(models.Manager.from_queryset(TenantQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(audience=Audience.STUDENTS)


class StudentCreditManager(models.Manager.from_queryset(TenantQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(area__audience=Audience.STUDENTS)


class CreditArea(TenantModel):
    """A domain of the transcript's credit profile.

    An area for educators holds the school's educator micro-credentials (credo/growth): the same
    credits, reviews and awards, but `CreditArea.objects` and `MasteryCredit.objects` hold the
    students' only, so no transcript, catalogue or graduation rule sees them; `all_audiences`
    holds both.
    """

    code = models.CharField(max_length=40)
    name = models.CharField(max_length=120)
    colour = models.CharField(max_length=7, default="#336699")
    order = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(blank=True)
    audience = models.CharField(
        max_length=12,
        choices=Audience.choices,
        default=Audience.STUDENTS,
        db_default=Audience.STUDENTS,
    )

    objects = StudentAreaManager()
    all_audiences = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        constraints = [models.UniqueConstraint(fields=["school", "code"], name="area_unique_code")]

    def __str__(self):
        return self.name


class CreditRule(models.TextChoices):
    ALL = "all", "Every listed competency"
    COUNT = "count", "At least N competencies"
    POINTS = "points", "At least P points"


class DecisionPolicy(models.TextChoices):
    MAJORITY = "majority", "A majority of the seated panel"
    UNANIMOUS = "unanimous", "Every seated panel member"


class MasteryCredit(TenantModel):
    """A mastery credit: its standard and the requirement a student meets to earn it."""

    area = models.ForeignKey(CreditArea, on_delete=models.PROTECT, related_name="credits")
    level = models.CharField(
        max_length=16, choices=CreditLevel.choices, default=CreditLevel.FOUNDATIONAL
    )
    code = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    standard = models.TextField(
        help_text="The school's credit standard, as shown on the transcript."
    )
    rule = models.CharField(max_length=8, choices=CreditRule.choices, default=CreditRule.ALL)
    rule_n = models.PositiveIntegerField(
        null=True, blank=True, help_text="N for count, P for points."
    )
    min_evidence = models.PositiveSmallIntegerField(default=0)
    review_required = models.BooleanField(default=False)
    decision_policy = models.CharField(
        max_length=12,
        choices=DecisionPolicy.choices,
        default=DecisionPolicy.MAJORITY,
        db_default=DecisionPolicy.MAJORITY,
        help_text="How many of a review panel's seated members must agree to decide.",
    )
    decision_min_staff = models.PositiveSmallIntegerField(
        default=1,
        db_default=1,
        help_text="How many staff members (not outside experts) must be among those who agree. "
        "At least 1: outside experts never decide alone.",
    )
    order = models.PositiveSmallIntegerField(default=0)
    outcomes = models.ManyToManyField(
        "frameworks.Outcome",
        blank=True,
        related_name="credits",
        help_text="The graduate-profile outcomes this credit serves.",
    )
    from_cohort = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="First class (graduation year) it applies to; blank: every earlier class.",
    )
    until_cohort = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Last class it applies to; blank: every later class. Retiring a credit sets it.",
    )
    available_on = models.DateField(
        null=True,
        blank=True,
        help_text="The day the credit began to apply; no automatic award is dated before it.",
    )

    objects = StudentCreditManager()
    all_audiences = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["area__order", "level", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["school", "code"], name="credit_unique_code"),
            models.CheckConstraint(
                condition=Q(decision_min_staff__gte=1), name="credit_decision_needs_staff"
            ),
        ]

    def __str__(self):
        return self.title


class CreditRequirementItem(TenantModel):
    credit = models.ForeignKey(MasteryCredit, on_delete=models.CASCADE, related_name="items")
    competency = models.ForeignKey(
        "frameworks.Competency", on_delete=models.PROTECT, related_name="credit_items"
    )
    points = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("1"))
    required = models.BooleanField(default=False)

    class Meta:
        ordering = ["credit_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["credit", "competency"], name="credit_item_unique"),
            models.CheckConstraint(
                condition=Q(points__gte=0), name="credit_item_points_nonnegative"
            ),
        ]


class CreditStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    MET = "met", "Requirement met"
    READY = "ready_for_review", "Ready for review"
    UNDER_REVIEW = "under_review", "Under review"
    RETURNED = "returned", "Not yet — returned with feedback"
    AWARDED = "awarded", "Awarded"


class CreditProgress(TenantModel):
    """Materialized per student × credit; always equal to a fresh recomputation."""

    student = models.ForeignKey(
        "accounts.Student", on_delete=models.CASCADE, related_name="credit_progress"
    )
    credit = models.ForeignKey(MasteryCredit, on_delete=models.CASCADE, related_name="progress")
    status = models.CharField(
        max_length=20, choices=CreditStatus.choices, default=CreditStatus.NOT_STARTED
    )
    proficient_count = models.PositiveIntegerField(default=0)
    points = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0"))
    evidence_count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "credit"], name="progress_unique")
        ]

    def __str__(self):
        return f"{self.student_id}/{self.credit_id}: {self.status}"


class ReviewFormat(models.TextChoices):
    PORTFOLIO = "portfolio", "Portfolio review"
    EXHIBITION = "exhibition", "Exhibition"
    DEFENSE = "defense", "Defense"
    PITCH = "pitch", "Committee pitch"


class CreditReview(TenantModel):
    """A student's request that a panel review a credit. Decisions are separate, append-only rows."""

    student = models.ForeignKey(
        "accounts.Student", on_delete=models.CASCADE, related_name="credit_reviews"
    )
    credit = models.ForeignKey(MasteryCredit, on_delete=models.CASCADE, related_name="reviews")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    statement = models.TextField(blank=True, help_text="The student's case for the credit.")
    format = models.CharField(
        max_length=16, choices=ReviewFormat.choices, default=ReviewFormat.PORTFOLIO
    )
    scheduled_at = models.DateTimeField(null=True, blank=True)
    location = models.CharField(max_length=200, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    override_reason = models.TextField(
        blank=True,
        default="",
        db_default="",
        help_text="Why a manager let the review be requested before the requirement was met.",
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "credit"],
                condition=Q(closed_at__isnull=True),
                name="review_one_open",
            ),
        ]

    def __str__(self):
        return f"Review of {self.credit_id} for {self.student_id}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class ReviewEvidence(TenantModel):
    review = models.ForeignKey(CreditReview, on_delete=models.CASCADE, related_name="bundle")
    evidence = models.ForeignKey("evidence.Evidence", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "evidence"], name="review_evidence_unique")
        ]


class PanelSeat(TenantModel):
    """A panel member: a staff user, or an outside expert invited by a signed link."""

    review = models.ForeignKey(CreditReview, on_delete=models.CASCADE, related_name="panel")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    guest_name = models.CharField(max_length=150, blank=True)
    guest_email = models.EmailField(blank=True)
    guest_expertise = models.CharField(max_length=200, blank=True)
    invited_at = models.DateTimeField(auto_now_add=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(guest_name=""), name="seat_has_person"
            ),
        ]

    def __str__(self):
        return str(self.user) if self.user_id else self.guest_name


class Decision(models.TextChoices):
    AWARD = "award", "Award the credit"
    NOT_YET = "not_yet", "Not yet"


class ReviewVote(TenantModel):
    """One panel member's vote on a review (append-only; one per seat). The review is decided
    when the votes satisfy the credit's decision policy."""

    review = models.ForeignKey(CreditReview, on_delete=models.CASCADE, related_name="votes")
    seat = models.ForeignKey(PanelSeat, on_delete=models.CASCADE, related_name="votes")
    vote = models.CharField(max_length=8, choices=Decision.choices)
    feedback = models.TextField()
    voted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["voted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "seat"], name="vote_one_per_seat"),
        ]

    def __str__(self):
        return f"{self.seat} → {self.vote}"


class ReviewDecision(TenantModel):
    """The panel's decision, recorded when its votes satisfy the credit's decision policy."""

    review = models.ForeignKey(CreditReview, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(max_length=8, choices=Decision.choices)
    feedback = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by_guest = models.ForeignKey(
        PanelSeat, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_at", "id"]


class CreditAward(TenantModel):
    """A mastery credit earned. Sticky: only a registrar revokes it, with a reason."""

    student = models.ForeignKey("accounts.Student", on_delete=models.CASCADE, related_name="awards")
    credit = models.ForeignKey(MasteryCredit, on_delete=models.PROTECT, related_name="awards")
    awarded_on = models.DateField()
    review = models.ForeignKey(
        CreditReview, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoke_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["awarded_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "credit"],
                condition=Q(revoked_at__isnull=True),
                name="award_one_active",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoke_reason=""),
                name="award_revocation_reason",
            ),
        ]

    def __str__(self):
        return f"{self.credit_id} to {self.student_id} on {self.awarded_on}"


class GraduationRuleKind(models.TextChoices):
    MIN_CREDITS = "min_credits", "At least N credits of a level"
    EACH_AREA = "min_credits_in_each_area", "At least N credits of a level in every area"
    IN_AREA = "min_credits_in_area", "At least N credits of a level in one area"
    ALL = "all_credits", "Every credit of a level"
    SPECIFIC = "specific_credits", "These particular credits"


class GraduationRule(TenantModel):
    """A graduation requirement for a range of cohorts (graduation years); open-ended when blank."""

    from_cohort = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="First class (graduation year); blank for every earlier one.",
    )
    until_cohort = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Last class (graduation year); blank for every later one."
    )
    kind = models.CharField(max_length=32, choices=GraduationRuleKind.choices)
    level = models.CharField(max_length=16, choices=CreditLevel.choices, blank=True)
    area = models.ForeignKey(
        CreditArea, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    n = models.PositiveIntegerField(null=True, blank=True)
    credits = models.ManyToManyField(
        MasteryCredit, blank=True, related_name="+", through="GraduationRuleCredit"
    )
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["from_cohort", "id"]

    def __str__(self):
        return self.description or self.get_kind_display()


class GraduationRuleCredit(TenantModel):
    rule = models.ForeignKey(GraduationRule, on_delete=models.CASCADE, related_name="+")
    credit = models.ForeignKey(MasteryCredit, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "credit"], name="rule_credit_unique")
        ]


class GraduationStatus(TenantModel):
    """Materialized per student: credits awarded and each graduation rule's progress."""

    student = models.OneToOneField(
        "accounts.Student", on_delete=models.CASCADE, related_name="graduation"
    )
    foundational_awarded = models.PositiveIntegerField(default=0)
    advanced_awarded = models.PositiveIntegerField(default=0)
    rules_met = models.PositiveIntegerField(default=0)
    rules_total = models.PositiveIntegerField(default=0)
    eligible = models.BooleanField(default=False)
    detail = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.student_id}: {self.rules_met}/{self.rules_total}"
