"""What every part of Credo shares: the tenant base model and the audit log."""

from django.conf import settings
from django.db import models


class TenantQuerySet(models.QuerySet):
    def for_school(self, school):
        """Return the rows that belong to `school` (a School or its id)."""
        return self.filter(school_id=getattr(school, "pk", school))


class TenantModel(models.Model):
    """A row owned by one school. Every tenant table carries `school_id` so it can be sharded."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """Who did what to which record, when, with the values before and after."""

    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["school", "-at"]), models.Index(fields=["target_type", "target_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"
