"""Background tasks of the porting desk: thin, idempotent wrappers around services.

``tick`` lets the carrier adapters advance their requests (the SANDBOX carrier's clock).
Nothing schedules it by itself yet: run ``faxline porting_tick`` from cron or a timer, or
enqueue ``tick`` periodically (``faxline serve`` has no periodic scheduler so far).
"""

from __future__ import annotations

from django_tasks import task

from faxline.porting.desk.services import porting_tick


@task()
def tick() -> int:
    """Advance every due port request of the carrier adapters once; returns how many."""
    return porting_tick()
