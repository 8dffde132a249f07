"""activity's models (each part keeps its own module)."""

from faxline.activity.accounting.models import CdrFile, CdrGeneration, CdrMonthClosed

__all__ = ["CdrFile", "CdrGeneration", "CdrMonthClosed"]
