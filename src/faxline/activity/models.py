"""activity's models live in its parts; imported here so that Django finds them."""

from __future__ import annotations

from faxline.activity.accounting.models import CdrFile, CdrGeneration, CdrMonthClosed
from faxline.activity.lists.models import ActivityList, ActivityPreference

__all__ = [
    "ActivityList",
    "ActivityPreference",
    "CdrFile",
    "CdrGeneration",
    "CdrMonthClosed",
]
