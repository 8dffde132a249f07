"""URL map: the portal, sign-in, Account Administration and the REST API v1."""

from django.urls import include, path

from faxline.api import api

urlpatterns = [
    path("", include("faxline.portal.urls")),
    path("auth/", include("faxline.accounts.auth_urls")),
    path("settings/accounts/", include("faxline.accounts.urls")),
    path("onboarding/", include("faxline.onboarding.urls")),
    path("notifications/", include("faxline.notify.urls")),
    path("settings/numbers/", include("faxline.numbers.urls")),
    path("settings/porting/", include("faxline.porting.urls")),
    path("api/v1/", api.urls),
]
