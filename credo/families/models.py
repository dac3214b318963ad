"""Families: school-authored texts in each language the school offers, and the record of every
family progress report sent."""

from django.conf import settings
from django.db import models

from credo.core.models import TenantModel


class LevelText(TenantModel):
    """A scale level's label and description in one language other than the school's own."""

    level = models.ForeignKey(
        "frameworks.ScaleLevel", on_delete=models.CASCADE, related_name="translations"
    )
    language = models.CharField(max_length=8)
    label = models.CharField(max_length=80, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["level", "language"], name="level_text_unique"),
        ]

    def __str__(self):
        return f"{self.level_id} [{self.language}] {self.label}"


class CreditText(TenantModel):
    """A credit's title and standard in one language other than the school's own."""

    credit = models.ForeignKey(
        "mastery.MasteryCredit", on_delete=models.CASCADE, related_name="translations"
    )
    language = models.CharField(max_length=8)
    title = models.CharField(max_length=200, blank=True)
    standard = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["credit", "language"], name="credit_text_unique"),
        ]

    def __str__(self):
        return f"{self.credit_id} [{self.language}] {self.title}"


class FamilyReport(TenantModel):
    """One family progress report sent to one guardian: what it covered and in which language.

    The next report of the student starts where the latest one ended (`as_of`)."""

    student = models.ForeignKey(
        "accounts.Student", on_delete=models.CASCADE, related_name="family_reports"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="family_reports"
    )
    language = models.CharField(max_length=8)
    since = models.DateField(null=True, blank=True)
    as_of = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)
    emailed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-as_of", "-id"]
        indexes = [models.Index(fields=["student", "as_of"])]

    def __str__(self):
        return f"{self.student_id} → {self.recipient_id} ({self.language}, {self.as_of})"
