"""Background tasks of the porting desk: thin, idempotent wrappers around services.

``tick`` lets the carrier adapters advance their requests (the SANDBOX carrier's clock).
The periodic scheduler (``core/periodic.py``: run by ``faxline serve``, or alone by
``faxline scheduler``) calls ``porting_tick`` every minute, as ``PortingConfig``
declares; this task and ``faxline
porting_tick`` run the same sweep on demand.
"""

from __future__ import annotations

from django_tasks import task

from faxline.porting.desk.services import porting_tick


@task()
def tick() -> int:
    """Advance every due port request of the carrier adapters once; returns how many."""
    return porting_tick()
