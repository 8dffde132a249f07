"""core: domain errors, the audit trail, encryption, the business calendar, pagination, the
periodic scheduler, idempotency keys and the collection of what apps contribute. It knows no
domain app.

Its own periodic jobs keep the task backend's table small (``core.task_results``) and expire
idempotency keys (``core.idempotency``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from faxline.core.periodic import PeriodicJob


class CoreConfig(AppConfig):
    name = "faxline.core"
    label = "core"
    verbose_name = "faxline core"

    def periodic_jobs(self) -> list[PeriodicJob]:
        from faxline.core.idempotency import idempotency_keys_expire
        from faxline.core.periodic import PeriodicJob
        from faxline.core.task_results import task_results_prune

        return [
            PeriodicJob("prune finished task results", 3600, task_results_prune),
            PeriodicJob("expire idempotency keys", 3600, idempotency_keys_expire),
        ]
