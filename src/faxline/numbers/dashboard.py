"""The Fax Number Inventory widget on the Dashboard (declared in ``NumbersConfig``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from faxline.numbers.views import inventory_panel, is_inventory_swap
from faxline.portal.dashboard import Panel


def _inventory(request: HttpRequest) -> dict[str, Any] | None:
    return inventory_panel(request, on_dashboard=True)


INVENTORY = Panel(
    name="Fax Number Inventory",
    template="numbers/_inventory_widget.html",
    context=_inventory,
    head_template="numbers/_styles.html",
    after_template="numbers/_pool_modal.html",
    script_template="numbers/_inventory_js.html",
    swaps=is_inventory_swap,
)
