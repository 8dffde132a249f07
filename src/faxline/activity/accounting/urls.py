"""URLs of the Accounting page (in the ``activity`` namespace, under ``/activity/``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from faxline.activity.accounting import views

urlpatterns: list[URLPattern] = [
    path("accounting/", views.accounting, name="accounting"),
    path("accounting/generate", views.generate, name="accounting_generate"),
    path("accounting/files/<int:file_id>/download", views.download, name="accounting_download"),
]
