"""Fax Number Inventory pages (Settings ▸ Fax Number Inventory)."""

from django.urls import path

from faxline.numbers import views

app_name = "numbers"

urlpatterns = [
    path("", views.inventory, name="inventory"),
    path("pool/", views.pool, name="pool"),
    path("assignees/", views.assignees, name="assignees"),
    path("request/", views.request_inventory, name="request"),
    path("assign/", views.assign, name="assign"),
    path("unassign/", views.unassign, name="unassign"),
    path("release/", views.release, name="release"),
    path("limit/", views.limit, name="limit"),
    path("stock/", views.stock_import, name="stock_import"),
]
