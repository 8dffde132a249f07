from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "faxline.core"
    label = "core"
    verbose_name = "faxline core"
