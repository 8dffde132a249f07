"""``faxline demo``: create the demo provider and company (idempotent); print the sign-ins."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from faxline.core.demo import build_demo


class Command(BaseCommand):
    help = "Create the demo provider and company (idempotent) and print the sign-ins as JSON."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps(build_demo(), indent=2))
