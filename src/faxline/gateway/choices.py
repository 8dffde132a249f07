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
