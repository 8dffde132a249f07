"""URL map: the pages every installed app declares (``urlpatterns()`` on its AppConfig, in
``INSTALLED_APPS`` order) and the REST API v1. The shell names no app."""

from django.urls import URLResolver, path

from faxline.api import api
from faxline.core.contributions import collect

urlpatterns = [
    *collect("urlpatterns", URLResolver),
    path("api/v1/", api.urls),
]
