"""``faxline porting_tick``: let the carrier adapters advance their port requests once.

The SANDBOX carrier moves its requests on a business-day clock (New → Pending → Scheduled or
Rejected → Completed); the manual carrier does nothing by itself. The periodic scheduler
(``faxline serve``, or ``faxline scheduler`` at scale) runs the same sweep every minute; this
command runs it once, now. Each run processes every due request once and is safe to repeat
or to run from several machines at once.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from faxline.porting.desk.services import porting_tick


class Command(BaseCommand):
    help = (
        "Advance port requests handled by a carrier adapter (the SANDBOX carrier's "
        "business-day clock) once, now. Idempotent; the periodic scheduler runs it every minute."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        changed = porting_tick()
        self.stdout.write(f"{changed} port request(s) advanced.")
