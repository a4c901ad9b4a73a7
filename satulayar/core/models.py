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
