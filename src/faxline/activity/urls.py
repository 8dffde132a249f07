"""The Activity menu's pages, under ``/activity/`` (the menu's own page is the portal's)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from faxline.activity.accounting.urls import urlpatterns as accounting
from faxline.activity.lists.urls import urlpatterns as lists

app_name = "activity"

urlpatterns: list[URLPattern | URLResolver] = [
    *lists,
    *accounting,
    path("reports/", include("faxline.activity.reports.urls")),
]
