from django.db import models
from django.utils import timezone


class Event(models.Model):
    """One live event (a ticket called, a camera down) for the SSE streams; see core.events."""

    channel = models.CharField(max_length=100)
    kind = models.CharField(max_length=50)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["channel", "id"])]

    def __str__(self):
        return f"{self.channel} {self.kind} #{self.pk}"


class PendingJob(models.Model):
    """A background job that must finish even if the worker running it dies; see core.jobs."""

    task = models.CharField(max_length=200)  # dotted path of a function taking keyword arguments
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_by = models.CharField(max_length=120, blank=True)  # "host:pid" of the worker running it
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.task} #{self.pk}"


class JobRun(models.Model):
    """One run of a periodic job for the minute it was due; see core.schedules (every worker schedules every
    periodic job, so the run is claimed once here)."""

    name = models.CharField(max_length=100)
    due_at = models.DateTimeField()
    claimed_by = models.CharField(max_length=120)  # "host:pid" of the worker running (or that ran) it
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "due_at"], name="core_jobrun_once_per_due_minute")]

    def __str__(self):
        return f"{self.name} {self.due_at:%Y-%m-%d %H:%M}"
