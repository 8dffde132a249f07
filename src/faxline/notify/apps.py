from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "faxline.notify"
    label = "notify"
    verbose_name = "Notifications"
