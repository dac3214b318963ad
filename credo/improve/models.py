"""Moderation sessions: several assessors score the same pieces of evidence blind, on one target,
so the school can see how far they agree (`improve.stats`) and whose levels drift."""

from django.conf import settings
from django.db import models

from credo.core.models import TenantModel


class ModerationSession(TenantModel):
    """A calibration round on one target: a manager picks the evidence and the assessors; each
    assessor's scores stay hidden from everyone else until the session is closed."""

    title = models.CharField(max_length=200)
    competency = models.ForeignKey(
        "frameworks.Competency", on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class ModerationItem(TenantModel):
    session = models.ForeignKey(ModerationSession, on_delete=models.CASCADE, related_name="items")
    evidence = models.ForeignKey("evidence.Evidence", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "evidence"], name="moderation_item_unique")
        ]


class ModerationAssessor(TenantModel):
    session = models.ForeignKey(
        ModerationSession, on_delete=models.CASCADE, related_name="assessors"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="moderation_assessor_unique")
        ]


class ModerationScore(TenantModel):
    """One assessor's level for one piece; it may be changed until the session closes."""

    item = models.ForeignKey(ModerationItem, on_delete=models.CASCADE, related_name="scores")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    value = models.DecimalField(max_digits=6, decimal_places=2)
    scored_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "assessor"], name="moderation_score_unique")
        ]
