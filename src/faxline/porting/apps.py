from django.apps import AppConfig


class PortingConfig(AppConfig):
    name = "faxline.porting"
    label = "porting"
    verbose_name = "Number porting"
