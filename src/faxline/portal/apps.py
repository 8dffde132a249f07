from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "faxline.portal"
    label = "portal"
    verbose_name = "Portal shell"
