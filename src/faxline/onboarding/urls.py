"""Onboarding pages (Settings ▸ Onboarding)."""

from django.urls import path

from faxline.onboarding import views

app_name = "onboarding"

urlpatterns = [
    path("", views.index, name="index"),
    path("welcome/", views.welcome, name="welcome"),
    path("welcome/area-codes/", views.welcome_area_codes, name="welcome_area_codes"),
    path("welcome/done/", views.welcome_done, name="welcome_done"),
    path("orders/", views.orders, name="orders"),
    path("orders/<int:order_id>/", views.order_detail, name="order"),
    path("orders/<int:order_id>/billing/", views.order_billing, name="order_billing"),
    path("orders/<int:order_id>/tax/", views.order_tax, name="order_tax"),
    path("orders/<int:order_id>/documents/", views.order_document, name="order_document"),
    path(
        "orders/<int:order_id>/documents/<int:document_id>/",
        views.document_download,
        name="document_download",
    ),
    path("orders/<int:order_id>/numbers/", views.order_numbers, name="order_numbers"),
    path("orders/<int:order_id>/numbers/csv/", views.order_numbers_csv, name="order_numbers_csv"),
    path("orders/<int:order_id>/final/", views.order_final, name="order_final"),
    path("orders/<int:order_id>/complete/", views.order_complete, name="order_complete"),
    path("orders/<int:order_id>/assign/", views.order_assign, name="order_assign"),
    path("ports/tomorrow/", views.ports_tomorrow, name="ports_tomorrow"),
]
