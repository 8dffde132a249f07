"""States of a fax number."""

from django.db import models


class NumberStatus(models.TextChoices):
    """Where a number is in its life: the provider's pool, a company's inventory, or aging."""

    AVAILABLE = "available", "Available"  # in the provider's pool, free to request
    PENDING = "pending", "Pending"  # in a company's inventory, not yet in service (porting)
    IN_SERVICE = "in_service", "In Use"  # in a company's inventory, in service
    AGING = "aging", "Aging"  # released by a company; back to the pool after aging


class NumberSource(models.TextChoices):
    STOCK = "stock", "Provider stock"
    SANDBOX = "sandbox", "Sandbox supplier"
    PORTED = "ported", "Ported in"


IN_INVENTORY = (NumberStatus.PENDING, NumberStatus.IN_SERVICE)
