"""Schools (the tenants), their networks, terms, learning experiences, sections and enrollments."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from credo.core.models import TenantModel


class Network(models.Model):
    """A district or consortium that groups schools."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    description = models.TextField(blank=True)

    def __str__(self):
        return self.name


class NetworkLead(models.Model):
    """A person who sees the journey of every school in a network."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="leads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="network_leads"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["network", "user"], name="network_lead_unique")
        ]

    def __str__(self):
        return f"{self.user} · {self.network}"


def default_panel_formers() -> list[str]:
    """Return who forms review panels by default: admins, registrars and review coordinators."""
    return ["admin", "registrar", "review_coordinator"]


class School(models.Model):
    """The tenant. Its profile is what admissions readers see about the school."""

    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=60, blank=True)
    slug = models.SlugField(unique=True)
    network = models.ForeignKey(
        Network, null=True, blank=True, on_delete=models.SET_NULL, related_name="schools"
    )
    mission = models.TextField(blank=True)
    context = models.TextField(blank=True, help_text="Size, setting and who the school serves.")
    credit_policy = models.TextField(
        blank=True, help_text="How credits are defined, earned and reviewed."
    )
    city = models.CharField(max_length=120, blank=True)
    website = models.URLField(blank=True)
    enrollment_size = models.PositiveIntegerField(null=True, blank=True)
    school_code = models.CharField(
        max_length=20,
        blank=True,
        help_text="The code admissions offices file the school under (CEEB / ACT code).",
    )
    counselor_name = models.CharField(max_length=120, blank=True)
    counselor_email = models.EmailField(blank=True)
    counselor_phone = models.CharField(max_length=40, blank=True)
    not_progressing_days = models.PositiveSmallIntegerField(
        default=42,
        help_text="Days without gain on a target before a student is listed as not progressing.",
    )
    support_stalls = models.PositiveSmallIntegerField(
        default=3,
        help_text="Targets without gain before an advisor sees a student as needing support.",
    )
    support_window_days = models.PositiveSmallIntegerField(
        default=180,
        help_text="Only work demonstrated this many days back counts toward needing support.",
    )
    improve_min_cell = models.PositiveSmallIntegerField(
        default=10,
        help_text="The fewest students a published group may have on the improvement pages; "
        "smaller groups are hidden.",
    )
    grade_conversion_enabled = models.BooleanField(default=False)
    judgment_enabled = models.BooleanField(
        default=True,
        help_text="Teachers may set a student's level on a target against the calculated one, "
        "with a reason (professional judgment).",
    )
    panel_formers = models.JSONField(
        default=default_panel_formers,
        help_text="The roles that may form credit-review panels and invite outside experts: "
        "some of admin, registrar, review_coordinator.",
    )
    two_factor_required = models.BooleanField(
        default=False,
        help_text="Admins and registrars must sign in with a second factor (an authenticator app).",
    )
    students_password_signin = models.BooleanField(
        default=True,
        help_text="Students may sign in with a password. Off: only through the school's identity "
        "providers (guardians and staff keep their passwords).",
    )
    as_of = models.DateField(
        null=True,
        blank=True,
        help_text="For a demo or training school whose records stop on a date: the day its pages "
        "treat as today. Empty for a real school.",
    )
    source_id = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("web:school", args=[self.slug])

    def today(self) -> dt.date:
        """Return the school's today: its `as_of` date when it has one, else the local date.

        Pace, stalls and overdue items are measured from it, so a demo school reads as it did
        on the day its records end. Security dates (link expiry, credential validity) use the
        real clock, never this.
        """
        return self.as_of or timezone.localdate()


class Term(TenantModel):
    name = models.CharField(max_length=100)
    school_year = models.CharField(max_length=20)
    starts_on = models.DateField()
    ends_on = models.DateField()
    source_id = models.CharField(max_length=128, blank=True)

    class Meta:
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="term_dates_ordered"
            ),
        ]

    def __str__(self):
        return self.name


class ExperienceKind(models.TextChoices):
    COURSE = "course", "Course"
    SEMINAR = "seminar", "Seminar"
    PROJECT = "project", "Project"
    IMPACT = "impact", "Impact / community experience"
    INTERNSHIP = "internship", "Internship"
    INDEPENDENT = "independent_study", "Independent study"
    OUTSIDE = "outside", "Learning outside school"


class LearningExperience(TenantModel):
    """A course, seminar, project or other experience through which students show competencies."""

    kind = models.CharField(
        max_length=24, choices=ExperienceKind.choices, default=ExperienceKind.COURSE
    )
    code = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    source_id = models.CharField(max_length=128, blank=True)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "code"], name="experience_unique_code")
        ]

    def __str__(self):
        return self.title


class ExperienceAlignment(TenantModel):
    """A competency that a learning experience gives students the chance to show."""

    experience = models.ForeignKey(
        LearningExperience, on_delete=models.CASCADE, related_name="alignments"
    )
    competency = models.ForeignKey(
        "frameworks.Competency", on_delete=models.CASCADE, related_name="alignments"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["experience", "competency"], name="alignment_unique"),
        ]


class Section(TenantModel):
    """A learning experience offered in one term, with its teachers and students."""

    experience = models.ForeignKey(
        LearningExperience, on_delete=models.CASCADE, related_name="sections"
    )
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="sections")
    name = models.CharField(max_length=100)
    source_id = models.CharField(max_length=128, blank=True)

    class Meta:
        ordering = ["term__starts_on", "experience__title", "name", "id"]

    def __str__(self):
        return f"{self.experience.title} · {self.name}"

    def get_absolute_url(self):
        return reverse("web:section", args=[self.pk])


class SectionTeacher(TenantModel):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="teacher_links")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="teaching"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["section", "user"], name="section_teacher_unique")
        ]


class Enrollment(TenantModel):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="enrollments")
    student = models.ForeignKey(
        "accounts.Student", on_delete=models.CASCADE, related_name="enrollments"
    )
    source_id = models.CharField(max_length=128, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["section", "student"], name="enrollment_unique")
        ]
        indexes = [models.Index(fields=["student", "section"])]

    def __str__(self):
        return f"{self.student_id} in {self.section_id}"
