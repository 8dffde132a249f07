"""The reports' pages, included under ``/activity/reports/`` in the ``activity`` namespace."""

from __future__ import annotations

from django.urls import path

from faxline.activity.reports import views

DIRECTION = "<str:direction>"

urlpatterns = [
    path("", views.reports_index, name="reports"),
    path(f"{DIRECTION}/<slug:slug>/", views.report_page, name="report"),
    path(f"{DIRECTION}/<slug:slug>/export.csv", views.report_export, name="report_export"),
]
