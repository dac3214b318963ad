"""Educators as learners: their records on the school's educator framework, who coaches or mentors
them, observations of their teaching, and their growth plans.

What an educator is assessed on, and how levels are computed, is not here: the school's educator
framework is a `frameworks.Framework` of kind `educator`, an educator's learner record is an
`accounts.Student` of kind `educator`, and their assessments, mastery states, micro-credentials
(credits of an educators' area), reviews and awards are the mastery engine's own rows.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from credo.core.models import TenantModel


class Educator(TenantModel):
    """A staff member growing on the school's educator framework, and their learner record."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="growth_records"
    )
    learner = models.OneToOneField(
        "accounts.Student", on_delete=models.CASCADE, related_name="educator"
    )
    new_hire = models.BooleanField(default=False)
    joined_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "user"], name="educator_unique_user"),
        ]

    def __str__(self):
        return str(self.user)


class SupportKind(models.TextChoices):
    COACH = "coach", "Coach"
    MENTOR = "mentor", "Mentor"


class Support(TenantModel):
    """A coach's or mentor's standing with one educator. Ended, never deleted."""

    educator = models.ForeignKey(Educator, on_delete=models.CASCADE, related_name="supports")
    supporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="growth_supports"
    )
    kind = models.CharField(max_length=8, choices=SupportKind.choices)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["educator_id", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["educator", "supporter", "kind"],
                condition=Q(ended_on__isnull=True),
                name="support_one_active",
            ),
        ]

    def __str__(self):
        return f"{self.supporter} · {self.get_kind_display()} of {self.educator}"


class ObserverRole(models.TextChoices):
    COACH = "coach", "Coach or mentor"
    PEER = "peer", "Peer"
    LEADER = "leader", "School leader"


class Observation(TenantModel):
    """One visit to an educator's class: the notes (an observation `Evidence` of their record) and
    the ratings given on it (assessments of their record that point at that evidence)."""

    educator = models.ForeignKey(Educator, on_delete=models.CASCADE, related_name="observations")
    observer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    role = models.CharField(max_length=8, choices=ObserverRole.choices)
    evidence = models.OneToOneField(
        "evidence.Evidence", on_delete=models.PROTECT, related_name="observation"
    )
    observed_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-observed_on", "-id"]

    def __str__(self):
        return f"Observation of {self.educator} on {self.observed_on}"


class PeerInvitation(TenantModel):
    """An educator's invitation to a colleague to observe them (and so to rate what they saw)."""

    educator = models.ForeignKey(
        Educator, on_delete=models.CASCADE, related_name="peer_invitations"
    )
    peer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    invited_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["educator", "peer"],
                condition=Q(closed_at__isnull=True),
                name="peer_invitation_one_open",
            ),
        ]


class GrowthPlan(TenantModel):
    """What an educator means to work on next, agreed with a coach. Append-only: the latest row of
    an educator is their plan; each revision is a new row."""

    educator = models.ForeignKey(Educator, on_delete=models.CASCADE, related_name="plans")
    targets = models.ManyToManyField("frameworks.Competency", related_name="+")
    next_steps = models.TextField()
    agreed_with = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Growth plan of {self.educator}"
