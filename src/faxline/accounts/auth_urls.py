"""Sign-in, sign-out and password pages."""

from django.contrib.auth import views as django_auth_views
from django.urls import path

urlpatterns = [
    path("login/", django_auth_views.LoginView.as_view(), name="login"),
    path("logout/", django_auth_views.LogoutView.as_view(), name="logout"),
]
