"""What each person chose for the Activity lists (imported by ``faxline.activity.models``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ActivityList(models.TextChoices):
    OUTBOUND = "outbound", "Outbound Activity"
    INBOUND = "inbound", "Inbound Activity"


class ActivityPreference(models.Model):
    """A person's columns and Row Count of one Activity list, remembered from one visit to
    the next. ``columns`` are column keys of the list in the order shown (empty: the list's
    defaults); ``row_count`` None is the list's default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_preferences"
    )
    list_name = models.CharField(max_length=16, choices=ActivityList.choices)
    columns = models.JSONField(default=list, blank=True)
    row_count = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "list_name"], name="activity_preference_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.list_name}"
