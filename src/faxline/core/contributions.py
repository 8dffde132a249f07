"""What the installed apps contribute, collected through ``django.apps``.

A lower layer (core, the portal, accounts) or the project shell never names the apps above
it. Instead an app declares what it brings as a method on its ``AppConfig``, and the part
that needs it collects every app's declaration, in the order of ``INSTALLED_APPS``:

======================  ======================================  =============================
hook on the AppConfig    returns                                 collected by
======================  ======================================  =============================
``urlpatterns()``        ``django.urls.URLResolver`` items        ``faxline.urls``
``api_routers()``        ``ninja.Router`` items                   ``faxline.api``
``periodic_jobs()``      ``faxline.core.periodic.PeriodicJob``    ``faxline scheduler`` / serve
``dashboard_panels()``   ``faxline.portal.dashboard.Panel``       the Dashboard
``demo_steps()``         ``faxline.core.demo.DemoStep``           ``faxline demo``
``menu_entries()``       ``faxline.portal.menu.MenuEntry``        the portal's menus
``user_numbers()``       ``faxline.accounts.fax_numbers.UserNumbers``  Account Administration
``served_processes()``   ``faxline.portal.management.supervisor.ServedProcess``  ``faxline serve``
``openapi_webhooks()``   ``dict`` (name, summary, description, schema)  ``faxline.api``
======================  ======================================  =============================

Each hook imports what it returns inside the method, so declaring it costs nothing while
Django loads the apps; the methods are called once the app registry is ready.
"""

from __future__ import annotations

from typing import TypeVar

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")


def collect(hook: str, kind: type[T]) -> list[T]:
    """Call ``hook()`` on every installed app that declares it and gather the items returned,
    in ``INSTALLED_APPS`` order. An item of the wrong kind is a configuration error."""
    found: list[T] = []
    for config in apps.get_app_configs():
        declared = getattr(config, hook, None)
        if declared is None:
            continue
        for item in declared():
            if not isinstance(item, kind):
                raise ImproperlyConfigured(
                    f"{config.name}: {hook}() must return {kind.__name__} items, got {item!r}"
                )
            found.append(item)
    return found
