"""The Sandbox PSTN pages (operators only)."""

from django.urls import path

from faxline.faxing.sandbox import views

app_name = "faxing"

urlpatterns = [
    path("", views.remote_faxes, name="sandbox_pstn"),
    path("<int:fax_id>/", views.remote_fax, name="sandbox_remote_fax"),
    path("<int:fax_id>/pages/<int:page>.png", views.remote_fax_page, name="sandbox_page"),
]
