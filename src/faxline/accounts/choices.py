"""Enumerations of the accounts domain."""

from django.db import models


class Role(models.TextChoices):
    """What kind of account a user is; it decides the scope of everything they see."""

    OPERATOR = "operator", "Operator"
    CHANNEL_PARTNER = "channel_partner", "Channel partner"
    ADMINISTRATOR = "administrator", "Administrator"
    FAX_USER = "fax_user", "Fax user"


ADMIN_ROLES = frozenset({Role.OPERATOR, Role.CHANNEL_PARTNER, Role.ADMINISTRATOR})


class BulkJobStatus(models.TextChoices):
    """Where a Bulk Create upload is: waiting for the task worker, being worked through a
    batch at a time, or finished (every row created or refused)."""

    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"


class BulkRowStatus(models.TextChoices):
    """What became of one row of a Bulk Create file."""

    CREATED = "created", "Created"
    REFUSED = "refused", "Refused"
