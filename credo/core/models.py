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


class Leased(models.Model):
    """A run that one process takes at a time: which process, and when it was last heard from.

    `credo.core.runs` tells from these whether the process died; see there.
    """

    worker = models.CharField(
        max_length=160, blank=True, help_text="host/pid/start time of the process working on it"
    )
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="when that process last said it was alive"
    )

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
        indexes = [
            models.Index(fields=["school", "-at"]),
            models.Index(fields=["target_type", "target_id"]),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"


class WorkerHeartbeat(models.Model):
    """A running background task worker, as it last reported itself (read by /healthz).

    Operational state, not a school's record: a worker refreshes its row every few seconds and
    deletes it when it stops cleanly, so these writes are not audited.
    """

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)
    tasks_done = models.PositiveIntegerField(default=0)
    running_task = models.CharField(max_length=64, blank=True)

    def __str__(self):
        return f"worker {self.worker_id} on {self.hostname} (pid {self.pid})"
