"""The Dashboard's panels: each app declares its own, the portal only lays them out.

An app returns :class:`Panel` items from ``dashboard_panels()`` on its AppConfig (see
``faxline.core.contributions``); the Dashboard shows, in ``INSTALLED_APPS`` order, every
panel whose ``context`` answers something other than ``None`` for the person signed in.
The portal knows no panel by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.http import HttpRequest

from faxline.core.contributions import collect

PanelContext = Callable[[HttpRequest], dict[str, Any] | None]


@dataclass(frozen=True)
class Panel:
    """A panel of the Dashboard.

    ``context`` gives the panel's template context, or ``None`` when the person may not see
    it. ``place`` is ``"banner"`` (full width above the others, for a question to answer
    first), ``"main"`` (the wide left column, panels stacked: the traffic chart) or
    ``"side"`` (the column beside it, panels stacked). The optional
    templates are included once each: ``head_template`` in ``<head>`` (styles),
    ``after_template`` after the panels (modals), ``script_template`` at the end of the page.
    ``swaps`` recognises an htmx request that re-renders only this panel (a sorted table):
    the Dashboard then answers with the panel alone.
    """

    name: str
    template: str
    context: PanelContext
    place: Literal["banner", "main", "side"] = "side"
    head_template: str | None = None
    after_template: str | None = None
    script_template: str | None = None
    swaps: Callable[[HttpRequest], bool] | None = None


@dataclass(frozen=True)
class ShownPanel:
    """A panel as the Dashboard shows it to one person: the panel and its context."""

    panel: Panel
    context: dict[str, Any]


def registered_panels() -> list[Panel]:
    """Every installed app's panels, in ``INSTALLED_APPS`` order."""
    return collect("dashboard_panels", Panel)


def panels_for(request: HttpRequest) -> list[ShownPanel]:
    """The panels the person signed in may see, with their context."""
    shown = []
    for panel in registered_panels():
        context = panel.context(request)
        if context is not None:
            shown.append(ShownPanel(panel, context))
    return shown
