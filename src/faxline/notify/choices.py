"""States of a notification."""

from django.db import models


class NotificationStatus(models.TextChoices):
    """Where an email is: waiting for delivery, delivered to the SMTP server, refused, or
    only written to the log (no SMTP server configured: console or test backends)."""

    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    LOGGED = "logged", "Logged (no SMTP server)"


# Settled: nothing more happens to the message unless someone retries it.
TERMINAL = (NotificationStatus.SENT, NotificationStatus.LOGGED)
