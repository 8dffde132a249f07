"""The Sandbox PSTN pages (operators only), in their own URL namespace (`sandbox_pstn`) so
that faxing's own pages (part 2) can take `faxing`."""

from django.urls import path

from faxline.faxing.sandbox import views

app_name = "sandbox_pstn"

urlpatterns = [
    path("", views.remote_faxes, name="sandbox_pstn"),
    path("<int:fax_id>/", views.remote_fax, name="sandbox_remote_fax"),
    path("<int:fax_id>/pages/<int:page>.png", views.remote_fax_page, name="sandbox_page"),
]
