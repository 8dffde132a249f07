from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "faxline.notify"
    label = "notify"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from faxline.core.mail import register_email_queue
        from faxline.notify.services import queue_email_for_core

        # Apps below notify (accounts) send their email through faxline.core.mail.
        register_email_queue(queue_email_for_core)
