"""Account Administration pages (Settings ▸ Account Administration)."""

from django.urls import path

from faxline.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.tree, name="tree"),
]
