"""core: domain errors, the audit trail, encryption, the business calendar, pagination, the
periodic scheduler, idempotency keys and the collection of what apps contribute. It knows no
domain app."""

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

        return [PeriodicJob("expire idempotency keys", 3600, idempotency_keys_expire)]
