"""Notifications: what happened that a person should hear of, and how each person wants to hear it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from credo.core.models import TenantModel


class Kind(models.TextChoices):
    NEW_WORK = "new_work", _("New work or a revision to assess")
    FEEDBACK = "feedback", _("Feedback on my work")
    DECISION = "decision", _("A decision on my credit review")
    REVIEW_INVITATION = "review_invitation", _("An invitation to sit on a review panel")
    GUARDIAN_WEEKLY = "guardian_weekly", _("A weekly summary of my student's learning")
    FAMILY_REPORT = "family_report", _("My student's progress report, when the school sends one")


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("At once, by e-mail")
    DAILY = "daily", _("In one e-mail a day")
    WEEKLY = "weekly", _("In one e-mail a week")
    OFF = "off", _("Off")


#: What each kind may be set to, and what it is until the person chooses. The guardian's weekly
#: summary and the family progress report (credo/families) are opt-in; everything else is on.
CHOICES = {
    Kind.NEW_WORK: ((Delivery.IMMEDIATE, Delivery.DAILY, Delivery.OFF), Delivery.DAILY),
    Kind.FEEDBACK: ((Delivery.IMMEDIATE, Delivery.DAILY, Delivery.OFF), Delivery.IMMEDIATE),
    Kind.DECISION: ((Delivery.IMMEDIATE, Delivery.DAILY, Delivery.OFF), Delivery.IMMEDIATE),
    Kind.REVIEW_INVITATION: (
        (Delivery.IMMEDIATE, Delivery.DAILY, Delivery.OFF),
        Delivery.IMMEDIATE,
    ),
    Kind.GUARDIAN_WEEKLY: ((Delivery.WEEKLY, Delivery.OFF), Delivery.OFF),
    Kind.FAMILY_REPORT: ((Delivery.IMMEDIATE, Delivery.OFF), Delivery.OFF),
}


class Notification(TenantModel):
    """One thing one person is told about, in the app and (per their choice) by e-mail.

    Written by the task queue once the event's transaction has committed; `emailed_at` is set when
    it went out by e-mail (at once, or in that day's digest).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    delivery = models.CharField(max_length=12, choices=Delivery.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True, help_text="A path on this site.")
    # What it is about, so the same event never notifies the same person twice.
    source_type = models.CharField(max_length=40)
    source_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "source_type", "source_id"],
                name="notification_once_per_event",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "read_at"]),
            models.Index(fields=["delivery", "emailed_at"]),
        ]

    def __str__(self):
        return f"{self.user_id} · {self.kind} · {self.title}"


class Preference(models.Model):
    """How one person wants to hear of one kind of notification (every school alike)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    delivery = models.CharField(max_length=12, choices=Delivery.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="preference_unique_kind"),
        ]

    def __str__(self):
        return f"{self.user_id} · {self.kind} · {self.delivery}"
