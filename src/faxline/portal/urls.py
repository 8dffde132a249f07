"""URLs of the portal shell."""

from django.urls import path

from faxline.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("activity/", views.activity, name="activity"),
    path("help/", views.help_page, name="help"),
]
