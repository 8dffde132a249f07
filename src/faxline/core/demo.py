"""``faxline demo``: the demo data, assembled from the steps that apps declare.

Each app adds its part (``demo_steps()`` on its AppConfig, see
``faxline.core.contributions``), in ``INSTALLED_APPS`` order: accounts creates the provider,
the company, its people and their sign-ins; the apps above add to them (numbers gives the
fax users their numbers). Every step is idempotent, and all of them run in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from faxline.core.contributions import collect

# What `faxline demo` prints: {"portal": ..., "company": ..., "users": [{"role": ..., ...}]}.
DemoData = dict[str, Any]


@dataclass(frozen=True)
class DemoStep:
    """One app's part of the demo: ``run`` creates what is missing and adds to ``data``."""

    name: str
    run: Callable[[DemoData], None]


@transaction.atomic
def build_demo() -> DemoData:
    """Run every app's demo step; return the sign-ins as the CLI prints them."""
    data: DemoData = {}
    for step in collect("demo_steps", DemoStep):
        step.run(data)
    return data
