"""The portal shell: Dashboard, Activity and Help.

Dashboard and Activity are placeholders until the number inventory and the fax engine
land; they say what will appear there.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The landing page after sign-in."""
    return render(request, "portal/dashboard.html")


@login_required
def activity(request: HttpRequest) -> HttpResponse:
    """Outbound and inbound fax activity."""
    return render(request, "portal/activity.html")


@login_required
def help_page(request: HttpRequest) -> HttpResponse:
    """How the portal is organised, whom to ask, and where the API is documented."""
    return render(request, "portal/help.html")
