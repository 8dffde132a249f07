"""URLs of the received faxes' pages (namespace ``inbound``)."""

from django.urls import path

from faxline.faxing.inbound import views

app_name = "inbound"

urlpatterns = [
    path("", views.received_list, name="list"),
    path("resubmit", views.received_bulk_resubmit, name="bulk_resubmit"),
    path("resubmit/<int:job_id>/", views.received_bulk_progress, name="bulk_progress"),
    path("settings", views.received_settings, name="settings"),
    path("<int:fax_id>/", views.received_fax, name="fax"),
    path("<int:fax_id>/pages/<int:page>.png", views.received_page, name="page"),
    path("<int:fax_id>/download", views.received_download, name="download"),
    path("<int:fax_id>/delete", views.received_delete, name="delete"),
    path("<int:fax_id>/resubmit", views.received_resubmit, name="resubmit"),
]
