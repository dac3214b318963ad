"""People: sign-in accounts, their roles in each school, students and their guardians."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models

from credo.core.models import TenantModel, TenantQuerySet


class User(AbstractUser):
    """A person who signs in. What they may do depends on their memberships."""

    display_name = models.CharField(max_length=150, blank=True)
    # Kept by the two-factor services (accounts/services.py) beside django-otp's devices, so every
    # request can tell without a query whether this person signs in with a second factor.
    two_factor_enabled = models.BooleanField(default=False, editable=False)
    # The language Credo speaks to this person (pages and e-mail); blank: the browser's choice.
    # Changed only by credo.families.services.language_set (audited).
    language = models.CharField(max_length=8, blank=True, default="")

    def __str__(self):
        return self.display_name or self.get_full_name() or self.username

    @property
    def name(self) -> str:
        return str(self)


class Role(models.TextChoices):
    ADMIN = "admin", "School admin"
    REGISTRAR = "registrar", "Registrar"
    TEACHER = "teacher", "Teacher"
    ADVISOR = "advisor", "Advisor"
    STUDENT = "student", "Student"
    GUARDIAN = "guardian", "Guardian"
    REVIEWER = "reviewer", "Reviewer"
    REVIEW_COORDINATOR = "review_coordinator", "Review coordinator"


STAFF_ROLES = frozenset({Role.ADMIN, Role.REGISTRAR, Role.TEACHER, Role.ADVISOR})
MANAGER_ROLES = frozenset({Role.ADMIN, Role.REGISTRAR})
# Who may form review panels and invite outside experts, unless the school narrows it
# (School.panel_formers). Teachers and advisors never do on their own authority.
PANEL_FORMER_CHOICES = (Role.ADMIN, Role.REGISTRAR, Role.REVIEW_COORDINATOR)
# Whose vote counts as "a staff member's" under a credit's decision policy.
PANEL_STAFF_ROLES = STAFF_ROLES | {Role.REVIEW_COORDINATOR}

# The named account that commands and background work act as (never signs in).
SYSTEM_USERNAME = "credo-system"


class Membership(TenantModel):
    """One role a user holds in one school."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=24, choices=Role.choices)
    source_id = models.CharField(max_length=128, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "user", "role"], name="membership_unique_role"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.school_id}"


class LearnerKind(models.TextChoices):
    STUDENT = "student", "Student"
    EDUCATOR = "educator", "Educator"


class StudentManager(models.Manager.from_queryset(TenantQuerySet)):
    """Students only: an educator's own learner record (credo/growth) is never among them."""

    def get_queryset(self):
        return super().get_queryset().filter(kind=LearnerKind.STUDENT)


class Student(TenantModel):
    """A learner of one school. Linked to a user account when the student signs in.

    The mastery engine keys every record on this row, so an educator who grows on the school's
    educator framework has one too (`kind=educator`, made by credo/growth, graduation year 0).
    `Student.objects` holds students only, so no student page, list or export ever shows such a
    record; `Student.learners` holds both, for the engine's bulk paths and the growth app.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="student",
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    student_number = models.CharField(max_length=64)
    graduation_year = models.PositiveSmallIntegerField()
    birth_date = models.DateField(null=True, blank=True)
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="advisees",
    )
    source_id = models.CharField(max_length=128, blank=True)
    active = models.BooleanField(default=True)
    kind = models.CharField(
        max_length=12,
        choices=LearnerKind.choices,
        default=LearnerKind.STUDENT,
        db_default=LearnerKind.STUDENT,
    )

    objects = StudentManager()
    learners = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "student_number"], name="student_unique_number"
            ),
        ]
        indexes = [models.Index(fields=["school", "graduation_year"])]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.preferred_name or self.given_name} {self.family_name}"


class GuardianLink(TenantModel):
    """A guardian's right to read one student's progress."""

    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guardianships"
    )
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="guardian_links")
    relationship = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["guardian", "student"], name="guardian_unique_student"),
        ]

    def __str__(self):
        return f"{self.guardian} → {self.student}"
