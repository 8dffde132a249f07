"""URL map: the pages every installed app declares (``urlpatterns()`` on its AppConfig, in
``INSTALLED_APPS`` order) and the REST API v1. The shell names no app.

The error handlers answer in JSON under /api/v1/ and with the usual pages elsewhere."""

from django.urls import URLResolver, path

from faxline.api import api_urls
from faxline.core.contributions import collect

urlpatterns = [
    *collect("urlpatterns", URLResolver),
    path("api/v1/", api_urls()),
]

handler400 = "faxline.api.bad_request"
handler403 = "faxline.api.permission_denied"
handler404 = "faxline.api.page_not_found"
handler500 = "faxline.api.server_error"
