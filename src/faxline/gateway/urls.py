"""URLs of the email-to-fax log (namespace ``gateway``)."""

from django.urls import path

from faxline.gateway import views

app_name = "gateway"

urlpatterns = [path("", views.message_log, name="log")]
