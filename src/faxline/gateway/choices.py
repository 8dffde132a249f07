"""States of a message received by the SMTP gateway.

::

    received ──claim──▶ processing ──▶ done     (fax jobs made; the sender told: Initial Success)
       ▲                    │      └─▶ refused  (no job; the sender told why: Initial Failure)
       └── temporary error, or the worker stopped (the sweep takes the claim back) ──┘
"""

from django.db import models


class MessageStatus(models.TextChoices):
    """Where a received email is on its way to fax jobs."""

    RECEIVED = "received", "Received"
    PROCESSING = "processing", "Processing"
    DONE = "done", "Done"
    REFUSED = "refused", "Refused"


# Not finished: the worker (or the sweep) still owes it an outcome.
OPEN = (MessageStatus.RECEIVED, MessageStatus.PROCESSING)
FINISHED = (MessageStatus.DONE, MessageStatus.REFUSED)


class NoticeWithheld(models.TextChoices):
    """Why the Email to Fax Initial Notification was not sent ("": sent, or none was due).
    The gateway is no spam cannon: a forged sender address must not make it write to
    strangers (backscatter) or to itself (loops)."""

    NULL_SENDER = "null_sender", "the envelope sender is empty (a bounce)"
    AUTOMATIC = "automatic", "an automatic reply, a bounce or list mail"
    OWN_DOMAIN = "own_domain", "the sender is faxline's own address or fax domain (a loop)"
    NO_DOMAIN = "no_domain", "the sender's address has no domain"
    SETTINGS = "settings", "the sender's Notifications settings"
    ADDRESS_LIMIT = "address_limit", "the hourly limit of notices to this address was reached"
    PLATFORM_LIMIT = (
        "platform_limit",
        ("the platform-wide hourly limit of notices to unregistered senders was reached"),
    )
