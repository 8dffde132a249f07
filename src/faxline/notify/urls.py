"""URLs of the notification log."""

from django.urls import path

from faxline.notify import views

app_name = "notify"

urlpatterns = [
    path("", views.notification_log, name="log"),
    path("<int:notification_id>/retry/", views.notification_retry, name="retry"),
]
