"""The Activity menu's pages, under ``/activity/`` (the menu's own page is the portal's)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from faxline.activity.accounting.urls import urlpatterns as accounting

app_name = "activity"

urlpatterns: list[URLPattern | URLResolver] = [*accounting]
