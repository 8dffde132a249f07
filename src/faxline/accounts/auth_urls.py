"""Sign-in, sign-out, password, API key and audit log pages (under ``/auth/``).

The names are global (no namespace): ``login``, ``logout``, ``password_forgot``,
``password_reset``, ``password_change``, ``api_keys``, ``api_key_revoke``, ``audit_log``.
"""

from django.urls import path

from faxline.accounts.views import auth as auth_views

urlpatterns = [
    path("login/", auth_views.login_view, name="login"),
    path("logout/", auth_views.logout_view, name="logout"),
    path("password/forgot/", auth_views.password_forgot, name="password_forgot"),
    path("password/reset/<str:token>/", auth_views.password_reset, name="password_reset"),
    path("password/change/", auth_views.password_change, name="password_change"),
    path("api-keys/", auth_views.api_keys, name="api_keys"),
    path("api-keys/<int:key_id>/revoke/", auth_views.api_key_revoke, name="api_key_revoke"),
    path("audit/", auth_views.audit_log, name="audit_log"),
]
