"""States of a notification.

::

    queued ──claim──▶ sending ──▶ sent | logged
       ▲                 │
       │                 ├─ transient error, attempts left ──▶ retrying ──(due)──claim──▶ …
       │                 └─ permanent error, or no attempts left ──▶ failed
       └──────── Resend (a person) ───────────────────────────────────────┘
"""

from django.db import models


class NotificationStatus(models.TextChoices):
    """Where an email is: waiting for the worker, being handed to the SMTP server, waiting
    for its next attempt after an error, delivered, given up on, or only written to the
    log (no SMTP server configured: console or test backends)."""

    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    RETRYING = "retrying", "Retrying"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    LOGGED = "logged", "Logged (no SMTP server)"


# Waiting for an attempt: the worker may claim these once they are due.
PENDING = (NotificationStatus.QUEUED, NotificationStatus.RETRYING)
# Delivered: nothing more happens to the message.
TERMINAL = (NotificationStatus.SENT, NotificationStatus.LOGGED)
