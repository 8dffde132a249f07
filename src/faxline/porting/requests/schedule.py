"""When a port will complete: the business-day calendar and the carrier's intervals.

Seed 004's steps: approval by the upstream provider (~1 business day), submission to the
carrier partner (~1), the losing carrier's answer (~5), then the FOC, on which the port
completes. Canadian landline ports are quicker (CRTC: 2 business days after a valid request).
"""

from __future__ import annotations

from datetime import date

from faxline.core.calendar import add_business_days, is_business_day, next_business_day
from faxline.porting.models import PortRequest

UPSTREAM_APPROVAL_DAYS = 1
CARRIER_PARTNER_DAYS = 1
LOSING_CARRIER_DAYS = {"US": 5, "CA": 2}
# After the losing carrier's answer, the earliest FOC.
FOC_LEAD_DAYS = 1


def estimate_completion(request: PortRequest, *, from_day: date) -> date:
    """The estimated completion date of a request submitted on ``from_day``."""
    if request.foc_date is not None:
        return request.foc_date
    country = request.country or "US"
    days = (
        UPSTREAM_APPROVAL_DAYS
        + CARRIER_PARTNER_DAYS
        + LOSING_CARRIER_DAYS.get(country, 5)
        + FOC_LEAD_DAYS
    )
    if request.carrier == "sandbox":
        # The SANDBOX carrier's own (simulated) intervals.
        from faxline.porting.carriers.sandbox import completion_business_days

        days = completion_business_days(country)
    eta = add_business_days(from_day, days, country=country)
    wanted = request.requested_date
    if wanted and wanted > eta:
        if is_business_day(wanted, country=country):
            return wanted
        return next_business_day(wanted, country=country)
    return eta
