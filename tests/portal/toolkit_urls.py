"""The project's URLs plus a few views that exercise the portal toolkit's rule."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from faxline.core.errors import Forbidden, NotFound
from faxline.portal.toolkit import portal_view
from faxline.urls import urlpatterns as project

REFUSAL = "Only the porting team may do this."


@portal_view
def open_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("welcome")


@portal_view
def refused_page(request: HttpRequest) -> HttpResponse:
    raise Forbidden(REFUSAL)


@portal_view
def missing_page(request: HttpRequest, item_id: int) -> HttpResponse:
    raise NotFound(f"Item {item_id} not found.")


urlpatterns = [
    path("_toolkit/open/", open_page, name="toolkit_open"),
    path("_toolkit/refused/", refused_page, name="toolkit_refused"),
    path("_toolkit/missing/<int:item_id>/", missing_page, name="toolkit_missing"),
    *project,
]
