"""URLs of the archive copies' portal actions (namespace ``archive``)."""

from django.urls import path

from faxline.faxing.archive import views

app_name = "archive"

urlpatterns = [
    path("sent/<str:identifier>/retry", views.sent_retry, name="sent_retry"),
    path("received/<int:fax_id>/retry", views.received_retry, name="received_retry"),
    path("ftp-test/<str:kind>/<int:owner_id>", views.ftp_test, name="ftp_test"),
]
