"""The Activity lists' pages (in the ``activity`` namespace, under ``/activity/``)."""

from django.urls import path

from faxline.activity.lists import views

urlpatterns = [
    path("outbound/", views.outbound_activity, name="outbound"),
    path("outbound/columns", views.outbound_columns, name="outbound_columns"),
    path("inbound/", views.inbound_activity, name="inbound"),
    path("inbound/columns", views.inbound_columns, name="inbound_columns"),
]
