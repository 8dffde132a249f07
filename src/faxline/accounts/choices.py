"""Enumerations of the accounts domain."""

from django.db import models


class Role(models.TextChoices):
    """What kind of account a user is; it decides the scope of everything they see."""

    OPERATOR = "operator", "Operator"
    CHANNEL_PARTNER = "channel_partner", "Channel partner"
    ADMINISTRATOR = "administrator", "Administrator"
    FAX_USER = "fax_user", "Fax user"


ADMIN_ROLES = frozenset({Role.OPERATOR, Role.CHANNEL_PARTNER, Role.ADMINISTRATOR})
