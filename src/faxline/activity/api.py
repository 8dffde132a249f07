"""The activity app's API routers (``/api/v1/activity``, ``/accounting``, ``/reports``,
``/dashboard``)."""

from __future__ import annotations

from ninja import Router


def routers() -> list[Router]:
    from faxline.activity.accounting.api import router as accounting
    from faxline.activity.dashboard.api import router as dashboard
    from faxline.activity.lists.api import router as lists
    from faxline.activity.reports.api import router as reports

    return [lists, accounting, reports, dashboard]
