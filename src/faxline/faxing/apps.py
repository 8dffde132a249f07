from django.apps import AppConfig


class FaxingConfig(AppConfig):
    name = "faxline.faxing"
    label = "faxing"
    verbose_name = "Faxing"
