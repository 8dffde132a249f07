"""The portal shell: Dashboard, Activity and Help.

The Dashboard shows the Fax Number Inventory widget (numbers.views); its traffic chart and
Activity are placeholders until the fax engine lands.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from faxline.numbers.views import inventory_panel, is_inventory_swap
from faxline.onboarding.views import welcome_due
from faxline.portal.toolkit import portal_view


@portal_view
def dashboard(request: HttpRequest) -> HttpResponse:
    """The landing page after sign-in: with the Fax Number Inventory widget (and the fax
    credits of the month) for those who may see the inventory. A new customer's
    administrator is asked first: a new number, or keep the existing one?"""
    inventory = inventory_panel(request, on_dashboard=True)
    if inventory is not None and is_inventory_swap(request):
        return render(request, "numbers/_inventory_widget.html", inventory)
    context = {"inventory": inventory, "welcome_due": welcome_due(request), **(inventory or {})}
    return render(request, "portal/dashboard.html", context)


@portal_view
def activity(request: HttpRequest) -> HttpResponse:
    """Outbound and inbound fax activity."""
    return render(request, "portal/activity.html")


@portal_view
def help_page(request: HttpRequest) -> HttpResponse:
    """How the portal is organised, whom to ask, and where the API is documented."""
    return render(request, "portal/help.html")
