"""core: domain errors, the audit trail, encryption, the business calendar, pagination, the
periodic scheduler and the collection of what apps contribute. It knows no domain app."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "faxline.core"
    label = "core"
    verbose_name = "faxline core"
